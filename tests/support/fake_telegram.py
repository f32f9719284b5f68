"""A fake Telegram Bot API on 127.0.0.1 (aiohttp): the methods the bot calls, recorded; 429s on demand.

It can also enforce flood limits (answering 429 like Telegram) so the sender's limiter is measured.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_ID, BOT_USERNAME = 7000000001, "mttq_test_bot"
_JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "scope", "link_preview_options", "offset", "timeout",
                "limit", "chat_id", "message_id", "show_alert", "drop_pending_updates", "max_connections"}
SENDS = ("sendMessage", "sendPhoto", "sendDocument")


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    files: dict[str, bytes] = field(default_factory=dict)
    ok: bool = True  # False when the fake refused it (429, 403)


@dataclass
class FloodRules:
    """Telegram's limits as the fake enforces them; `slack` forgives that much timing jitter (a fraction)."""

    per_second: float
    private_interval: float
    group_interval: float
    slack: float = 0.25


class FakeTelegram:
    """Start with `await fake.start()`; `fake.url` is the TELEGRAM_API_BASE to use."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.updates: list[dict] = []
        self.files: dict[str, bytes] = {}
        self.webhook_url = ""
        self.blocked: set[int] = set()
        self.flood: FloodRules | None = None
        self.monotonic = time.monotonic  # when a call arrives, for the flood rules (a test may give a virtual clock)
        self.too_many = 0
        self.refusals: list[str] = []  # why each flood 429 was given
        self.download_delay = 0.0  # seconds a file download takes (a slow platform)
        self.migrated: dict[int, int] = {}  # a group's old id → its supergroup's: sends to the old id get 400
        # per method, what its next calls get: None (goes through) or (status, retry_after)
        self._failures: dict[str, deque[tuple[int, int | None] | None]] = defaultdict(deque)
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._sent_at: dict[int, float] = {}
        self._recent: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        app.router.add_get("/file/bot{token}/{path:.*}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._new_update.set()  # release a long poll in progress, so shutdown does not wait for it
        if self._runner is not None:
            await self._runner.cleanup()

    # ---- what tests set up
    def push(self, update: dict) -> dict:
        """Queue an update for getUpdates (its update_id is given when missing)."""
        update.setdefault("update_id", next(self._update_ids))
        self.updates.append(update)
        self._new_update.set()
        return update

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def fail_next(self, method: str, *, retry_after: int | None = None, status: int = 429, times: int = 1,
                  after: int = 0) -> None:
        """The next `times` calls of `method` (once `after` more have gone through) fail: 429 with this
        retry_after, or another `status` (502: Telegram's "Bad Gateway")."""
        self._failures[method].extend([None] * after + [(status, retry_after)] * times)

    # ---- what tests read
    def of(self, method: str, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method == method and (chat_id is None or c.params.get("chat_id") == chat_id)]

    def texts(self, chat_id: int) -> list[str]:
        return [c.params.get("text") or c.params.get("caption") or "" for c in self.calls
                if c.method in SENDS and c.ok and c.params.get("chat_id") == chat_id]

    def last_keyboard(self, chat_id: int) -> tuple[int, list[dict]]:
        """(message id, buttons) of the newest message with buttons sent to this chat."""
        for call in reversed(self.of("sendMessage", chat_id)):
            markup = call.params.get("reply_markup")
            if markup:
                return call.params["_message_id"], [row[0] for row in markup["inline_keyboard"]]
        raise AssertionError(f"no keyboard sent to {chat_id}")

    # ---- the API
    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(404, "Not Found")
        method = request.match_info["method"]
        params, files = await _read_params(request)
        call = Call(method, params, self.monotonic(), files)
        if method != "getUpdates":
            self.calls.append(call)
        if self._failures[method] and (failure := self._failures[method].popleft()) is not None:
            call.ok = False
            status, retry_after = failure
            description = "Too Many Requests: retry after" if status == 429 else "Bad Gateway"
            return _error(status, description, retry_after=retry_after)
        if method in SENDS:
            refusal = self._refuse_send(params.get("chat_id"), call.at)
            if refusal is not None:
                call.ok = False
                return refusal
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method}")
        result = await handler(params, call)
        return web.json_response({"ok": True, "result": result})

    def _refuse_send(self, chat_id: int | None, now: float) -> web.Response | None:
        if chat_id in self.blocked:
            return _error(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.migrated:
            return web.json_response({"ok": False, "error_code": 400, "parameters": {
                "migrate_to_chat_id": self.migrated[chat_id]},
                "description": "Bad Request: group chat was upgraded to a supergroup chat"}, status=400)
        if self.flood is None:
            return None
        rules = self.flood
        interval = rules.group_interval if chat_id < 0 else rules.private_interval
        window = 1.0 * (1 - rules.slack)
        while self._recent and self._recent[0] <= now - window:
            self._recent.popleft()
        too_soon = now - self._sent_at.get(chat_id, -1e9) < interval * (1 - rules.slack)
        if too_soon or len(self._recent) >= rules.per_second:
            self.too_many += 1
            self.refusals.append(f"chat {chat_id}: {'too soon' if too_soon else 'over the overall rate'}")
            return _error(429, "Too Many Requests: retry after 1", retry_after=1)
        self._sent_at[chat_id] = now
        self._recent.append(now)
        return None

    async def _m_getMe(self, params: dict, call: Call) -> dict:
        return {"id": BOT_ID, "is_bot": True, "first_name": "MTTQ", "username": BOT_USERNAME,
                "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": False}

    async def _m_getUpdates(self, params: dict, call: Call) -> list[dict]:
        offset = params.get("offset") or 0
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates and params.get("timeout"):
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), params["timeout"])
        return list(self.updates)

    async def _m_sendMessage(self, params: dict, call: Call) -> dict:
        return self._message(params, call, text=params.get("text"))

    async def _m_sendPhoto(self, params: dict, call: Call) -> dict:
        photo = [{"file_id": "sent-photo", "file_unique_id": "u", "width": 1, "height": 1}]
        return self._message(params, call, photo=photo, caption=params.get("caption"))

    async def _m_sendDocument(self, params: dict, call: Call) -> dict:
        name = next(iter(call.files), "document")
        return self._message(params, call, document={"file_id": "sent-doc", "file_unique_id": "d", "file_name": name},
                             caption=params.get("caption"))

    async def _m_editMessageText(self, params: dict, call: Call) -> dict:
        return {"message_id": params["message_id"], "date": int(time.time()), "text": params.get("text"),
                "chat": _chat(params["chat_id"])}

    async def _m_editMessageReplyMarkup(self, params: dict, call: Call) -> dict:
        return {"message_id": params["message_id"], "date": int(time.time()), "chat": _chat(params["chat_id"])}

    async def _m_answerCallbackQuery(self, params: dict, call: Call) -> bool:
        return True

    async def _m_setMyCommands(self, params: dict, call: Call) -> bool:
        return True

    async def _m_deleteMyCommands(self, params: dict, call: Call) -> bool:
        return True

    async def _m_sendChatAction(self, params: dict, call: Call) -> bool:
        return True

    async def _m_getFile(self, params: dict, call: Call) -> dict:
        file_id = params["file_id"]
        if file_id not in self.files:
            return {"file_id": file_id, "file_unique_id": file_id}  # no path: nothing to download
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(self.files[file_id]),
                "file_path": f"photos/{file_id}.jpg"}

    async def _m_getWebhookInfo(self, params: dict, call: Call) -> dict:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}

    async def _m_setWebhook(self, params: dict, call: Call) -> bool:
        self.webhook_url = params["url"]
        return True

    async def _m_deleteWebhook(self, params: dict, call: Call) -> bool:
        self.webhook_url = ""
        return True

    async def _download(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.download_delay)
        file_id = request.match_info["path"].removeprefix("photos/").removesuffix(".jpg")
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="image/jpeg")

    def _message(self, params: dict, call: Call, **content: Any) -> dict:
        message_id = next(self._message_ids)
        params["_message_id"] = message_id
        message = {"message_id": message_id, "date": int(time.time()), "chat": _chat(params["chat_id"])}
        message.update({k: v for k, v in content.items() if v is not None})
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message


async def _read_params(request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        return dict(await request.json()), files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[value.filename or key] = value.file.read()
            params[key] = f"<file {value.filename}>"
        elif key in _JSON_FIELDS:
            params[key] = json.loads(value)
        else:
            params[key] = value
    return params, files


def _chat(chat_id: int) -> dict:
    return {"id": chat_id, "type": "supergroup", "title": "Nhóm"} if chat_id < 0 else {"id": chat_id, "type": "private"}


def _error(code: int, description: str, *, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
        body["description"] = f"{description} {retry_after}"
    return web.json_response(body, status=code)


# ---- update builders (real-shaped payloads)
def user(user_id: int, name: str = "Nguyễn Văn An", language: str = "vi") -> dict:
    return {"id": user_id, "is_bot": False, "first_name": name, "language_code": language}


def text_update(user_id: int, text: str, *, chat: dict | None = None, name: str = "Nguyễn Văn An") -> dict:
    chat = chat or {"id": user_id, "type": "private", "first_name": name}
    message = {"message_id": 1, "date": int(time.time()), "chat": chat, "from": user(user_id, name), "text": text}
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": message}


def photo_update(user_id: int, file_id: str, caption: str = "") -> dict:
    sizes = [{"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 67, "file_size": 1000},
             {"file_id": file_id, "file_unique_id": "l", "width": 1280, "height": 960, "file_size": 90000}]
    message = {"message_id": 2, "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
               "from": user(user_id), "photo": sizes}
    if caption:
        message["caption"] = caption
    return {"message": message}


def press_update(user_id: int, message_id: int, data: str, text: str = "") -> dict:
    message = {"message_id": message_id, "date": int(time.time()), "chat": {"id": user_id, "type": "private"},
               "from": {"id": BOT_ID, "is_bot": True, "first_name": "MTTQ", "username": BOT_USERNAME}, "text": text}
    return {"callback_query": {"id": f"q{message_id}-{data}", "from": user(user_id), "chat_instance": "ci",
                               "message": message, "data": data}}
