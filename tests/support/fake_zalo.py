"""A fake Zalo Bot API on 127.0.0.1, following docs/zalo-bot-api.md: 408 when idle, one update per call."""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web

TEXT_LIMIT = 2000
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
_ids = itertools.count(1)


def new_message_id() -> str:
    return secrets.token_hex(10)  # 20 hex characters, as Zalo's


@dataclass
class SentMessage:
    method: str
    chat_id: str
    text: str = ""
    photo: str = ""


@dataclass
class FakeZalo:
    """The platform: queue updates for getUpdates (or deliver them to a webhook), record what the bot sends."""

    token: str = "1234567890:fake-SECRET-token-abcdef"
    idle_wait: float = 0.05  # how long an idle getUpdates is held before 408 (real: `timeout` seconds)
    replay: bool = False  # serve every update twice, as one recorded account reports
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_error_status: int | None = None  # 400 or 409: what getUpdates answers while a webhook is set
    sent: list[SentMessage] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    chat_actions: list[tuple[str, str]] = field(default_factory=list)  # (chat id, action) of each sendChatAction
    failures: list[tuple[int, str]] = field(default_factory=list)  # injected answers for the next send calls
    poll_failures: list[tuple[int, str]] = field(default_factory=list)  # injected answers for the next polls
    # method → raw answers (status, body, content type) for its next calls, before anything else is looked at
    scripted: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)
    accept_then_fail: list[int] = field(default_factory=list)  # statuses for sends recorded (delivered) anyway
    media: dict[str, bytes] = field(default_factory=dict)
    big_media: dict[str, int] = field(default_factory=dict)  # name → size served without content-length

    def __post_init__(self) -> None:
        self._queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.served: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> FakeZalo:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_post("/bot{token}/{method}", self._api)
        app.router.add_get("/media/{name}", self._media)
        self._runner = web.AppRunner(app, access_log=None)
        self._http = httpx.AsyncClient(timeout=30)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._http.aclose()
            await self._runner.cleanup()

    # --- what the test does -------------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        self._queue.put_nowait(update)
        if self.replay:
            self._queue.put_nowait(update)

    def fail_next(self, count: int, status: int = 429, description: str = "Quota exceeded") -> None:
        self.failures.extend([(status, description)] * count)

    def media_url(self, name: str) -> str:
        return f"{self.url}/media/{name}"

    def texts_to(self, chat_id: str) -> list[str]:
        return [m.text for m in self.sent if m.chat_id == chat_id]

    @property
    def pending(self) -> int:
        return self._queue.qsize()

    async def deliver(self, update: Any, *, wrapped: bool = True, secret: str | None = None,
                      raw: bytes | None = None) -> int:
        """POST one update to the registered webhook as Zalo would; returns the HTTP status."""
        body = raw if raw is not None else json.dumps({"ok": True, "result": update} if wrapped else update).encode()
        headers = {"X-Bot-Api-Secret-Token": self.webhook_secret if secret is None else secret,
                   "Content-Type": "application/json"}
        response = await self._http.post(self.webhook_url, content=body, headers=headers)
        return response.status_code

    # --- the API --------------------------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        self.calls.append(method)
        if self.scripted.get(method):
            status, text, content_type = self.scripted[method].pop(0)
            return web.Response(status=status, text=text, content_type=content_type)
        try:
            body = await request.json() if await request.read() else {}
        except ValueError:
            return _error(400, "Bad Request")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, "Not Found")
        return await handler(body)

    async def _m_getMe(self, _body: dict) -> web.Response:
        return _ok({"id": self.token.split(":")[0], "account_name": "bot.mttq", "account_type": "BASIC",
                    "can_join_groups": True, "display_name": "MTTQ Nam Cường"})

    async def _m_getUpdates(self, body: dict) -> web.Response:
        if self.webhook_url:
            return _error(self.webhook_error_status or 409, "Conflict: webhook is active")
        if self.poll_failures:
            status, text = self.poll_failures.pop(0)
            return web.Response(status=status, text=text, content_type="application/json")
        try:
            update = await asyncio.wait_for(self._queue.get(), min(self.idle_wait, float(body.get("timeout", 30))))
        except TimeoutError:
            return _error(408, "Request timeout")
        self.served.append(update)
        return _ok(update)

    async def _m_setWebhook(self, body: dict) -> web.Response:
        secret = body.get("secret_token", "")
        if not str(body.get("url", "")).startswith(("https://", "http://127.0.0.1")) or not 8 <= len(secret) <= 256:
            return _error(400, "Bad Request")
        self.webhook_url, self.webhook_secret = body["url"], secret
        return _ok({"url": self.webhook_url, "updated_at": 1750316131602})

    async def _m_deleteWebhook(self, _body: dict) -> web.Response:
        self.webhook_url = ""
        return _ok({"url": "", "updated_at": 1750316131602})

    async def _m_getWebhookInfo(self, _body: dict) -> web.Response:
        if not self.webhook_url:
            return _error(404, "Not Found")
        return _ok({"url": self.webhook_url, "updated_at": 1750316131602})

    async def _m_sendMessage(self, body: dict) -> web.Response:
        text = body.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT or not body.get("chat_id"):
            return _error(400, "Bad Request: text must be 1-2000 characters")
        return self._record(SentMessage("sendMessage", str(body["chat_id"]), text=text))

    async def _m_sendPhoto(self, body: dict) -> web.Response:
        caption = body.get("caption", "")
        if not str(body.get("photo", "")).startswith("http") or len(caption) > TEXT_LIMIT:
            return _error(400, "Bad Request")
        return self._record(SentMessage("sendPhoto", str(body["chat_id"]), text=caption, photo=body["photo"]))

    async def _m_sendChatAction(self, body: dict) -> web.Response:
        self.chat_actions.append((str(body.get("chat_id")), str(body.get("action"))))
        return web.json_response({"ok": True})

    def script(self, method: str, status: int, body: str | dict, count: int = 1) -> None:
        """The next `count` calls of `method` get this raw answer (a dict is sent as JSON, a str as HTML)."""
        kind, text = ("application/json", json.dumps(body)) if isinstance(body, dict) else ("text/html", body)
        self.scripted.setdefault(method, []).extend([(status, text, kind)] * count)

    def _record(self, message: SentMessage) -> web.Response:
        if self.failures:
            status, description = self.failures.pop(0)
            return _error(status, description)
        self.sent.append(message)
        if self.accept_then_fail:  # Zalo took the message, then a proxy in between answered an error page
            return web.Response(status=self.accept_then_fail.pop(0), text="<html>502 Bad Gateway</html>",
                                content_type="text/html")
        return _ok({"message_id": new_message_id(), "date": 1750316131602 + next(_ids)})

    async def _media(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name in self.big_media:  # streamed without a content-length, so only counting can stop it
            response = web.StreamResponse()
            response.enable_chunked_encoding()
            await response.prepare(request)
            chunk = b"\0" * 65536
            for _ in range(self.big_media[name] // len(chunk) + 1):
                try:
                    await response.write(chunk)
                except (ConnectionResetError, RuntimeError):
                    break
            return response
        if name not in self.media:
            return web.Response(status=404)
        return web.Response(body=self.media[name], content_type="image/jpeg")


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result, "error_code": 0})


def _error(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": status, "description": description}, status=status)


def text_update(chat_id: str, text: str, *, sender_id: str | None = None, name: str = "Trưởng thôn",
                chat_type: str = "PRIVATE", message_id: str | None = None, date: int = 1795568400000) -> dict:
    """A real-shaped message.text.received update."""
    return {"event_name": "message.text.received", "message": {
        "message_id": message_id or new_message_id(), "date": date,
        "from": {"id": sender_id or chat_id, "display_name": name, "is_bot": False},
        "chat": {"id": chat_id, "chat_type": chat_type}, "text": text}}


def image_update(chat_id: str, url: str, *, caption: str = "", message_id: str | None = None) -> dict:
    return {"event_name": "message.image.received", "message": {
        "message_id": message_id or new_message_id(), "date": 1795568400000,
        "from": {"id": chat_id, "display_name": "Trưởng thôn", "is_bot": False},
        "chat": {"id": chat_id, "chat_type": "PRIVATE"}, "photo_url": url, "caption": caption}}
