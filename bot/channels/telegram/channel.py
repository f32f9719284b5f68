"""The Telegram channel: wires the Bot, the sender, polling or webhook, and turns updates into app.handle calls."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.channels.telegram.api import make_bot, redact
from bot.channels.telegram.limiter import FloodLimiter
from bot.channels.telegram.menu import publish_menus
from bot.channels.telegram.parse import CHANNEL, Membership, Press, parse_update
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.sender import MAX_TEXT, TelegramSender, remove_buttons
from bot.channels.telegram.webhook import drop_webhook, ensure_webhook, webhook_handler, webhook_path
from bot.settings import ConfigError
from core.messages import Inbound, PhotoIn

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)
MAX_DOWNLOAD = 20 * 1024 * 1024  # the Bot API serves files up to 20 MB


class TelegramChannel:
    """Parses updates into Inbound and hands them to the app; the sender renders replies. No business rules."""

    name = CHANNEL

    def __init__(self, app: App, bot: Bot | None = None) -> None:
        settings = app.settings
        self.app = app
        self.token = settings.telegram_bot_token.get_secret_value()
        self.bot = bot or make_bot(self.token, settings.telegram_api_base, poll_timeout=settings.telegram_poll_timeout)
        self.limiter = FloodLimiter(settings.telegram_max_per_second, 1 / settings.telegram_private_per_second,
                                    60 / settings.telegram_group_per_minute)
        self.sender = TelegramSender(self.bot, app.db, app.translator, self.limiter, app.clock, self.token)
        self.username: str | None = settings.telegram_bot_username or None
        self.poller = Poller(self.bot, self.process, timeout=settings.telegram_poll_timeout,
                             retry_seconds=settings.telegram_retry_seconds, token=self.token)

    async def start(self) -> list[Awaitable[None]]:
        """Check the token (getMe), then add the webhook route or return the polling loop; menus in background."""
        try:
            await self.bot.initialize()
            self.username = self.bot.username
        except InvalidToken:
            raise ConfigError("TELEGRAM_BOT_TOKEN: rejected by Telegram (check the token from @BotFather)") from None
        except TelegramError as exc:
            log.warning("Telegram unreachable at start (%s); will keep trying", type(exc).__name__)
        tasks: list[Awaitable[None]] = [self._publish_menus()]
        settings = self.app.settings
        if settings.webhooks_enabled:
            secret = settings.webhook_secret.get_secret_value()
            path = webhook_path(secret)
            self.app.web.add_post(path, webhook_handler(self.process, secret))
            tasks.append(self._set_webhook(self.app.web.public_url(path), secret))
        else:
            tasks.append(self._poll())
        return tasks

    async def stop(self) -> None:
        try:
            await self.bot.shutdown()
        except Exception:
            log.info("Telegram shutdown was not clean")

    async def process(self, data: Any) -> None:
        """One update (from getUpdates or the webhook), handled once; returns after the app has committed."""
        parsed = parse_update(data, bot_username=self.username, now=self.app.clock())
        if parsed.skipped:
            log.info("Telegram update %s skipped: %s", parsed.update_id, parsed.skipped)
        if parsed.membership is not None:
            await self._membership(parsed.membership)
        inbound = parsed.inbound
        if parsed.press is not None:
            inbound = await self._press(parsed.press, inbound, str(parsed.update_id))
        if inbound is not None:
            await self.app.handle(inbound, fetch_photo=self.fetch_photo)

    async def fetch_photo(self, photo: PhotoIn) -> bytes | None:
        """getFile + download; called by the pipeline only when a form is waiting for a photo."""
        file = await self.bot.get_file(photo.file_id)
        if file.file_size and file.file_size > MAX_DOWNLOAD:
            return None
        return bytes(await file.download_as_bytearray())

    async def _press(self, press: Press, inbound: Inbound | None, update_id: str) -> Inbound | None:
        """Answer the button press; the current menu's option becomes the message's choice, an old one is refused."""
        pressed, language = None, self.app.translator.default_language
        if inbound is not None:
            async with self.app.db.transaction() as repos:
                if press.key is not None:
                    pressed = await repos.keyboards.press(CHANNEL, inbound.chat_id, message_id=press.message_id,
                                                          key=press.key, index=press.index, update_id=update_id)
                person = await repos.directory.person_by_identity(CHANNEL, inbound.sender_id)
                language = person.language if person else language
        notice = None if pressed else self.app.translator.for_language(language)("telegram.button_expired")
        await self._answer(press.query_id, notice)
        if inbound is None:
            return None
        if pressed is None:
            await remove_buttons(self.bot, inbound.chat_id, press.message_id)
            return None
        shown = f"{press.message_text}\n\n✓ {pressed.label}"
        await remove_buttons(self.bot, inbound.chat_id, press.message_id,
                             shown if press.message_text and len(shown) <= MAX_TEXT else None)
        return replace(inbound, choice=pressed.value)

    async def _answer(self, query_id: str, notice: str | None) -> None:
        try:
            await self.bot.answer_callback_query(query_id, text=notice, show_alert=notice is not None)
        except TelegramError as exc:  # too old to answer: the press is still handled
            log.info("answerCallbackQuery failed (%s)", type(exc).__name__)

    async def _membership(self, change: Membership) -> None:
        """Added to a group: remember the chat; removed, or blocked by a person: stop sending there."""
        async with self.app.db.transaction() as repos:
            if change.active and change.chat_kind == "group":
                await repos.chats.remember(CHANNEL, change.chat_id, "group", title=change.title)
            else:
                await repos.chats.set_active(CHANNEL, change.chat_id, active=change.active)
        log.info("Telegram chat %s is now %s", change.chat_id, "active" if change.active else "inactive")

    async def _poll(self) -> None:
        try:
            await drop_webhook(self.bot)
        except TelegramError as exc:
            log.warning("could not check the Telegram webhook (%s)", redact(str(exc), self.token)[:200])
        await self.poller.run()

    async def _set_webhook(self, url: str | None, secret: str) -> None:
        try:
            await ensure_webhook(self.bot, url, secret)
        except TelegramError as exc:
            log.error("setWebhook failed: %s", redact(str(exc), self.token)[:200])

    async def _publish_menus(self) -> None:
        await publish_menus(self.bot, self.app.db, self.app.translator)
