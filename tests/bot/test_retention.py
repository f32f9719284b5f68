"""Retention: the daily purge of sent outbox rows and old ledger entries, through app.tick() with a fake clock."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from support.app import VN, ChatUser, FakeClock, attach_recorder, make_app

from bot.app import App
from bot.retention import RetentionTicker
from bot.settings import ConfigError, load_settings
from storage.models import Commune, Person, RenderJob, Report, StoredFile, Unit

DAY = timedelta(days=1)
SECRET_TEXT = "bí mật của người dân"  # must never reach a log record


@pytest.fixture
async def bot(database_url, clock):
    """The bot with default retention (90 days outbox, 30 days ledger) on SQLite and PostgreSQL."""
    app = await make_app(database_url, clock, demo=False)
    yield app
    await app.close()


def _retention(app: App) -> RetentionTicker:
    return next(t for t in app.tickers if isinstance(t, RetentionTicker))


async def _message(app: App, key: str, *, created: datetime, status: str = "pending",
                   finished: datetime | None = None) -> None:
    """An outbox row written at `created`, then left pending, claimed (sending), sent or failed at `finished`."""
    channel = "telegram" if status == "sending" else "console"  # so claiming it takes no other row
    async with app.db.transaction() as repos:
        await repos.outbox.enqueue(channel=channel, chat_id=f"chat-{key}", payload={"text": f"{SECRET_TEXT} {key}"},
                                   dedupe_key=key, now=created)
        row_id = (await repos.outbox.for_chat(channel, f"chat-{key}"))[0].id
        if status == "sending":  # a claim that lapsed long ago: still owed, must not be purged
            await repos.outbox.claim_due(created, channels=(channel,), limit=1, lease=timedelta(minutes=2))
        elif status == "sent":
            await repos.outbox.mark_sent_many([row_id], finished or created)
        elif status == "failed":
            await repos.outbox.mark_failed(row_id, "chat gone")


async def _outbox_keys(app: App) -> set[str]:
    async with app.db.transaction() as repos:
        rows = await repos.outbox.of_channel("console") + await repos.outbox.of_channel("telegram")
    return {row.dedupe_key for row in rows}


async def test_old_finished_messages_go_and_recent_or_unsent_ones_stay(bot, clock, caplog):
    now = clock()
    await _message(bot, "old-sent", created=now - 120 * DAY, status="sent", finished=now - 100 * DAY)
    await _message(bot, "old-failed", created=now - 100 * DAY, status="failed")
    await _message(bot, "just-past", created=now - 91 * DAY, status="sent", finished=now - 90 * DAY - DAY / 24)
    await _message(bot, "just-inside", created=now - 91 * DAY, status="sent", finished=now - 90 * DAY + DAY / 24)
    await _message(bot, "delivered-late", created=now - 120 * DAY, status="sent", finished=now - 10 * DAY)
    await _message(bot, "recent-sent", created=now - 5 * DAY, status="sent", finished=now - 5 * DAY)
    await _message(bot, "recent-failed", created=now - 5 * DAY, status="failed")
    await _message(bot, "old-pending", created=now - 200 * DAY)
    await _message(bot, "old-sending", created=now - 200 * DAY, status="sending")
    with caplog.at_level(logging.DEBUG):
        await bot.tick()
    # Age counts from delivery (sent_at) for sent rows; pending and sending rows are messages still owed.
    assert await _outbox_keys(bot) == {"just-inside", "delivered-late", "recent-sent", "recent-failed",
                                       "old-pending", "old-sending"}
    records = [r for r in caplog.records if r.name == "bot.retention"]
    assert [r.getMessage() for r in records] == [
        "retention: deleted 3 sent/failed outbox rows older than 90 days and 0 ledger entries older than 30 days"]
    assert not any(SECRET_TEXT in r.getMessage() or "old-sent" in r.getMessage() for r in caplog.records)


async def test_a_replay_inside_the_ledger_window_is_still_deduplicated(bot, clock):
    user = ChatUser(bot, attach_recorder(bot), "stranger-1")
    now = clock()
    clock.set(now - 31 * DAY)
    assert await bot.handle(user.inbound("xin chào", message_id="u-old")) is True
    clock.set(now - 29 * DAY)
    assert await bot.handle(user.inbound("xin chào", message_id="u-recent")) is True
    clock.set(now)
    await bot.tick()
    assert await bot.handle(user.inbound("xin chào", message_id="u-recent")) is False  # still remembered: skipped
    # Past the window the id is forgotten, so a platform replaying it would be answered again: why the period
    # must stay far above any platform's redelivery window (Telegram: 24 hours).
    assert await bot.handle(user.inbound("xin chào", message_id="u-old")) is True


async def test_it_purges_once_per_business_day(bot, clock):
    clock.set(datetime(2026, 11, 25, 0, 5, tzinfo=VN))
    await bot.tick()  # the day's purge (nothing to delete yet)
    now = clock()
    await _message(bot, "old", created=now - 100 * DAY, status="sent")
    clock.set(datetime(2026, 11, 25, 23, 59, tzinfo=VN))  # the same business day (16:59 UTC)
    await bot.tick()
    assert await _outbox_keys(bot) == {"old"}
    clock.set(datetime(2026, 11, 26, 0, 1, tzinfo=VN))  # the next business day, still 25 November in UTC
    await bot.tick()
    assert await _outbox_keys(bot) == set()


async def test_a_big_purge_runs_in_short_bounded_transactions(bot, clock, monkeypatch):
    now = clock()
    for n in range(5):
        await _message(bot, f"old-{n}", created=now - 100 * DAY, status="sent")
    await _message(bot, "recent", created=now - DAY, status="sent")
    retention = _retention(bot)
    retention.batch = 2
    opened = []
    transaction = bot.db.transaction

    def counted():
        opened.append(1)
        return transaction()

    monkeypatch.setattr(bot.db, "transaction", counted)
    purged = await retention(now)
    assert (purged.outbox, purged.ledger) == (5, 0)
    # outbox: 2 + 2 + 1 rows; ledger, files, render jobs: one empty batch each; stranger notices: one DELETE
    assert len(opened) == 3 + 1 + 1 + 1 + 1
    monkeypatch.undo()
    assert await _outbox_keys(bot) == {"recent"}


async def test_the_retention_periods_come_from_the_settings(sqlite_url):
    clock = FakeClock(datetime(2026, 11, 25, 9, 0, tzinfo=VN))
    app = await make_app(sqlite_url, clock, demo=False, outbox_retention_days=14, ledger_retention_days=2)
    try:
        user = ChatUser(app, attach_recorder(app), "stranger-2")
        now = clock()
        clock.set(now - 3 * DAY)
        assert await app.handle(user.inbound("xin chào", message_id="u-3-days")) is True
        clock.set(now)
        await _message(app, "15-days", created=now - 15 * DAY, status="sent")
        await _message(app, "13-days", created=now - 13 * DAY, status="sent")
        purged = await _retention(app)(now)
        assert purged is not None and purged.ledger == 1
        keys = await _outbox_keys(app)
        assert "13-days" in keys and "15-days" not in keys
    finally:
        await app.close()


BAD_PERIODS = [("OUTBOX_RETENTION_DAYS", "0"), ("OUTBOX_RETENTION_DAYS", "-30"), ("OUTBOX_RETENTION_DAYS", "7"),
               ("LEDGER_RETENTION_DAYS", "0"), ("LEDGER_RETENTION_DAYS", "-1"), ("LEDGER_RETENTION_DAYS", "1")]


@pytest.mark.parametrize(("variable", "value"), BAD_PERIODS)
def test_a_too_short_period_is_one_line_naming_the_variable(monkeypatch, tmp_path, variable, value):
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith(f"{variable}: ") and "phải lớn hơn hoặc bằng" in message and "\n" not in message


def test_the_default_periods(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OUTBOX_RETENTION_DAYS", raising=False)
    monkeypatch.delenv("LEDGER_RETENTION_DAYS", raising=False)
    settings = load_settings()
    assert (settings.outbox_retention_days, settings.ledger_retention_days) == (90, 30)


async def test_processes_purging_at_the_same_moment_delete_each_row_once(bot, database_url, clock):
    """Every process runs the ticker: concurrent purges neither fail (no deadlock) nor double-count."""
    other = await make_app(database_url, clock, demo=False)
    try:
        now = clock()
        for n in range(12):
            await _message(bot, f"old-{n}", created=now - 100 * DAY, status="sent")
        first, second = _retention(bot), _retention(other)
        first.batch = second.batch = 3
        results = await asyncio.gather(first(now), second(now))
        assert sum(r.outbox for r in results) == 12
        assert await _outbox_keys(bot) == set()
    finally:
        await other.close()


async def test_old_files_no_report_holds_and_finished_render_jobs_go(bot, clock):
    now = clock()
    async with bot.db.transaction() as repos:
        commune = await repos.directory.add(Commune(name="X", province="Y", created_at=now - 200 * DAY))
        person = await repos.directory.add(Person(commune_id=commune.id, name="A", role="chair",
                                                  created_at=now - 200 * DAY))
        unit = await repos.directory.add(Unit(commune_id=commune.id, name="Thôn 1", kind="village"))
        report = await repos.reports.add(Report(commune_id=commune.id, unit_id=unit.id, person_id=person.id,
                                                form_id="ngay_hoi", activity_date=(now - 200 * DAY).date(),
                                                answers={}, created_at=now - 200 * DAY))
        for name, age, report_id in (("old-doc", 100, None), ("old-photo-of-a-report", 100, report.id),
                                     ("recent-doc", 5, None)):
            await repos.files.add(StoredFile(kind="document", name=name, mime="x", size=1, content=b"x",
                                             report_id=report_id, created_at=now - age * DAY))
        for key, status, age in (("old-done", "done", 100), ("old-pending", "pending", 100),
                                 ("recent-done", "done", 5)):
            await repos.render_jobs.add(key=key, commune_id=commune.id, period="2026-Q1", party=False,
                                        channel="console", chat_id="c", language="vi", now=now - age * DAY)
            if status == "done":
                job = await repos.render_jobs.claim_due(now, timedelta(minutes=5))
                await repos.render_jobs.finish(job, now - age * DAY)
    purged = await _retention(bot)(now)
    assert (purged.files, purged.render_jobs) == (1, 1)
    async with bot.db.transaction() as repos:
        names = {f.name for f in (await repos.session.execute(select(StoredFile))).scalars()}
        keys = {job.key for job in (await repos.session.execute(select(RenderJob))).scalars()}
    assert names == {"old-photo-of-a-report", "recent-doc"} and keys == {"old-pending", "recent-done"}
