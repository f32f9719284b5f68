"""/tonghop's files are rendered after the message's commit, outside any transaction, durably (summaries/jobs.py).

The text answer commits at once; a render that is stuck holds up nobody else; a job left by a crash is done by
the next tick exactly once; a render that keeps failing is retried a bounded number of times, then the reader
is told kindly.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time

import pytest
from support.app import ChatUser, attach_recorder, make_app

import summaries.jobs
from core.messages import Reply
from summaries.jobs import LEASE, MAX_ATTEMPTS, job_key

FILES = ["bao-cao-2026-Q4-nam-cuong.docx", "bao-cao-2026-Q4-nam-cuong.xlsx", "bao-cao-2026-Q4-nam-cuong.png"]
COMING = "📎 Báo cáo (Word), bảng số liệu (Excel) và biểu đồ sẽ được gửi tiếp ngay sau đây."


@pytest.fixture
async def bot(database_url, clock):
    app = await make_app(database_url, clock)
    yield app
    await app.close()


def files_sent(recorder, chat_id: str = "chair") -> list[str]:
    return [ref.name for chat, reply in recorder.sent if chat == chat_id
            for ref in (reply.document, reply.photo) if ref is not None]


async def outbox_of(app, chat_id: str = "chair") -> list[Reply]:
    async with app.db.transaction() as repos:
        return [Reply.from_payload(row.payload) for row in await repos.outbox.for_chat("console", chat_id)]


def hold_renders(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Renders block (in their thread) until `release` is set; `started` tells that one began."""
    started, release, real = threading.Event(), threading.Event(), summaries.jobs.render_files

    def held_render(*args, **kwargs):
        started.set()
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(summaries.jobs, "render_files", held_render)
    return started, release


async def test_the_text_commits_at_once_and_a_stuck_render_holds_up_nobody(bot, monkeypatch):
    recorder = attach_recorder(bot)
    chair, reporter = ChatUser(bot, recorder, "chair", "Chủ tịch"), ChatUser(bot, recorder, "reporter", "Trưởng ban")
    started, release = hold_renders(monkeypatch)
    tonghop = chair.inbound("/tonghop")
    try:
        assert await asyncio.wait_for(bot.handle(tonghop), 5)
        assert await asyncio.to_thread(started.wait, 10)  # woken by the commit: rendering in the background
        [text] = await outbox_of(bot)  # committed, and readable from another transaction
        assert text.text.startswith("📊 Tổng hợp quý IV năm 2026") and text.text.endswith(COMING)
        # Another user is answered while the render is stuck: no transaction (nor the event loop) waits for it.
        assert await asyncio.wait_for(bot.handle(reporter.inbound("/trogiup")), 5)
        await asyncio.wait_for(bot.outbox.drain(), 5)
        assert recorder.texts_for("reporter") and len(recorder.texts_for("chair")) == 1
        assert files_sent(recorder) == []
        async with bot.db.transaction() as repos:
            assert (await repos.render_jobs.get(job_key("console", tonghop.message_id))).status == "running"
    finally:
        release.set()
    assert await bot.render_jobs.drain() == 0  # waits for the background run, which did the job
    await bot.outbox.drain()
    assert files_sent(recorder) == FILES
    async with bot.db.transaction() as repos:
        assert (await repos.render_jobs.get(job_key("console", tonghop.message_id))).status == "done"


async def test_a_stop_while_rendering_hands_the_job_back_for_the_next_start(bot, monkeypatch):
    recorder = attach_recorder(bot)
    chair = ChatUser(bot, recorder, "chair", "Chủ tịch")
    real = summaries.jobs.render_files
    started, release = hold_renders(monkeypatch)
    tonghop = chair.inbound("/tonghop")
    try:
        assert await bot.handle(tonghop)
        assert await asyncio.to_thread(started.wait, 10)
        await bot.render_jobs.close()  # shutdown in the middle of the render
        async with bot.db.transaction() as repos:
            job = await repos.render_jobs.get(job_key("console", tonghop.message_id))
        # Due again at once and the interrupted attempt not counted: no 5-minute wait for the lease.
        assert (job.status, job.claimed_until, job.attempts) == ("pending", None, 0)
    finally:
        release.set()
    monkeypatch.setattr(summaries.jobs, "render_files", real)
    assert await bot.render_jobs.drain() == 1  # as the next start's first tick does, at the same clock time
    await bot.outbox.drain()
    assert files_sent(recorder) == FILES


async def test_a_summary_in_a_group_commit_batch_wakes_its_render(bot):
    recorder = attach_recorder(bot)
    users = [ChatUser(bot, recorder, name) for name in ("reporter", "chair", "staff")]
    await asyncio.gather(*(user.app.handle(user.inbound(text))  # the 2nd and 3rd share a batch (SQLite)
                           for user, text in zip(users, ("/trogiup", "/tonghop", "/trogiup"), strict=True)))
    deadline = time.monotonic() + 30
    while len(await outbox_of(bot)) < 4:  # no drain: the commit alone must start the render
        assert time.monotonic() < deadline, "the files never came"
        await asyncio.sleep(0.02)
    await bot.outbox.drain()
    assert files_sent(recorder) == FILES


@pytest.mark.parametrize("died", ["after_commit", "while_rendering"])
async def test_a_job_left_by_a_crash_is_done_by_the_next_tick_exactly_once(database_url, clock, died):
    first = await make_app(database_url, clock)
    first.render_jobs.wake = lambda: None  # the process dies right after the commit, before any render
    chair = ChatUser(first, attach_recorder(first), "chair", "Chủ tịch")
    tonghop = chair.inbound("/tonghop")
    assert await first.handle(tonghop)
    stale = None
    if died == "while_rendering":  # it had claimed the job; the claim holds until its lease lapses
        async with first.db.transaction() as repos:
            stale = await repos.render_jobs.claim_due(clock(), LEASE)
    await first.close()

    second = await make_app(database_url, clock, demo=False)
    try:
        recorder = attach_recorder(second)
        if stale is not None:
            await second.tick()
            assert await second.render_jobs.drain() == 0  # still leased to the dead process
            clock.advance(seconds=LEASE.total_seconds() + 60)
        await second.tick()
        await second.outbox.drain()
        assert files_sent(recorder) == FILES
        assert len(recorder.texts_for("chair")) == 4  # the text (left unsent by the first) and three files
        await second.tick()
        clock.advance(hours=1)
        await second.tick()
        assert await second.render_jobs.drain() == 0
        await second.outbox.drain()
        assert len(recorder.texts_for("chair")) == 4 and files_sent(recorder) == FILES
        async with second.db.transaction() as repos:
            job = await repos.render_jobs.get(job_key("console", tonghop.message_id))
            assert job is not None and job.status == "done" and job.attempts == (2 if stale else 1)
            if stale is not None:  # the dead worker coming back late cannot finish it a second time
                assert not await repos.render_jobs.finish(stale, clock())
    finally:
        await second.close()


@pytest.mark.parametrize(("language", "apology"), [
    ("vi", "Xin lỗi, bot chưa tạo được các tệp báo cáo quý IV năm 2026"),
    ("en", "Sorry, the bot could not make the report files for Quarter IV of 2026"),
])
async def test_a_failing_render_is_retried_then_the_reader_is_told_once(bot, clock, monkeypatch, caplog,
                                                                       language, apology):
    recorder = attach_recorder(bot)
    chair = ChatUser(bot, recorder, "chair", "Chủ tịch")
    async with bot.db.transaction() as repos:
        (await repos.directory.person_by_identity("console", "chair")).language = language
    calls = []

    def broken_render(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("the renderer broke")

    monkeypatch.setattr(summaries.jobs, "render_files", broken_render)
    with caplog.at_level(logging.ERROR, logger="summaries.jobs"):
        assert len(await chair.say("/tonghop")) == 1  # the text; the first render failed
        for minutes in (1, 5):  # the retries, run by the minute's tick
            clock.advance(minutes=minutes)
            await bot.tick()
            await bot.outbox.drain()
        clock.advance(hours=1)
        await bot.tick()
        assert await bot.render_jobs.drain() == 0
        await bot.outbox.drain()
    texts = recorder.texts_for("chair")
    assert len(calls) == MAX_ATTEMPTS and files_sent(recorder) == []
    assert len(texts) == 2 and texts[1].startswith(apology)
    failures = [r.getMessage() for r in caplog.records if r.name == "summaries.jobs"]
    assert [f.split("failed ")[1] for f in failures if "failed (attempt" in f] == [
        f"(attempt {n} of {MAX_ATTEMPTS})" for n in range(1, MAX_ATTEMPTS + 1)]
    assert any("gave up" in f for f in failures)


async def test_claims_are_leased_and_a_lapsed_claim_cannot_finish(bot, clock):
    now = clock()
    async with bot.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        assert await repos.render_jobs.add(key="files:console:m1", commune_id=commune.id, period="2026-Q4",
                                           party=False, channel="console", chat_id="chair", language="vi", now=now)
        assert not await repos.render_jobs.add(key="files:console:m1", commune_id=commune.id, period="2026-Q4",
                                               party=False, channel="console", chat_id="chair", language="vi",
                                               now=now)  # a replayed message adds no second job
    async with bot.db.transaction() as repos:
        first = await repos.render_jobs.claim_due(now, LEASE)
    async with bot.db.transaction() as repos:
        assert first is not None and first.attempts == 1 and first.requested_at == now
        assert await repos.render_jobs.claim_due(now, LEASE) is None  # another process finds nothing to take
    later = now + LEASE * 2
    async with bot.db.transaction() as repos:
        second = await repos.render_jobs.claim_due(later, LEASE)
    async with bot.db.transaction() as repos:
        assert second is not None and second.id == first.id and second.attempts == 2
        assert not await repos.render_jobs.finish(first, later)  # the first worker's lease lapsed
        assert await repos.render_jobs.finish(second, later)
        assert await repos.render_jobs.claim_due(later + LEASE * 2, LEASE) is None
