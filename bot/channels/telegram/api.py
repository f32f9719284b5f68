"""The python-telegram-bot `Bot` pointed at TELEGRAM_API_BASE, and its errors in the outbox's terms."""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.channels.base import ChatGoneError, PermanentSendError, SendError, TemporarySendError
from bot.channels.tls import shared_tls_context

CONNECTIONS = 16  # concurrent sends; Telegram answers in ~100 ms, so 30 msg/s needs several at once
# Bad requests that mean the chat itself is gone, not that this one message was wrong.
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "group chat was deactivated",
         "bot is not a member", "have no rights to send")


def make_bot(token: str, api_base: str, *, poll_timeout: float = 25) -> Bot:
    """A Bot on `api_base` (Telegram, a local Bot API server, or the tests' fake); no Application around it."""
    quiet_library_logs()
    tls = {"verify": shared_tls_context()}  # one CA bundle load for both clients (and Zalo's)
    return Bot(token, base_url=f"{api_base}/bot", base_file_url=f"{api_base}/file/bot",
               request=HTTPXRequest(connection_pool_size=CONNECTIONS, read_timeout=20, write_timeout=30,
                                    pool_timeout=60, httpx_kwargs=tls),
               get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=poll_timeout + 10,
                                                httpx_kwargs=tls))


def quiet_library_logs() -> None:
    """httpx logs every URL at INFO and PTB logs its base URL at DEBUG: both contain the token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(logging.INFO)


def redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


def retry_seconds(exc: RetryAfter) -> float:
    """RetryAfter.retry_after, whichever type this PTB version returns (int today, timedelta later)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def as_send_error(exc: TelegramError, token: str = "") -> SendError:
    """Map a PTB error to what the outbox does next: retry later, give up, or mark the chat gone."""
    message = redact(str(exc), token)[:300]
    if isinstance(exc, RetryAfter):
        return TemporarySendError(f"Telegram flood control: {message}", retry_after=retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return ChatGoneError(f"Telegram refused: {message}")
    if isinstance(exc, ChatMigrated):  # the sender moves the chat first (migration.py): then try the new id
        return TemporarySendError(f"group became supergroup {exc.new_chat_id}", retry_after=0)
    if isinstance(exc, BadRequest):
        gone = any(phrase in message.lower() for phrase in _GONE)
        return (ChatGoneError if gone else PermanentSendError)(f"Telegram bad request: {message}")
    if isinstance(exc, InvalidToken):
        return TemporarySendError("Telegram rejected the bot token (check TELEGRAM_BOT_TOKEN)")
    if isinstance(exc, NetworkError):
        return TemporarySendError(f"Telegram unreachable: {message}")
    return TemporarySendError(f"Telegram error {type(exc).__name__}: {message}")
