"""An async client for the ten methods of the Zalo Bot API: one call per call (no retries), answers read by
zalo/errors.py, and no token in logs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from bot.channels.tls import shared_tls_context
from bot.channels.zalo.errors import (  # noqa: F401 (re-exported: the errors callers catch)
    Action,
    Answer,
    ZaloConfigError,
    ZaloError,
    ZaloRateLimited,
    ZaloRecipientGone,
    ZaloTimeout,
    ZaloTransientError,
    ZaloWebhookActive,
    ZaloWrongBase,
    action_for,
    error_for,
)

log = logging.getLogger(__name__)
DEFAULT_BASE = "https://bot-api.zaloplatforms.com"
# Seconds a call other than getUpdates may take. A hung send holds the outbox lane (one, by default), so
# every other chat's replies wait as long as this: short, unlike a long poll's read (its `timeout` + 10 s).
SEND_TIMEOUT = 10.0
# Libraries that may log a request URL (which holds the token): their records pass through a redacting filter.
_HTTP_LOGGERS = ("httpx", "httpcore", "httpcore.connection", "httpcore.http11", "httpcore.http2", "httpcore.proxy")


@dataclass(frozen=True, slots=True)
class BotInfo:
    id: str
    account_name: str
    display_name: str
    can_join_groups: bool


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: str
    date: int


def account_of(token: str) -> str:
    """The token's public part (the bot's numeric id), safe to store and print."""
    head = token.split(":", 1)[0]
    return head if head.isdigit() else "bot"


class RedactingFilter(logging.Filter):
    """Replaces the token in a log record's final text, whatever logged it."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self.secret = secret

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.secret in message:
            record.msg, record.args = message.replace(self.secret, "<token>"), None
        return True


class ZaloClient:
    """One pooled HTTP client for one bot token; tests point `base_url` at a fake server."""

    def __init__(self, token: str, base_url: str = DEFAULT_BASE, *, poll_timeout: int = 30,
                 send_timeout: float = SEND_TIMEOUT, http: httpx.AsyncClient | None = None) -> None:
        self._token = token
        self.account = account_of(token)
        self.base_url = base_url.rstrip("/")
        self.poll_timeout = poll_timeout
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(send_timeout),
                                               limits=httpx.Limits(max_connections=10), verify=shared_tls_context())
        self._filter = RedactingFilter(token)
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).addFilter(self._filter)

    def redact(self, text: str) -> str:
        return text.replace(self._token, "<token>")

    async def close(self) -> None:
        await self._http.aclose()
        for name in _HTTP_LOGGERS:
            logging.getLogger(name).removeFilter(self._filter)

    async def get_me(self) -> BotInfo:
        result = _mapping(await self.call("getMe"), "getMe")
        return BotInfo(id=str(result.get("id", "")), account_name=str(result.get("account_name", "")),
                       display_name=str(result.get("display_name") or result.get("account_name") or ""),
                       can_join_groups=bool(result.get("can_join_groups", False)))

    async def get_updates(self, timeout: int | None = None) -> dict[str, Any] | None:
        """The next update, or None when the server had nothing (HTTP 408). Not retried: the loop polls again."""
        wait = self.poll_timeout if timeout is None else timeout
        # The read timeout must outlast the long poll: the server holds getUpdates for `timeout` seconds.
        read = httpx.Timeout(self._http.timeout.connect, read=wait + 10.0)
        result = await self.call("getUpdates", {"timeout": wait}, idle_ok=True, timeout=read)
        if isinstance(result, list):  # tolerate a Telegram-like list, should the API ever return one
            result = result[0] if result else None
        return result if isinstance(result, dict) else None

    async def set_webhook(self, url: str, secret_token: str) -> dict[str, Any]:
        return _mapping(await self.call("setWebhook", {"url": url, "secret_token": secret_token}), "setWebhook")

    async def delete_webhook(self) -> dict[str, Any]:
        return _mapping(await self.call("deleteWebhook"), "deleteWebhook")

    async def get_webhook_info(self) -> str:
        """The webhook URL now set, "" when none (the API answers 404 then)."""
        try:
            result = await self.call("getWebhookInfo")
        except ZaloError as exc:
            if type(exc) is ZaloError and exc.status == 404:  # Zalo's JSON 404, not a proxy's page
                return ""
            raise
        return str(result.get("url") or "") if isinstance(result, dict) else ""

    async def send_message(self, chat_id: str, text: str) -> Sent:
        return _sent(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo_url: str, caption: str = "") -> Sent:
        body = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            body["caption"] = caption
        return _sent(await self.call("sendPhoto", body))

    async def send_sticker(self, chat_id: str, sticker: str) -> Sent:
        return _sent(await self.call("sendSticker", {"chat_id": chat_id, "sticker": sticker}))

    async def send_voice(self, chat_id: str, voice_url: str) -> Sent:
        return _sent(await self.call("sendVoice", {"chat_id": chat_id, "voice_url": voice_url}))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def call(self, method: str, body: dict[str, Any] | None = None, *, idle_ok: bool = False,
                   timeout: httpx.Timeout | None = None) -> Any:
        """POST one method, once. Nothing is retried here: a send Zalo accepted behind a 502 or a timeout would go
        out twice and never be counted. The outbox retries sends (one call per attempt, each accepted one counted
        in the budget); the poller and the channel retry getUpdates, getMe and setWebhook with their own backoff."""
        return await self._call_once(method, body or {}, idle_ok, timeout)

    async def _call_once(self, method: str, body: dict[str, Any], idle_ok: bool, timeout: httpx.Timeout | None) -> Any:
        url = f"{self.base_url}/bot{self._token}/{method}"
        try:
            if timeout is None:
                response = await self._http.post(url, json=body)
            else:
                response = await self._http.post(url, json=body, timeout=timeout)
        except httpx.HTTPError as exc:
            # httpx errors can carry the URL: keep only the kind and a redacted text, and drop the chain.
            kind = ZaloTimeout if isinstance(exc, httpx.TimeoutException) else ZaloTransientError
            raise kind(method, 0, self.redact(f"{type(exc).__name__}: {exc}")[:200]) from None
        envelope = _envelope(response)
        answer = _answer(response.status_code, envelope, self.redact)
        action = action_for(method, answer)
        if action is Action.OK:
            return envelope.get("result") if envelope else None
        if action is Action.IDLE and idle_ok:
            return None
        raise error_for(method, answer, action)


def _answer(status: int, envelope: dict[str, Any] | None, redact: Callable[[str], str]) -> Answer:
    """The status and, when the body is Zalo's JSON envelope, what it says (description redacted, cut short)."""
    if envelope is None:
        return Answer(status, json=False, description=f"not JSON (HTTP {status})")
    return Answer(status, json=True, ok=envelope.get("ok") is True,
                  error_code=_int(envelope.get("error_code"), 0),
                  description=redact(str(envelope.get("description") or ""))[:300])


def _envelope(response: httpx.Response) -> dict[str, Any] | None:
    """The body as a JSON object, or None (HTML from a proxy, plain text, an empty body, a JSON list)."""
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _int(value: Any, default: int) -> int:
    try:
        return int(value) or default
    except (TypeError, ValueError):
        return default


def _mapping(result: Any, method: str) -> dict[str, Any]:
    if not isinstance(result, dict):
        raise ZaloError(method, 200, "unexpected result shape")
    return result


def _sent(result: Any) -> Sent:
    result = result if isinstance(result, dict) else {}
    return Sent(message_id=str(result.get("message_id", "")), date=_int(result.get("date"), 0))
