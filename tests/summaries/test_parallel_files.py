"""/tonghop's XLSX written by a second render worker while the first writes the text, the DOCX and the chart
(summaries/parallel_files.py): the files still come, in order, and tell one state of the data even when a report
is committed between the two workers' readings."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3

import pytest
from support import bad_renders, two_readings
from support.app import ChatUser, attach_recorder, make_app
from support.tonghop_chat import FILES, TITLE, file_a_report, tonghop

from summaries import parallel_files
from summaries.parallel_files import SHEET_WORKER, TEXT_WORKER


@pytest.fixture
async def bot(sqlite_url, clock):
    app = await make_app(sqlite_url, clock, render_processes=2, render_timeout_seconds=120)
    yield app
    await app.close()


async def test_the_xlsx_comes_from_the_second_worker(bot):
    recorder = attach_recorder(bot)
    text, names, _ = await tonghop(bot, recorder)
    assert text.startswith("📊 Tổng hợp quý IV năm 2026") and names == FILES
    workers = {await bot.render_jobs.pool.run_on(slot, bad_renders.pid) for slot in (TEXT_WORKER, SHEET_WORKER)}
    assert len(workers) == 2  # two processes, each reached by its own calls
    assert await bot.render_jobs.pool.run_on(TEXT_WORKER, bad_renders.kept_summaries) == 0  # freed after the job


@pytest.mark.parametrize("edit", [False, True], ids=["a-new-report", "an-edit"])
async def test_a_report_committed_between_the_readings_is_in_neither_file_or_in_both(bot, sqlite_url, caplog, edit):
    """A new report is left out of the second worker's reading; an edit cannot be undone there, so the first
    worker writes the XLSX itself. Either way the DOCX and the XLSX tell the same state, that of the text."""
    recorder = attach_recorder(bot)
    await file_a_report(bot, recorder)
    path = two_readings.database_path(sqlite_url)
    with sqlite3.connect(path) as connection:
        template, answers = connection.execute(
            "SELECT id, answers FROM report WHERE deleted_at IS NULL ORDER BY activity_date DESC, id DESC").fetchone()
    connection.close()
    renamed = {key: TITLE if isinstance(value, str) else value for key, value in json.loads(answers).items()}
    path.with_suffix(".new").write_text(json.dumps({"template": template, "answers": renamed, "edit": edit}))
    parallel = bot.render_jobs.parallel
    parallel.text_read_fn, parallel.sheet_read_fn = two_readings.read_then_say_read, two_readings.read_after_a_commit
    with caplog.at_level(logging.INFO, logger="summaries.parallel_files"):
        _, names, files = await tonghop(bot, recorder)
    assert names == FILES
    assert ("written again" in caplog.text) == edit  # a new report is simply left out
    assert [TITLE in text for text in files] == [False, False]  # both files tell the text's reading
    parallel.text_read_fn = parallel.sheet_read_fn = two_readings.read_in_worker
    _, _, files = await tonghop(bot, recorder)  # asked again: what was committed is in both
    assert [TITLE in text for text in files] == [True, True]


async def test_a_second_worker_that_crashes_is_retried_like_the_first(bot, clock):
    """The XLSX's worker dies: the job is retried (the text went out once), and the next attempt has its files."""
    recorder = attach_recorder(bot)
    bot.render_jobs.parallel.sheet_read_fn = bad_renders.crash
    chair = ChatUser(bot, recorder, "chair", "Chủ tịch")
    await chair.say("/tonghop")
    assert [ref for _, reply in recorder.sent for ref in (reply.document, reply.photo) if ref] == []
    bot.render_jobs.parallel.sheet_read_fn = two_readings.read_in_worker
    clock.advance(minutes=1)  # the first retry, in a fresh worker
    await bot.tick()
    await bot.render_jobs.drain()
    await bot.outbox.drain()
    summaries = [text for text in recorder.texts_for("chair") if text.startswith("📊 Tổng hợp quý IV năm 2026")]
    assert len(summaries) == 1  # the text once, though its job ran twice
    assert [ref.name for _, reply in recorder.sent for ref in (reply.document, reply.photo) if ref] == FILES


async def test_closing_the_bot_waits_for_the_kept_summary_to_be_freed(sqlite_url, clock, monkeypatch):
    """The text worker's summary is freed in the background after the files; a stop right then waits for it
    rather than removing the pool's files under its reply."""
    app = await make_app(sqlite_url, clock, render_processes=2, render_timeout_seconds=120)
    monkeypatch.setattr(parallel_files, "forget_in_worker", bad_renders.slow_forget)
    try:
        await tonghop(app, attach_recorder(app))
        forgetting = list(app.render_jobs.parallel._forgetting)
        assert forgetting  # still under way
    finally:
        await app.close()
    assert await asyncio.gather(*forgetting, return_exceptions=True) == [None]
