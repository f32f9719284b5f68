"""The Zalo client against the fake server: envelopes, 408, fatal 401, one call per call, photo downloads, no token in
logs."""

from __future__ import annotations

import logging

import pytest
from support.fake_zalo import PNG
from support.zalo_harness import USER, ZaloUser, running, wait_until, zalo_app

from bot.channels.zalo.client import (
    ZaloClient,
    ZaloConfigError,
    ZaloError,
    ZaloRateLimited,
    ZaloTransientError,
    account_of,
)
from bot.channels.zalo.media import PhotoDownloader
from core.messages import PhotoIn

SECRET_PART = "fake-SECRET-token-abcdef"


async def test_methods_return_typed_results(fake, client):
    me = await client.get_me()
    assert (me.id, me.display_name, me.can_join_groups) == ("1234567890", "MTTQ Nam Cường", True)
    assert await client.get_updates(timeout=1) is None  # idle: HTTP 408 is "no update", not an error
    assert await client.get_webhook_info() == ""  # none set: HTTP 404
    await client.set_webhook("https://bot.example.vn/zalo/webhook/x", "secret_123")
    assert await client.get_webhook_info() == "https://bot.example.vn/zalo/webhook/x"
    await client.delete_webhook()
    sent = await client.send_message(USER, "Xin chào")
    assert len(sent.message_id) == 20 and sent.date > 0
    await client.send_photo(USER, "https://bot.example.vn/files/t/a.jpg", "Ảnh")
    await client.send_chat_action(USER)
    assert [(m.method, m.text) for m in fake.sent] == [("sendMessage", "Xin chào"), ("sendPhoto", "Ảnh")]
    assert account_of(fake.token) == "1234567890" and account_of("garbage") == "bot"


@pytest.mark.parametrize(("failures", "error"), [
    ([(429, "Quota exceeded")], ZaloRateLimited),
    ([(500, "Internal")], ZaloTransientError),
    ([(403, "Internal server error")], ZaloTransientError),
    ([(400, "Bad Request")], ZaloError),
])
async def test_a_call_is_made_once_whatever_the_answer(fake, client, failures, error):
    fake.failures = list(failures)
    with pytest.raises(error) as raised:
        await client.send_message(USER, "x")
    assert SECRET_PART not in str(raised.value) and not fake.sent and fake.calls.count("sendMessage") == 1


async def test_a_send_accepted_behind_a_502_is_sent_once(fake, client):
    """Zalo took it, a proxy answered 502: retried in the client, it would reach the person twice (or four times)."""
    fake.accept_then_fail = [502]
    with pytest.raises(ZaloTransientError):
        await client.send_message(USER, "một lần thôi")
    assert fake.texts_to(USER) == ["một lần thôi"] and fake.calls.count("sendMessage") == 1


async def test_a_wrong_token_is_a_clear_fatal_error(fake):
    wrong = ZaloClient("999:" + SECRET_PART + "-wrong", fake.url)
    with pytest.raises(ZaloConfigError, match="401") as raised:
        await wrong.get_me()
    assert SECRET_PART not in str(raised.value)
    await wrong.close()


async def test_ok_false_with_http_200_is_an_error(fake, client):
    fake.poll_failures = [(200, '{"ok": false, "error_code": 0, "description": "odd"}')]
    with pytest.raises(ZaloError, match="odd"):
        await client.get_updates(timeout=1)


@pytest.mark.parametrize(("name", "setup", "expected"), [
    ("found", lambda f: f.media.update({"a.jpg": PNG}), PNG),
    ("404", lambda f: None, None),
    ("too large, declared", lambda f: f.media.update({"a.jpg": b"\0" * (5 * 1024 * 1024 + 1)}), None),
    ("too large, streamed without length", lambda f: f.big_media.update({"a.jpg": 6 * 1024 * 1024}), None),
])
async def test_photo_download_is_size_capped(fake, name, setup, expected):
    setup(fake)
    download = PhotoDownloader()
    assert await download(PhotoIn(url=fake.media_url("a.jpg"))) == expected, name
    assert await download(PhotoIn(url="http://127.0.0.1:9/nothing.jpg")) is None  # unreachable: None, no raise
    await download.close()


async def test_the_token_never_appears_in_any_log_record(fake, sqlite_url, clock, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("httpx", "httpcore"):  # other channels quieten these process-wide: hear everything here
        caplog.set_level(logging.DEBUG, logger=name)
    app = await zalo_app(fake, sqlite_url, clock)
    fake.poll_failures = [(500, "{}"), (502, "<html>x</html>")]
    fake.push({"event_name": "message.text.received", "message": {"chat": {"id": "x"}}})
    async with running(app, tmp_path):
        await ZaloUser(app, fake, USER).say("xin chào")
        fake.poll_failures = [(401, '{"ok": false, "error_code": 401, "description": "Unauthorized"}')]
        await wait_until(lambda: "Poller.run stopped" in caplog.text)  # a revoked token: polling stops, clearly (the
        # runner starts it again later, and tells the admins if it lasts)
    broken = ZaloClient(fake.token, "http://127.0.0.1:9")
    with pytest.raises(ZaloTransientError):
        await broken.get_me()
    await broken.close()
    await app.close()
    formatter = logging.Formatter("%(name)s %(message)s")
    text = "\n".join(formatter.format(record) for record in caplog.records)
    assert "HTTP Request: POST" in text and "<token>" in text  # httpx logged URLs, redacted
    assert "skipping update" in text and "getUpdates failed" in text
    assert SECRET_PART not in text and fake.token not in text
