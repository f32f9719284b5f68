"""`mttq-bot chat`: talk to the bot in a terminal, or script it (one message per line on stdin)."""

from __future__ import annotations

import asyncio
import uuid
from typing import TextIO

from bot.app import App
from bot.channels.console import CHANNEL, ConsoleSender
from bot.communes import matches
from core.messages import Inbound
from core.vnparse import fold
from storage.models import Commune


class AmbiguousUser(LookupError):
    """--user names people of several communes: the communes to choose from with --commune."""


async def console_identity(app: App, user: str, commune_name: str | None = None) -> tuple[str, str]:
    """(external id, display name) for --user: a demo role, a person's name, or a new guest.

    With several communes a name may belong to people of more than one: then --commune must say which
    (AmbiguousUser), never the first found."""
    wanted = fold(user)
    found: list[tuple[str, str, Commune]] = []
    async with app.db.transaction() as repos:
        for commune in await repos.directory.communes():
            if commune_name and not matches(commune, commune_name):
                continue
            for person in await repos.directory.people(commune.id):
                identities = [i for i in await repos.directory.identities(person.id) if i.channel == CHANNEL]
                if identities and wanted in (fold(identities[0].external_id), fold(person.name)):
                    found.append((identities[0].external_id, person.name, commune))
    if len({commune.id for *_, commune in found}) > 1:
        raise AmbiguousUser("; ".join(sorted({f"{c.name}, {c.province}" for *_, c in found})))
    if found:
        return found[0][0], found[0][1]
    return "guest-" + "-".join(wanted.split()), user


async def chat(app: App, user: str, stdin: TextIO, stdout: TextIO, commune_name: str | None = None) -> None:
    """Read messages line by line, run each through the pipeline, print the replies via the outbox."""
    external_id, name = await console_identity(app, user, commune_name)
    app.add_sender(ConsoleSender(app.translator, stdout))
    interactive = stdin.isatty()
    t = app.speech()
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
