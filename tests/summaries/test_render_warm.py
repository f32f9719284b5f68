"""Render workers read a large commune's year ahead of its /tonghop (summaries/warm.py): the scheduler's ticker
fills each worker's report cache once, the /tonghop that follows fetches only the reports filed since, and a
commune too small to be worth it starts no worker at all."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from support import bad_renders, two_readings
from support.app import ChatUser, attach_recorder, make_app
from support.dashboard_data import seed_commune
from support.tonghop_chat import FILES, file_a_report, tonghop

from summaries.warm import warm_in_worker


@pytest.fixture
async def bot(sqlite_url, clock):
    app = await make_app(sqlite_url, clock, render_processes=2, render_timeout_seconds=120)
    async with app.db.transaction() as repos:  # some twenty reports over the year
        await seed_commune(repos, app.plan, clock(), 1)
    yield app
    await app.close()


def live_reports(sqlite_url: str) -> int:
    with sqlite3.connect(two_readings.database_path(sqlite_url)) as connection:
        count = connection.execute("SELECT count(*) FROM report WHERE deleted_at IS NULL").fetchone()[0]
    connection.close()
    return count


async def fetched(bot) -> list[int]:
    """Reports each worker has fetched from the database so far."""
    pool = bot.render_jobs.pool
    return [await pool.run_on(slot, bad_renders.reports_fetched) for slot in range(pool.processes)]


async def tick(bot, clock) -> int:
    """The scheduler's tick, as far as the warmer goes, and its background reading finished."""
    warmer = bot.render_jobs.warmer
    assert warmer in bot.tickers  # the scheduler runs it every tick
    years = await warmer(clock())
    await warmer.settled()
    return years


async def test_each_worker_reads_the_year_once_and_tonghop_then_fetches_only_new_reports(bot, clock, sqlite_url):
    bot.render_jobs.warmer.min_reports = 1  # the demo commune stands for a large one
    stored = live_reports(sqlite_url)
    assert stored > 0
    assert await tick(bot, clock) == 1
    assert await fetched(bot) == [stored, stored]  # both workers: the text's and the sheet's
    assert await tick(bot, clock) == 1
    assert await fetched(bot) == [stored, stored]  # held already: nothing read again

    recorder = attach_recorder(bot)
    await file_a_report(bot, recorder)
    text, names, _ = await tonghop(bot, recorder)
    assert text.startswith("📊 Tổng hợp quý IV năm 2026") and names == FILES
    assert await fetched(bot) == [stored + 1, stored + 1]  # the new report only


async def test_a_commune_below_the_threshold_starts_no_worker(bot, clock):
    assert await tick(bot, clock) == 0  # the demo commune holds far fewer than WARM_MIN_REPORTS
    assert bot.render_jobs.pool.started() == 0
    recorder = attach_recorder(bot)
    assert (await ChatUser(bot, recorder, "chair", "Chủ tịch").say("/tonghop"))[0].startswith("📊")


async def test_a_worker_dying_while_warming_is_logged_and_the_next_tick_warms_again(bot, clock, sqlite_url, caplog):
    warmer = bot.render_jobs.warmer
    warmer.min_reports, warmer.warm_fn = 1, bad_renders.crash
    with caplog.at_level(logging.WARNING, logger="summaries.warm"):
        assert await tick(bot, clock) == 1
    assert "warming the render workers' reports failed: RenderCrashed" in caplog.text
    warmer.warm_fn = warm_in_worker
    await tick(bot, clock)  # fresh workers, read once
    assert await fetched(bot) == [live_reports(sqlite_url)] * 2


async def test_without_worker_processes_nothing_is_warmed(sqlite_url, clock):
    app = await make_app(sqlite_url, clock, render_processes=0)
    try:
        app.render_jobs.warmer.min_reports = 1
        assert await tick(app, clock) == 0
    finally:
        await app.close()
