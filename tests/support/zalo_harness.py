"""Running the real app with the Zalo channel against the fake Zalo server, and chatting through it."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from bot.app import App
from bot.channels.zalo import ZaloChannel
from bot.runner import serve
from storage.models import Outbox
from support.app import FakeClock, make_app
from support.fake_zalo import FakeZalo, image_update, text_update

WEBHOOK_SECRET = "s3cret_Webhook-0123456789"
USER = "6ede9afa66b88fe6d6a9"  # a Zalo user id as the platform writes them


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_until(check: Callable[[], Awaitable[bool] | bool], timeout: float = 10.0) -> None:
    """Wait for loopback I/O to finish (not for a schedule): poll `check` every 10 ms."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.01)


async def zalo_app(fake: FakeZalo, database_url: str, clock: FakeClock, *, webhook: bool = False,
                   demo: bool = True, port: int | None = None, **overrides: object) -> App:
    port = port or free_port()
    if webhook:
        overrides.update(public_base_url=f"http://127.0.0.1:{port}", webhook_secret=WEBHOOK_SECRET)
    overrides.setdefault("zalo_api_base", fake.url)
    return await make_app(database_url, clock, demo=demo, zalo_bot_token=fake.token, web_port=port, **overrides)


@asynccontextmanager
async def running(app: App, lock_dir: Path, *, poll_min_interval: float = 0.01) -> AsyncIterator[ZaloChannel]:
    """`mttq-bot run` in miniature: the runner's serve() with the Zalo channel, stopped on exit."""
    channel = ZaloChannel(app.channel_host(app.settings.zalo_section()), poll_min_interval=poll_min_interval,
                          retry_backoff=0.01, lock_dir=lock_dir)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, [channel], stop))
    await wait_until(lambda: task.done() or app.web._runner is not None)
    try:
        yield channel
    finally:
        stop.set()
        await task


@dataclass
class ZaloUser:
    """A person on Zalo: each message goes to the fake platform, and `say` returns the bot's answers."""

    app: App
    fake: FakeZalo
    chat_id: str
    webhook: bool = False

    async def say(self, text: str) -> list[str]:
        return await self.send(text_update(self.chat_id, text))

    async def send_photo(self, url: str, caption: str = "") -> list[str]:
        return await self.send(image_update(self.chat_id, url, caption=caption))

    async def send(self, update: dict) -> list[str]:
        (rows, _), seen = await self._outbox(), len(self.fake.texts_to(self.chat_id))
        if self.webhook:
            assert await self.fake.deliver(update) == 200
        else:
            self.fake.push(update)
        # The first answer reaching the platform is watched in memory; only then is the outbox read (every reply
        # queued is sent). Reading it every 10 ms from the start took SQLite's one writer's turn from the bot
        # and read every row of the chat each time: most of a long walk's time (test_message_lengths).
        await wait_until(lambda: len(self.fake.texts_to(self.chat_id)) > seen)
        await wait_until(lambda: self._answered(rows))
        await self.app.render_jobs.drain()  # /tonghop's files, rendered after the commit (maybe in the background)
        await wait_until(lambda: self._answered(rows))
        return self.fake.texts_to(self.chat_id)[seen:]

    async def _outbox(self) -> tuple[int, int]:
        """(rows, rows not yet sent) of this chat's outbox: counted, not read."""
        query = select(func.count(), func.count().filter(Outbox.status != "sent")).where(
            Outbox.channel == "zalo", Outbox.chat_id == self.chat_id)
        async with self.app.db.transaction() as repos:
            rows, unsent = (await repos.session.execute(query)).one()
        return rows, unsent

    async def _answered(self, before: int) -> bool:
        rows, unsent = await self._outbox()
        return rows > before and not unsent
