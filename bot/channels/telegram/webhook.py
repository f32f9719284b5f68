"""Telegram by webhook: one route on the bot's web server; setWebhook only when the URL differs."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Bot

from bot.channels.base import REQUEST_READ_TIMEOUT, not_recorded

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


def webhook_path(secret: str) -> str:
    """The route; a tag of the secret in it makes the URL change with the secret, so setWebhook runs again."""
    return f"/telegram/webhook/{hashlib.sha256(secret.encode()).hexdigest()[:8]}"


def webhook_handler(process: Callable[[Any], Awaitable[None]], secret: str,
                    on_call: Callable[[], None] | None = None) -> Callable:
    """Check the secret header in constant time before reading the body; answer 200 only once handled."""
    expected = secret.encode()

    async def handle(request: web.Request) -> web.Response:
        # aiohttp keeps undecodable header bytes as surrogates: compare the bytes as sent (a mismatch, never a 500)
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            log.warning("Telegram webhook: wrong or missing secret from %s", request.remote)
            return web.Response(status=403)
        if on_call is not None:  # liveness: Telegram reached us with the right secret
            on_call()
        try:
            async with asyncio.timeout(REQUEST_READ_TIMEOUT):
                data = await request.json()
        except (ValueError, UnicodeDecodeError, RecursionError):  # not JSON, or nested beyond reason
            log.warning("Telegram webhook: body is not JSON; skipped")
            return web.Response(status=200)  # it would never parse: a retry would not help
        except TimeoutError:
            log.warning("Telegram webhook: body not sent within %.0f s, dropped", REQUEST_READ_TIMEOUT)
            return web.Response(status=408)
        try:
            await process(data)
        except Exception as exc:  # neither the update nor its failure is in the database: Telegram must redeliver it
            if not not_recorded(exc):
                raise
            log.warning("Telegram webhook: update not recorded (database unavailable); answering 500")
            return web.Response(status=500)
        return web.Response(status=200)  # any other exception is also a 500, and Telegram sends the update again

    return handle


async def ensure_webhook(bot: Bot, url: str, secret: str) -> bool:
    """Point Telegram at `url` unless it already is; True when setWebhook was called."""
    info = await bot.get_webhook_info()
    if info.url == url:
        return False
    await bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
    log.info("Telegram webhook set")
    return True


async def drop_webhook(bot: Bot) -> bool:
    """Switching to polling: getUpdates is refused while a webhook is set."""
    info = await bot.get_webhook_info()
    if not info.url:
        return False
    await bot.delete_webhook(drop_pending_updates=False)
    log.info("Telegram webhook removed (polling instead)")
    return True
