"""A conversation survives a restart, a replayed update is handled once, an idle one expires politely."""

from __future__ import annotations

import pytest
from support.app import ChatUser, attach_recorder, make_app
from support.demo_db import demo_app
from support.report_menu import NGAY_HOI_GROUP, open_form


@pytest.fixture
async def app(tmp_path, clock):
    """conftest's demo app, from a copied template database (this module makes many)."""
    app = await demo_app(tmp_path, clock)
    yield app
    await app.close()


async def _reporter(app) -> ChatUser:
    return ChatUser(app, attach_recorder(app), "reporter", "Trưởng ban")


async def test_restart_mid_conversation_resumes_the_same_form(database_url, clock):
    app = await make_app(database_url, clock)
    reporter = await _reporter(app)
    for text in ("bao cao", "1", "1", "hôm qua"):
        await reporter.say(text)
    await app.close()  # the process stops half-way through the form

    clock.advance(hours=5)
    app = await make_app(database_url, clock)  # a new process on the same database
    try:
        reporter = await _reporter(app)
        assert (await reporter.say("Nhà văn hóa"))[0].startswith("(3/7) Khoảng bao nhiêu người tham gia?")
        for text in ("120", "có", "bỏ qua", "bỏ qua", "bỏ qua"):
            await reporter.say(text)
        assert "Đã ghi báo cáo số 1" in (await reporter.say("1"))[0]
        async with app.db.transaction() as repos:
            report = await repos.reports.get(1)
        assert report.answers["ngay"] == "2026-11-24" and report.answers["dia_diem"] == "Nhà văn hóa"
    finally:
        await app.close()


async def test_the_same_update_twice_is_handled_once(app, reporter):
    await open_form(reporter.say)
    first = await reporter.say("hôm qua", message_id="zalo-777")
    replayed = await reporter.say("hôm qua", message_id="zalo-777")
    assert first[0].startswith("(2/7)") and replayed == []
    assert await app.handle(reporter.inbound("hôm qua", message_id="zalo-777")) is False
    assert (await reporter.say("Nhà văn hóa"))[0].startswith("(3/7)")  # the form moved on by one step only
    async with app.db.transaction() as repos:
        rows = [r for r in await repos.outbox.for_chat("console", "reporter") if ":zalo-777:" in r.dedupe_key]
    assert len(rows) == 1 and rows[0].status == "sent"


async def test_a_replayed_update_is_still_skipped_after_a_restart(sqlite_url, clock):
    app = await make_app(sqlite_url, clock)
    reporter = await _reporter(app)
    assert await reporter.say("/trogiup", message_id="tg-1")
    await app.close()
    app = await make_app(sqlite_url, clock)
    try:
        reporter = await _reporter(app)
        assert await reporter.say("/trogiup", message_id="tg-1") == []
    finally:
        await app.close()


@pytest.mark.parametrize(("idle_hours", "expires"), [(71.9, False), (72, False), (72.1, True), (24 * 30, True)])
async def test_an_idle_conversation_expires_politely_after_the_ttl(app, reporter, clock, idle_hours, expires):
    for text in ("bao cao", "1", "1", "hôm qua"):
        await reporter.say(text)
    clock.advance(hours=idle_hours)
    replies = await reporter.say("Nhà văn hóa")
    if not expires:
        assert replies[0].startswith("(3/7)")
        return
    t = app.translator.for_language("vi")
    assert replies == [t("conversation.expired", hours=72), t("hint.unrecognised")]
    async with app.db.transaction() as repos:
        assert await repos.conversations.get("console", "reporter", "reporter") is None
        assert await repos.reports.get(1) is None
    assert NGAY_HOI_GROUP in (await reporter.say("bao cao"))[0]  # a fresh start
    assert "1. Ngày hội Đại đoàn kết" in (await reporter.say("1"))[0]
    assert (await reporter.say("1"))[0].startswith("(1/7)")


async def test_the_ttl_is_a_setting(sqlite_url, clock):
    app = await make_app(sqlite_url, clock, conversation_ttl_hours=2)
    try:
        reporter = await _reporter(app)
        await reporter.say("bao cao")
        clock.advance(hours=3)
        replies = await reporter.say("1")
        assert replies[0] == app.translator.for_language("vi")("conversation.expired", hours=2)
    finally:
        await app.close()


async def test_a_command_during_an_expired_conversation_still_runs(app, reporter, clock):
    await reporter.say("bao cao")
    clock.advance(days=4)
    replies = await reporter.say("/cuatoi")
    assert "quá 72 giờ" in replies[0] and "chưa có báo cáo nào" in replies[1]
