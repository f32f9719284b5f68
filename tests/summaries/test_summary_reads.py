"""/tonghop reads the year once, beside the writer (storage/reading.py), and asked again waits for that one read.

Issue 21: the read held the one SQLite writer lock; the render job read it all a second time; ten /tonghop in a
row made ten renders.
"""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from support.app import ChatUser, attach_recorder, make_app

import summaries.jobs
import summaries.load
from storage.models import HdndSession, Petition, Report
from summaries.load import load_snapshot, read_snapshot

PREPARING = "⏳ Báo cáo quý IV năm 2026 đang chuẩn bị, sẽ gửi khi xong. Đồng chí không cần gõ lại."


@pytest.fixture
async def bot(database_url, clock):
    app = await make_app(database_url, clock)
    yield app
    await app.close()


async def add_rows(app) -> int:
    """Reports (one deleted, one of last year), a session and petitions old and new, open and closed."""
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        units = await repos.directory.units(commune.id)
        chair = next(p for p in await repos.directory.people(commune.id) if p.role == "chair")
        for n, (day, deleted) in enumerate([("2026-11-18", False), ("2026-03-02", False), ("2025-12-20", False),
                                            ("2026-05-05", True), ("2025-06-01", False)]):
            await repos.reports.add(Report(
                commune_id=commune.id, unit_id=units[n % len(units)].id, person_id=chair.id, form_id="ngay_hoi",
                activity_date=date.fromisoformat(day), answers={"ngay": day, "so_nguoi_tham_gia": 10 + n},
                created_at=app.clock(), deleted_at=app.clock() if deleted else None))
        await repos.directory.add(HdndSession(commune_id=commune.id, day=date(2026, 7, 10), created_at=app.clock()))
        for number, (year, received, status) in enumerate([(2025, "2025-04-01", "tiep_nhan"),
                                                           (2025, "2025-05-01", "da_giai_quyet"),
                                                           (2026, "2026-02-01", "da_giai_quyet")], 1):
            await repos.directory.add(Petition(
                commune_id=commune.id, unit_id=units[0].id, person_id=chair.id, year=year, number=number,
                source_kind="nhan_dan", content=f"kiến nghị {number}", received_on=date.fromisoformat(received),
                status=status, created_at=app.clock(), updated_at=app.clock()))
        return commune.id


async def test_the_read_beside_the_writer_sees_what_the_transaction_sees(bot):
    commune_id = await add_rows(bot)
    async with bot.db.transaction() as repos:
        through_repositories = await load_snapshot(repos, commune_id, 2026)
    beside = await read_snapshot(bot.db.reader, commune_id, 2026)
    assert beside.reports and beside.petitions and beside.session_dates
    assert beside.units == through_repositories.units and beside.reports == through_repositories.reports
    assert dict(beside.baselines) == dict(through_repositories.baselines)
    assert beside.session_dates == through_repositories.session_dates
    assert sorted(beside.petitions, key=lambda p: p.id) == sorted(through_repositories.petitions, key=lambda p: p.id)
    assert (beside.commune_name, beside.province) == (through_repositories.commune_name,
                                                      through_repositories.province)


async def test_the_read_does_not_wait_for_the_writer(database_url, clock):
    """A write transaction held open (a long batch, a backup's lock) does not hold up the summary's read."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the writer's lock is SQLite's")
    app = await make_app(database_url, clock)
    try:
        commune_id = await add_rows(app)
        held, release = asyncio.Event(), asyncio.Event()

        async def long_writer():
            async with app.db.transaction() as repos:
                await repos.heartbeat.beat(clock())
                held.set()
                await release.wait()

        writer = asyncio.create_task(long_writer())
        await held.wait()
        try:
            snapshot = await asyncio.wait_for(read_snapshot(app.db.reader, commune_id, 2026), 10)
            assert len(snapshot.reports) == 3  # the live ones from 1 December 2025
        finally:
            release.set()
            await writer
    finally:
        await app.close()


async def test_asked_ten_times_in_a_row_one_read_one_render_and_the_others_told(bot, monkeypatch):
    recorder = attach_recorder(bot)
    chair, staff = ChatUser(bot, recorder, "chair", "Chủ tịch"), ChatUser(bot, recorder, "staff", "Cán bộ")
    reads, renders = [], []
    real_read, real_render = summaries.jobs.read_snapshot, summaries.jobs.render_files

    async def counted_read(*args, **kwargs):
        reads.append(1)
        return await real_read(*args, **kwargs)

    def counted_render(*args, **kwargs):
        renders.append(1)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(summaries.jobs, "read_snapshot", counted_read)
    monkeypatch.setattr(summaries.jobs, "render_files", counted_render)
    bot.render_jobs.wake = lambda: None  # the impatient messages all arrive before the job runs
    for _ in range(10):
        assert await bot.handle(chair.inbound("/tonghop"))
    assert await bot.handle(staff.inbound("/tonghop"))  # someone else in another chat: served by the same render
    await bot.outbox.drain()
    assert recorder.texts_for("chair") == [PREPARING] * 9 and recorder.texts_for("staff") == [PREPARING]
    assert await bot.render_jobs.drain() == 2
    await bot.outbox.drain()
    assert len(reads) == 1 and len(renders) == 1
    for chat in ("chair", "staff"):
        texts = recorder.texts_for(chat)[-4:]
        assert texts[0].startswith("📊 Tổng hợp quý IV năm 2026")
        names = [ref.name for c, r in recorder.sent if c == chat for ref in (r.document, r.photo) if ref]
        assert names == ["bao-cao-2026-Q4-nam-cuong.docx", "bao-cao-2026-Q4-nam-cuong.xlsx",
                         "bao-cao-2026-Q4-nam-cuong.png"]
    answers = await chair.say("/tonghop")  # once the files are sent, a new /tonghop makes new ones
    assert answers[0].startswith("📊 Tổng hợp quý IV năm 2026") and len(answers) == 4
    assert len(reads) == 2


async def test_a_failed_read_tells_the_reader_the_summary_failed_not_only_its_files(bot, clock, monkeypatch):
    recorder = attach_recorder(bot)
    chair = ChatUser(bot, recorder, "chair", "Chủ tịch")

    async def broken_read(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(summaries.jobs, "read_snapshot", broken_read)
    assert await chair.say("/tonghop") == []
    for minutes in (1, 5):
        clock.advance(minutes=minutes)
        await bot.tick()
        await bot.outbox.drain()
    assert recorder.texts_for("chair") == [
        "Xin lỗi, bot chưa tổng hợp được quý IV năm 2026. Đồng chí vui lòng gõ lại /tonghop sau ít phút; "
        "nếu vẫn chưa được, xin báo Quản trị viên."]
    assert summaries.load.read_snapshot is not broken_read  # only the job's reference was replaced
