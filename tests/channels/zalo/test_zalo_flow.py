"""End to end over the fake Zalo server: register, report a Ngày hội with a photo (polling and webhook)."""

from __future__ import annotations

from datetime import date

import pytest
from support.app import invite_code
from support.fake_zalo import PNG, FakeZalo, text_update
from support.zalo_harness import USER, WEBHOOK_SECRET, ZaloUser, running, wait_until, zalo_app

from bot.channels.zalo.webhook import webhook_path


@pytest.fixture
async def fake():
    server = await FakeZalo().start()
    server.media["anh.jpg"] = PNG
    yield server
    await server.stop()


async def report_festival_with_photo(user: ZaloUser, fake: FakeZalo, *, broken_first: bool = False) -> list[str]:
    menu = await user.say("bao cao")  # the groups of forms, then the group's forms
    assert "1. Ngày hội, mô hình ở khu dân cư" in menu[-1] and "Gõ số 1–" in menu[-1]
    assert "1. Ngày hội Đại đoàn kết toàn dân tộc" in (await user.say("1"))[-1]
    for text in ("1", "hôm qua", "Nhà văn hóa thôn", "120 người", "co", "bỏ qua"):
        await user.say(text)
    if broken_first:  # a photo URL that 404s: a kind answer, and the same question again
        assert "Chưa tải được ảnh này" in (await user.send_photo(fake.media_url("gone.jpg")))[0]
    assert "Ghi chú" in (await user.send_photo(fake.media_url("anh.jpg"), caption=""))[0]
    await user.say("bỏ qua")
    return await user.say("1")


async def assert_report_has_photo(app) -> None:
    async with app.db.transaction() as repos:
        [report] = await repos.reports.in_commune(1, date(2026, 1, 1), date(2026, 12, 31))
        photo = await repos.files.get(report.answers["anh"])
    assert report.form_id == "ngay_hoi" and report.answers["so_nguoi_tham_gia"] == 120
    assert photo.content == PNG and photo.report_id == report.id


async def test_reporter_registers_and_reports_with_a_photo_over_polling(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    code = await invite_code(app)
    async with running(app, tmp_path) as channel:
        user = ZaloUser(app, fake, USER)
        welcome = await user.say(f"/start {code}")
        assert "Chào đồng chí" in welcome[0]
        receipt = await report_festival_with_photo(user, fake, broken_first=True)
        assert "Đã ghi báo cáo số 1" in receipt[0]
        assert channel.poller.polls >= 10 and "getUpdates" in fake.calls
    await assert_report_has_photo(app)
    await app.close()


async def test_reporter_reports_with_a_photo_over_webhook(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock, webhook=True)
    code = await invite_code(app)
    async with running(app, tmp_path) as channel:
        await wait_until(channel.webhook_ready.is_set)
        assert fake.webhook_url.endswith(webhook_path(WEBHOOK_SECRET)) and fake.webhook_secret == WEBHOOK_SECRET
        user = ZaloUser(app, fake, USER, webhook=True)
        await user.say(f"/start {code}")
        receipt = await report_festival_with_photo(user, fake)
        assert "Đã ghi báo cáo số 1" in receipt[0]
        assert "getUpdates" not in fake.calls
    await assert_report_has_photo(app)
    await app.close()


async def test_webhook_is_set_only_when_the_url_changed(fake, sqlite_url, clock, tmp_path):
    port = None
    for run in range(2):  # a restart: a new process on the same database and port
        app = await zalo_app(fake, sqlite_url, clock, webhook=True, demo=run == 0, **({"port": port} if port else {}))
        port = app.settings.web_port
        async with running(app, tmp_path) as channel:
            await wait_until(channel.webhook_ready.is_set)
        await app.close()
    assert fake.calls.count("setWebhook") == 1


BAD_CALLS = [  # (case, how it is delivered, the status expected)
    ("wrong secret", {"secret": "not-the-secret"}, 403),
    ("no secret", {"secret": ""}, 403),
    ("malformed JSON", {"raw": b'{"event_name": "message.text.rec'}, 400),
    ("empty probe", {"raw": b""}, 200),
    ("JSON that is no update", {"raw": b"[1, 2, 3]"}, 200),
    ("missing fields", {"raw": b'{"event_name": "message.text.received", "message": {"text": "hi"}}'}, 200),
    ("wrong types", {"raw": b'{"message": {"message_id": [1], "chat": {"id": {}}, "from": {"id": 1}}}'}, 200),
    ("unknown chat type", {"update": text_update(USER, "hi", chat_type="OFFICIAL")}, 200),
    ("5 MB caption", {"raw": b'{"message": {"caption": "' + b"x" * 5_000_000 + b'"}}'}, 413),
]


async def test_bad_webhook_calls_are_refused_or_skipped_and_nothing_is_processed(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock, webhook=True)
    async with running(app, tmp_path) as channel:
        await wait_until(channel.webhook_ready.is_set)
        for case, call, status in BAD_CALLS:
            update = call.get("update", text_update(USER, "/start ABCD"))
            assert await fake.deliver(update, secret=call.get("secret"), raw=call.get("raw")) == status, case
        async with app.db.transaction() as repos:
            assert await repos.outbox.counts() == {}
        # the server kept running: a good update after all that is answered
        assert "mã mời" in (await ZaloUser(app, fake, USER, webhook=True).say("xin chào"))[0]
    await app.close()
