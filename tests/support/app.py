"""Test helpers shared by every suite: a fake clock, an app on a fresh database, a scripted chat user."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import App, create_app
from bot.channels.text_menu import render_numbered
from bot.demo import seed_demo
from bot.settings import Settings
from core.messages import Inbound, PhotoIn, Reply
from handlers.invites import create_invite

VN = ZoneInfo("Asia/Ho_Chi_Minh")
_message_ids = itertools.count(1)


class FakeClock:
    """A clock the test moves by hand; never the wall clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, now: datetime) -> None:
        self.now = now


@dataclass
class RecordingSender:
    """A channel sender that keeps what it was asked to send, rendered as Zalo/console would."""

    app: App
    channel: str = "console"
    sent: list[tuple[str, Reply]] = field(default_factory=list)

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        self.sent.append((chat_id, reply))

    def texts_for(self, chat_id: str) -> list[str]:
        return [render_numbered(r, self.app.translator.for_language(r.language)) for c, r in self.sent if c == chat_id]


def test_settings(database_url: str, **overrides: object) -> Settings:
    # Scripted chats send far more than 20 messages a (frozen) minute: the inbound limit is off unless a test
    # sets it (tests/handlers/test_strangers_and_floods.py).
    overrides.setdefault("inbound_per_minute", 0)
    # Renders in a thread, where a test can hold or break render_files; the process pool's own tests
    # (tests/summaries/test_render_pool.py) and the benchmarks run the production default, worker processes.
    overrides.setdefault("render_processes", 0)
    return Settings(_env_file=None, database_url=database_url, **overrides)


async def make_app(database_url: str, clock: FakeClock, *, demo: bool = True, **overrides: object) -> App:
    app = await create_app(test_settings(database_url, **overrides), clock=clock)
    if demo:
        async with app.db.transaction() as repos:
            await seed_demo(repos, app.plan, clock())
    return app


@dataclass
class ChatUser:
    """Someone chatting with the bot on a channel; `say` returns the bot's answers as rendered text."""

    app: App
    sender: RecordingSender
    external_id: str
    name: str = "Người thử"
    chat_kind: str = "private"
    chat_id: str | None = None

    async def say(self, text: str = "", *, choice: str | None = None, photo: PhotoIn | None = None,
                  message_id: str | None = None) -> list[str]:
        before = len(self.sender.texts_for(self.target))
        await self.app.handle(self.inbound(text, choice=choice, photo=photo, message_id=message_id))
        await self.app.render_jobs.drain()  # /tonghop's files, rendered after the commit
        await self.app.outbox.drain()
        return self.sender.texts_for(self.target)[before:]

    def inbound(self, text: str = "", *, choice: str | None = None, photo: PhotoIn | None = None,
                message_id: str | None = None) -> Inbound:
        return Inbound(channel=self.sender.channel, chat_id=self.target, sender_id=self.external_id,
                       message_id=message_id or f"m{next(_message_ids)}", received_at=self.app.clock(),
                       kind="photo" if photo else "text", chat_kind=self.chat_kind, sender_name=self.name,
                       text=text, choice=choice, photo=photo)

    @property
    def target(self) -> str:
        return self.chat_id or self.external_id


def attach_recorder(app: App, channel: str = "console") -> RecordingSender:
    sender = RecordingSender(app, channel)
    app.add_sender(sender)
    return sender


async def invite_code(app: App, role: str = "reporter", unit: str | None = "Thôn Nà Pài (mẫu)",
                      ttl: timedelta | None = None) -> str:
    """A fresh invite code for the demo commune: for `role`, to `unit` (a demo unit's full name, or None)."""
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        unit_row = await repos.directory.unit_by_name(commune.id, unit) if unit else None
        return await create_invite(repos, commune_id=commune.id, role=role, unit_id=unit_row.id if unit_row else None,
                                   now=app.clock(), ttl=ttl or app.pipeline.settings.invite_ttl)
