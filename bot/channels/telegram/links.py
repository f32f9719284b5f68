"""Invite deep links: https://t.me/<bot>?start=<code> registers a reporter in one tap."""

from __future__ import annotations

import logging

from telegram.error import TelegramError

from bot.channels.telegram.api import make_bot
from bot.settings import Settings
from core.invite_codes import normalise_code

log = logging.getLogger(__name__)


def deep_link(username: str, code: str) -> str:
    """Telegram allows only A-Z a-z 0-9 _ - in a start parameter: the code goes without its dashes."""
    return f"https://t.me/{username.lstrip('@')}?start={normalise_code(code)}"


async def bot_username(settings: Settings) -> str | None:
    """TELEGRAM_BOT_USERNAME, else asked from Telegram (getMe) when a token is set, else None."""
    if settings.telegram_bot_username:
        return settings.telegram_bot_username
    if settings.telegram_bot_token is None or not settings.telegram_bot_token.get_secret_value():
        return None
    try:
        async with make_bot(settings.telegram_bot_token.get_secret_value(), settings.telegram_api_base) as bot:
            return bot.username
    except TelegramError as exc:
        log.warning("could not ask Telegram for the bot's name (%s)", type(exc).__name__)
        return None
