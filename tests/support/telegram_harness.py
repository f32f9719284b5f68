"""The real app with its Telegram channel, talking to the fake Bot API over loopback (polling or webhook)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp.test_utils import TestClient, TestServer

from bot.app import App
from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_path
from support.app import FakeClock, invite_code, make_app
from support.fake_telegram import FakeTelegram, photo_update, press_update, text_update

TOKEN = "123456789:AAFake-TEST_token_value_0123456789ab"
SECRET = "webhook-secret_0123456789"
SETTLE_SECONDS = 5.0  # the most a test waits for the polling loop to pick up an update (usually milliseconds)
# Flood limits out of the way for conversation tests (the flood test sets its own).
FAST_LIMITS = {"telegram_private_per_second": 1000, "telegram_group_per_minute": 60_000,
               "telegram_max_per_second": 1000}


@dataclass
class Harness:
    app: App
    fake: FakeTelegram
    channel: TelegramChannel
    clock: FakeClock
    web: TestClient | None = None  # set in webhook mode

    async def deliver(self, update: dict) -> int:
        """Hand one update to the bot (webhook POST or the polling loop), then send what it queued."""
        update.setdefault("update_id", self.fake.next_update_id())
        if self.web is not None:
            response = await self.web.post(webhook_path(SECRET), json=update, headers={SECRET_HEADER: SECRET})
            assert response.status == 200
        else:
            self.fake.push(update)
            await self._settled(update["update_id"])
        await self.app.render_jobs.drain()  # /tonghop's files, rendered after the commit
        await self.app.outbox.drain()
        await self.channel.sender.settled()  # the old buttons taken off, aside from the lane
        return update["update_id"]

    async def _settled(self, update_id: int) -> None:
        async with asyncio.timeout(SETTLE_SECONDS):
            while (self.channel.poller.offset or 0) <= update_id:
                await asyncio.sleep(0.002)

    async def invite(self, role: str = "reporter", unit: str | None = "Thôn Nà Pài (mẫu)") -> str:
        return await invite_code(self.app, role, unit)


@dataclass
class TgUser:
    """A person chatting with the bot in Telegram; each action returns the texts the bot sent back."""

    h: Harness
    user_id: int
    name: str = "Nguyễn Văn An"

    async def say(self, text: str) -> list[str]:
        return await self._after(text_update(self.user_id, text, name=self.name))

    async def send_photo(self, file_id: str, content: bytes) -> list[str]:
        self.h.fake.files[file_id] = content
        return await self._after(photo_update(self.user_id, file_id))

    async def press(self, label: str) -> list[str]:
        """Press the button (of the newest menu) whose text contains `label`."""
        message_id, buttons = self.h.fake.last_keyboard(self.user_id)
        button = next(b for b in buttons if label in b["text"])
        return await self.press_data(message_id, button["callback_data"])

    async def press_data(self, message_id: int, data: str) -> list[str]:
        sent = [c for c in self.h.fake.of("sendMessage", self.user_id) if c.params["_message_id"] == message_id]
        return await self._after(press_update(self.user_id, message_id, data, sent[0].params["text"] if sent else ""))

    async def _after(self, update: dict) -> list[str]:
        before = len(self.h.fake.texts(self.user_id))
        await self.h.deliver(update)
        return self.h.fake.texts(self.user_id)[before:]


@contextlib.asynccontextmanager
async def telegram_bot(database_url: str, clock: FakeClock, *, webhook: bool = False, fake: FakeTelegram | None = None,
                       **overrides: object) -> AsyncIterator[Harness]:
    """The app on a fresh database (demo commune) with Telegram started against a fake server: a fresh one, or
    `fake` (not started yet) when the test sets up what it answers at start."""
    fake = await (fake or FakeTelegram(TOKEN)).start()
    if webhook:
        overrides.update(public_base_url="https://bot.example.org", webhook_secret=SECRET)
    app = await make_app(database_url, clock, telegram_bot_token=TOKEN, telegram_api_base=fake.url,
                         telegram_poll_timeout=1, telegram_retry_seconds=0.01, **{**FAST_LIMITS, **overrides})
    channel = TelegramChannel(app.channel_host(app.settings.telegram_section()))
    app.add_sender(channel.sender)
    started = await channel.start()
    tasks = [asyncio.create_task(task() if callable(task) else task) for task in started]
    harness = Harness(app, fake, channel, clock)
    if webhook:  # menus and setWebhook: finished before the first update arrives (the menus' refresher never is)
        await asyncio.gather(*(t for task, t in zip(started, tasks, strict=True) if task != channel._refresh_menus))
        harness.web = TestClient(TestServer(app.web.app))
        await harness.web.start_server()
    try:
        yield harness
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if harness.web is not None:
            await harness.web.close()
        await channel.stop()
        await app.close()
        await fake.stop()
