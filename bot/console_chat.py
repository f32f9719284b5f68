"""`mttq-bot chat`: talk to the bot in a terminal, or script it (one message per line on stdin)."""

from __future__ import annotations

import asyncio
import uuid
from typing import TextIO

from bot.app import App
from bot.channels.console import CHANNEL, ConsoleSender
from core.messages import Inbound
from core.vnparse import fold


async def console_identity(app: App, user: str) -> tuple[str, str]:
    """(external id, display name) for --user: a demo role, a person's name, or a new guest."""
    wanted = fold(user)
    async with app.db.transaction() as repos:
        for commune in await repos.directory.communes():
            for person in await repos.directory.people(commune.id):
                identities = [i for i in await repos.directory.identities(person.id) if i.channel == CHANNEL]
                if identities and wanted in (fold(identities[0].external_id), fold(person.name)):
                    return identities[0].external_id, person.name
    return "guest-" + "-".join(wanted.split()), user


async def chat(app: App, user: str, stdin: TextIO, stdout: TextIO) -> None:
    """Read messages line by line, run each through the pipeline, print the replies via the outbox."""
    external_id, name = await console_identity(app, user)
    app.add_sender(ConsoleSender(app.translator, stdout))
    interactive = stdin.isatty()
    t = app.translator.for_language(app.settings.default_language)
    if interactive:
        stdout.write(t("console.banner", name=name) + "\n\n")
    await app.outbox.drain()  # whatever was left unsent by an earlier run
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        inbound = Inbound(channel=CHANNEL, chat_id=external_id, sender_id=external_id,
                          message_id=uuid.uuid4().hex, received_at=app.clock(), sender_name=name,
                          text=line.rstrip("\r\n"))
        await app.pipeline.process(inbound)
        await app.outbox.drain()  # the answer first; /tonghop's files follow once rendered (in the background)
        await app.render_jobs.drain()
        await app.outbox.drain()
