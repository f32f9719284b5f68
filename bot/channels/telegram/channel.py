"""The Telegram channel: wires the Bot, the sender, polling or webhook, and hands updates to the host."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.channels.base import ChannelHost, Task, doubling_wait, not_recorded
from bot.channels.health import ChannelHealth
from bot.channels.telegram.api import make_bot, redact
from bot.channels.telegram.limiter import FloodLimiter
from bot.channels.telegram.menu import Menus
from bot.channels.telegram.migration import move_group
from bot.channels.telegram.parse import Press, parse_update
from bot.channels.telegram.platform import CHANNEL, LIMITS
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.sender import TelegramSender, remove_buttons
from bot.channels.telegram.webhook import drop_webhook, ensure_webhook, webhook_handler, webhook_path
from bot.settings import ConfigError, TelegramSection
from core.messages import Inbound, PhotoIn
from core.sanitize import log_safe

log = logging.getLogger(__name__)
MAX_BACKOFF = 300.0  # seconds at most between tries of getMe and setMyCommands while Telegram cannot be reached
MENU_REFRESH_SECONDS = 300.0  # staff menus follow directory changes this soon (one query when nothing changed)
WEBHOOK_RETRY_FIRST, WEBHOOK_RETRY_MAX = 1.0, 60.0  # setWebhook retried 1, 2, 4 … s apart (≤ 1 min) until it works


class TelegramChannel:
    """Parses updates into Inbound and hands them to the app; the sender renders replies. No business rules."""

    name = CHANNEL
    limits = LIMITS

    def __init__(self, host: ChannelHost[TelegramSection], bot: Bot | None = None) -> None:
        settings = host.settings
        self.host = host
        self.token = settings.token
        self.bot = bot or make_bot(self.token, settings.api_base, poll_timeout=settings.poll_timeout)
        self.limiter = FloodLimiter(settings.max_per_second, 1 / settings.private_per_second,
                                    60 / settings.group_per_minute, now=host.clock)
        self.menus = Menus(self.bot, self.limiter, host.transaction, host.translator, host.commands)
        self.sender = TelegramSender(self.bot, host.transaction, host.translator, self.limiter, host.clock, self.token,
                                     self.menus)
        self.username: str | None = settings.username
        self.health = ChannelHealth(CHANNEL, host.clock)
        self.poller = Poller(self.bot, self.process, timeout=settings.poll_timeout,
                             retry_seconds=settings.retry_seconds, token=self.token, health=self.health)

    async def start(self) -> list[Task]:
        """Check the token (getMe), then add the webhook route or return the polling loop. getMe (when Telegram
        cannot be reached at start) and the command menus are retried in the background until they succeed."""
        tasks: list[Task] = []
        if not await self._identify(at_start=True):
            tasks.append(lambda: self._keep_trying(self._identify))
        tasks.append(lambda: self._keep_trying(self._publish_menus))
        tasks.append(self._refresh_menus)
        secret = self.host.settings.webhook_secret
        if secret is not None:
            self.health.use_webhook()
            path = webhook_path(secret)
            self.host.web.add_post(path, webhook_handler(self.process, secret, on_call=self.health.received))
            url = self.host.web.public_url(path)
            tasks.append(lambda: self._set_webhook(url, secret))
        else:
            tasks.append(self._poll)
        return tasks

    async def stop(self) -> None:
        await self.sender.close()
        try:
            await self.bot.shutdown()
        except Exception:
            log.info("Telegram shutdown was not clean")

    async def process(self, data: Any) -> None:
        """One update (from getUpdates or the webhook), handled once; returns after the app has committed."""
        parsed = parse_update(data, bot_username=self.username, now=self.host.clock())
        if parsed.migrated is not None:
            await move_group(self.host.transaction, *parsed.migrated)
        if parsed.skipped:
            log.info("Telegram update %s skipped: %s", log_safe(parsed.update_id), log_safe(parsed.skipped, 200))
        inbound = parsed.inbound
        if parsed.press is not None:
            inbound = await self._press(parsed.press, inbound, str(parsed.update_id))
        if inbound is not None:
            await self.host.handle(inbound, self.fetch_photo)

    async def fetch_photo(self, photo: PhotoIn) -> bytes | None:
        """getFile + download; called by the pipeline only when a form is waiting for a photo."""
        file = await self.bot.get_file(photo.file_id)
        if file.file_size and file.file_size > LIMITS.download_bytes:
            return None
        return bytes(await file.download_as_bytearray())

    async def _press(self, press: Press, inbound: Inbound | None, update_id: str) -> Inbound | None:
        """Answer the button press; the current menu's option becomes the message's choice, an old one is refused."""
        pressed, language = None, self.host.translator.default_language
        if inbound is not None:
            async with self.host.transaction() as repos:
                if press.key is not None:
                    pressed = await repos.keyboards.press(CHANNEL, inbound.chat_id, message_id=press.message_id,
                                                          key=press.key, index=press.index, update_id=update_id)
                person = await repos.directory.person_by_identity(CHANNEL, inbound.sender_id)
                language = person.language if person else language
        notice = None if pressed else self.host.translator.for_language(language)("telegram.button_expired")
        await self._answer(press.query_id, notice)
        if inbound is None:
            return None
        if pressed is None:
            await remove_buttons(self.bot, self.limiter, inbound.chat_id, press.message_id)
            return None
        shown = f"{press.message_text}\n\n✓ {pressed.label}"
        await remove_buttons(self.bot, self.limiter, inbound.chat_id, press.message_id,
                             shown if press.message_text and len(shown) <= LIMITS.text else None)
        return replace(inbound, choice=pressed.value)

    async def _answer(self, query_id: str, notice: str | None) -> None:
        try:
            await self.limiter.call(lambda: self.bot.answer_callback_query(
                query_id, text=notice, show_alert=notice is not None))
        except TelegramError as exc:  # too old to answer: the press is still handled
            log.info("answerCallbackQuery failed (%s)", type(exc).__name__)

    async def _poll(self) -> None:
        try:
            await drop_webhook(self.bot)
        except TelegramError as exc:
            log.warning("could not check the Telegram webhook (%s)", redact(str(exc), self.token)[:200])
        await self.poller.run()

    async def _set_webhook(self, url: str | None, secret: str) -> None:
        """setWebhook, retried with backoff until it succeeds: until then no update arrives (/healthz says so)."""
        failures = 0
        while True:
            try:
                await ensure_webhook(self.bot, url, secret)
            except TelegramError as exc:
                failures += 1
                error = redact(str(exc), self.token)[:200]
                self.health.failed(f"setWebhook: {error}")
                if failures == 1 or failures % 10 == 0:
                    log.error("setWebhook failed (%s); retrying every %.0f s at most (attempt %s)", error,
                              WEBHOOK_RETRY_MAX, failures)
                await asyncio.sleep(doubling_wait(failures, WEBHOOK_RETRY_FIRST, WEBHOOK_RETRY_MAX))
                continue
            self.health.registered()
            return

    async def _identify(self, *, at_start: bool = False) -> bool:
        """getMe: proves the token and learns the username (group commands name it); False to try again later."""
        try:
            await self.bot.initialize()
        except InvalidToken:
            if at_start:
                raise ConfigError("TELEGRAM_BOT_TOKEN", "config.telegram_token_refused") from None
            log.error("Telegram rejects TELEGRAM_BOT_TOKEN; trying again later")
            return False
        except TelegramError as exc:
            log.warning("Telegram getMe failed (%s); trying again in the background", type(exc).__name__)
            return False
        self.username = self.bot.username
        self.health.me_ok = True
        return True

    async def _publish_menus(self) -> bool:
        """Every command menu; True once no call failed (a database fault reading the staff chats is one too)."""
        return await self._menus_step(self.menus.publish)

    async def refresh_menus(self) -> bool:
        """The staff chats' menus brought up to date with the directory (roles, languages, people removed)."""
        return await self._menus_step(self.menus.refresh)

    async def _refresh_menus(self) -> None:
        """Every MENU_REFRESH_SECONDS: a role changed with /nguoi or a directory import reaches the menus."""
        while True:
            await asyncio.sleep(MENU_REFRESH_SECONDS)
            await self.refresh_menus()

    async def _menus_step(self, step: Callable[[], Awaitable[int]]) -> bool:
        try:
            failed = await step()
        except Exception as exc:
            if not not_recorded(exc):
                raise  # a bug: the runner restarts the task and /healthz shows it
            log.warning("Telegram menus not published: the database is unavailable (%s); trying again later",
                        type(exc).__name__)
            return False
        return failed == 0

    async def _keep_trying(self, attempt: Callable[[], Awaitable[bool]]) -> None:
        """Call `attempt` until it succeeds, waiting TELEGRAM_RETRY_SECONDS, then twice as long each time
        (at most MAX_BACKOFF): a Telegram outage at start must not leave the bot nameless or menu-less."""
        delay = self.host.settings.retry_seconds
        while not await attempt():
            await asyncio.sleep(delay)
            delay = min(MAX_BACKOFF, max(2 * delay, 0.01))
