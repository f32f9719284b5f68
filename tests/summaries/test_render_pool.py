"""/tonghop's files rendered in worker processes (summaries/render_pool.py, issue 20.3): the bot's interpreter stays
free, and a render that crashes its process or never returns is retried, then the reader is told — while everyone
else keeps being answered."""

from __future__ import annotations

import asyncio
import os
from datetime import datetime

import pytest
from support import bad_renders
from support.app import VN, ChatUser, FakeClock, attach_recorder, make_app

from summaries.auto import QuarterlySummaryTicker
from summaries.jobs import MAX_ATTEMPTS
from summaries.render_pool import WORKER_NICE, render_in_worker
from summaries.result_spool import SPOOL_OVER
from summaries.worker_jobs import files_in_worker

FILES = ["bao-cao-2026-Q4-nam-cuong.docx", "bao-cao-2026-Q4-nam-cuong.xlsx", "bao-cao-2026-Q4-nam-cuong.png"]
APOLOGY = "Xin lỗi, bot chưa tạo được các tệp báo cáo quý IV năm 2026"


@pytest.fixture
async def bot(sqlite_url, clock):
    app = await make_app(sqlite_url, clock, render_processes=1, render_timeout_seconds=120)
    yield app
    await app.close()


def files_sent(recorder, chat_id: str = "chair") -> list[str]:
    return [ref.name for chat, reply in recorder.sent if chat == chat_id
            for ref in (reply.document, reply.photo) if ref is not None]


async def test_the_files_are_rendered_in_another_process(database_url, clock):
    """The worker reads the database itself (SQLite file or PostgreSQL), compiles and renders."""
    bot = await make_app(database_url, clock, render_processes=1, render_timeout_seconds=120)
    try:
        await check_rendered_in_a_worker(bot)
    finally:
        await bot.close()


async def check_rendered_in_a_worker(bot):
    recorder = attach_recorder(bot)
    answers = await ChatUser(bot, recorder, "chair", "Chủ tịch").say("/tonghop")
    assert answers[0].startswith("📊 Tổng hợp quý IV năm 2026") and files_sent(recorder) == FILES
    async with bot.db.transaction() as repos:
        docx = await repos.files.get(next(r.document.file_id for _, r in recorder.sent if r.document))
    assert docx.content[:2] == b"PK" and docx.size > 10_000
    big = await bot.render_jobs.pool.run(bytes, SPOOL_OVER)  # through a file (summaries/result_spool.py)
    assert big == bytes(SPOOL_OVER) and os.listdir(bot.render_jobs.pool._spool) == []  # read, then deleted
    worker = await bot.render_jobs.pool.run(bad_renders.pid)
    assert worker != os.getpid()
    niceness = await bot.render_jobs.pool.run(os.nice, 0)
    assert niceness == min(19, os.nice(0) + WORKER_NICE)  # a lower priority: the chats get the CPU first
    assert bot.render_jobs.pool.render_fn is render_in_worker  # (the quarter-end ticker's and dashboard's renders)


@pytest.mark.parametrize("misbehaving", [bad_renders.crash, bad_renders.hang], ids=["crashes", "hangs"])
async def test_a_render_that_crashes_or_hangs_is_retried_then_the_reader_is_told(bot, clock, misbehaving):
    recorder = attach_recorder(bot)
    chair, reporter = ChatUser(bot, recorder, "chair", "Chủ tịch"), ChatUser(bot, recorder, "reporter", "Trưởng ban")
    bot.render_jobs.files_in_worker, bot.render_jobs.pool.timeout = misbehaving, 2
    tonghop = chair.inbound("/tonghop")
    assert await bot.handle(tonghop)  # wakes the job: its worker dies, or hangs for the 2 s timeout
    await asyncio.sleep(0.3)
    assert await reporter.say("/trogiup")  # meanwhile everyone else is answered
    await bot.render_jobs.drain()
    for minutes in (1, 5):  # the retries, each in a fresh worker
        clock.advance(minutes=minutes)
        await bot.tick()
        await bot.render_jobs.drain()
    await bot.outbox.drain()
    texts = recorder.texts_for("chair")
    assert len(texts) == 2 and texts[0].startswith("📊 Tổng hợp") and texts[1].startswith(APOLOGY)
    assert files_sent(recorder) == []
    async with bot.db.transaction() as repos:
        job = await repos.render_jobs.get(f"files:console:{tonghop.message_id}")
    assert (job.status, job.attempts) == ("failed", MAX_ATTEMPTS)
    assert ("died" if misbehaving is bad_renders.crash else "more than 2 s") in job.error
    bot.render_jobs.files_in_worker, bot.render_jobs.pool.timeout = files_in_worker, 120
    await chair.say("/tonghop")  # the pool recovered: the next request gets its files
    assert files_sent(recorder) == FILES


async def test_the_quarter_end_summary_is_read_compiled_and_rendered_in_the_worker(sqlite_url):
    """The quarter-end send hands the worker only the request, as /tonghop does: never the compiled summary
    (pickling a 2,000-unit one over held the bot's loop ~0.5 s)."""
    clock = FakeClock(datetime(2026, 3, 16, 8, 0, tzinfo=VN))  # the Monday after Quý I's cut-off, sending hours
    bot = await make_app(sqlite_url, clock, render_processes=1, render_timeout_seconds=120)
    try:
        recorder = attach_recorder(bot)
        async with bot.db.transaction() as repos:
            commune = (await repos.directory.communes())[0]
            await repos.chats.remember("console", "chair", "private", person_id=2, commune_id=commune.id)
        ran = []
        real_run = bot.render_jobs.pool.run

        async def watched_run(fn, *args):
            ran.append(fn.__name__)
            return await real_run(fn, *args)

        async def no_summary_over(*_args, **_kwargs):
            raise AssertionError("the compiled summary was sent to the worker")

        bot.render_jobs.pool.run, bot.render_jobs.pool.render = watched_run, no_summary_over
        ticker = next(t for t in bot.tickers if isinstance(t, QuarterlySummaryTicker))
        assert await ticker(clock()) == 1
        await bot.outbox.drain()
        assert ran == ["ready_in_worker"]
        assert recorder.texts_for("chair")[0].startswith("Báo cáo tổng hợp tự động sau kỳ chốt số liệu quý I năm 2026")
        assert files_sent(recorder) == [f"bao-cao-2026-Q1-nam-cuong.{suffix}" for suffix in ("docx", "xlsx", "png")]
    finally:
        await bot.close()
