"""Zalo's error table (bot/channels/zalo/errors.py), row by row, then through the client against the fake server at
both layers (HTTP status, and HTTP 200 with `error_code` in the body), HTML pages from a proxy, and what the
sender and the start-up make of each answer."""

from __future__ import annotations

import pytest

from bot.channels.base import ChatGoneError, PermanentSendError, TemporarySendError
from bot.channels.zalo.errors import (
    RULES,
    Action,
    Answer,
    ZaloConfigError,
    ZaloError,
    ZaloRateLimited,
    ZaloRecipientGone,
    ZaloTransientError,
    ZaloWebhookActive,
    ZaloWrongBase,
    action_for,
)
from bot.channels.zalo.quota import ZaloQuota
from bot.channels.zalo.sender import ZaloSender
from core.messages import Reply

USER = "6ede9afa66b88fe6d6a9"
HTML_404 = "<html><body><h1>404 Not Found</h1>nginx</body></html>"


def js(status: int, code: int | None = None, description: str = "x", ok: bool = False) -> Answer:
    return Answer(status, json=True, ok=ok, error_code=status if code is None else code, description=description)


def page(status: int) -> Answer:
    return Answer(status, json=False, description=f"not JSON (HTTP {status})")


TABLE = [  # (method, answer, action): every row of RULES, and both layers of every documented code
    ("sendMessage", js(200, 0, ok=True), Action.OK),
    ("getUpdates", js(408), Action.IDLE),
    ("getUpdates", js(200, 408, "Request timeout"), Action.IDLE),  # 408 in the body of an HTTP 200
    ("getUpdates", page(408), Action.IDLE),
    ("getMe", page(404), Action.WRONG_BASE),
    ("getMe", page(200), Action.WRONG_BASE),
    ("getMe", page(502), Action.WRONG_BASE),
    ("sendMessage", page(404), Action.TRANSIENT),  # an HTML 404: a proxy or a wrong base URL, never "chat gone"
    ("sendMessage", page(502), Action.TRANSIENT),
    ("getUpdates", page(200), Action.TRANSIENT),
    ("getUpdates", js(401), Action.CONFIG),
    ("sendMessage", js(200, 401), Action.CONFIG),
    ("getMe", js(401), Action.CONFIG),
    ("getMe", js(403, description="Internal server error"), Action.TRANSIENT),  # 403 is not a bad token
    ("getUpdates", js(403), Action.TRANSIENT),
    ("sendMessage", js(200, 403), Action.TRANSIENT),
    ("sendMessage", js(408), Action.TRANSIENT),
    ("sendMessage", js(429, description="Quota exceeded"), Action.RATE_LIMITED),
    ("sendMessage", js(200, 429), Action.RATE_LIMITED),
    ("sendMessage", js(500), Action.TRANSIENT),
    ("getUpdates", js(200, 503), Action.TRANSIENT),
    ("getMe", js(500), Action.TRANSIENT),
    ("getUpdates", js(409, description="Conflict: webhook is active"), Action.WEBHOOK_ACTIVE),
    ("getUpdates", js(400, description="webhook is set"), Action.WEBHOOK_ACTIVE),
    ("getUpdates", js(400, description="Bad Request"), Action.REJECTED),
    ("getMe", js(404, description="Not Found"), Action.WRONG_BASE),
    ("getMe", js(400), Action.WRONG_BASE),
    ("getMe", js(200, 0, description="no envelope"), Action.WRONG_BASE),
    ("sendMessage", js(404, description="User not found"), Action.RECIPIENT_GONE),
    ("sendMessage", js(400, description="The user has blocked this bot"), Action.RECIPIENT_GONE),
    ("sendPhoto", js(200, 404, "Người dùng không tồn tại"), Action.RECIPIENT_GONE),
    ("sendMessage", js(404, description="invalid access request"), Action.REJECTED),  # not a reason to deactivate
    ("sendMessage", js(400, description="Bad Request: text must be 1-2000 characters"), Action.REJECTED),
    ("getWebhookInfo", js(404, description="Not Found"), Action.REJECTED),
]


@pytest.mark.parametrize(("method", "answer", "action"), TABLE)
def test_each_answer_means_one_thing(method, answer, action):
    assert action_for(method, answer) is action


def test_the_table_test_reaches_every_row():
    first = {next(rule for rule in RULES if rule.matches(method, answer)).meaning
             for method, answer, _ in TABLE if action_for(method, answer) is not Action.OK}
    assert first == {rule.meaning for rule in RULES}


def envelope(code: int, description: str) -> dict:
    return {"ok": False, "error_code": code, "description": description}


DOCUMENTED = [(400, "Bad Request"), (401, "Unauthorized"), (403, "Internal server error"),
              (404, "invalid access request"), (408, "Request timeout"), (429, "Quota exceeded"),
              (500, "Internal Server Error"), (502, "Bad Gateway")]
ON_POLL = {400: ZaloError, 401: ZaloConfigError, 403: ZaloTransientError, 404: ZaloError, 408: None,
           429: ZaloRateLimited, 500: ZaloTransientError, 502: ZaloTransientError}
ON_SEND = {**ON_POLL, 408: ZaloTransientError}
ON_GET_ME = {**ON_SEND, 400: ZaloWrongBase, 404: ZaloWrongBase}


@pytest.mark.parametrize("layer", ["http", "body"])
@pytest.mark.parametrize(("code", "description"), DOCUMENTED)
async def test_every_documented_error_at_both_layers(fake, client, layer, code, description):
    status = code if layer == "http" else 200
    for method in ("getUpdates", "sendMessage", "getMe"):
        fake.script(method, status, envelope(code, description))
    calls = [("getUpdates", ON_POLL, lambda: client.get_updates(timeout=1)),
             ("sendMessage", ON_SEND, lambda: client.send_message(USER, "xin chào")),
             ("getMe", ON_GET_ME, client.get_me)]
    for method, expected, call in calls:
        error = expected[code]
        if error is None:
            assert await call() is None, method  # an idle poll: no update, no error
            continue
        with pytest.raises(ZaloError) as raised:
            await call()
        assert type(raised.value) is error, (method, layer, code)
    assert not fake.sent


async def test_proxy_pages_and_webhook_conflicts(fake, client):
    fake.script("sendMessage", 404, HTML_404)
    with pytest.raises(ZaloTransientError, match="not JSON"):
        await client.send_message(USER, "x")
    fake.script("getMe", 404, HTML_404)
    with pytest.raises(ZaloWrongBase):
        await client.get_me()
    fake.script("getWebhookInfo", 404, HTML_404)  # "no webhook" only when Zalo's own JSON says 404
    with pytest.raises(ZaloTransientError):
        await client.get_webhook_info()
    assert await client.get_webhook_info() == ""
    fake.webhook_url, fake.webhook_error_status = "https://x.example/hook", 400
    with pytest.raises(ZaloWebhookActive):
        await client.get_updates(timeout=1)


@pytest.mark.parametrize(("status", "body", "outcome"), [
    (404, HTML_404, TemporarySendError),  # a proxy's page: retried later, the chat stays active
    (502, "<html>Bad Gateway</html>", TemporarySendError),
    (403, envelope(403, "Internal server error"), TemporarySendError),
    (404, envelope(404, "invalid access request"), PermanentSendError),
    (404, envelope(404, "User not found"), ChatGoneError),
    (200, envelope(400, "User has blocked the bot"), ChatGoneError),
])
async def test_the_sender_deactivates_a_chat_only_on_zalos_word(fake, client, sqlite_url, clock, status, body,
                                                                outcome):
    from support.app import make_app

    app = await make_app(sqlite_url, clock, demo=False)
    quota = ZaloQuota(app.db.transaction, app.translator, app.clock, app.settings.tz, client.account, 3000)
    sender = ZaloSender(client, app.translator, app.web.file_url, quota)
    fake.script("sendMessage", status, body)
    with pytest.raises(TemporarySendError if outcome is TemporarySendError else PermanentSendError) as raised:
        await sender.send(USER, Reply("xin chào"))
    assert type(raised.value) is outcome
    assert isinstance(raised.value, ChatGoneError) == (outcome is ChatGoneError)
    await app.close()


def test_recipient_words_need_zalos_json():
    assert action_for("sendMessage", Answer(404, json=False, description="User not found")) is Action.TRANSIENT
    assert ZaloRecipientGone.__mro__[1] is ZaloError  # not a transient error: the outbox does not retry it
