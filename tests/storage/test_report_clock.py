"""Every write of a report raises its commune's report clock and stamps the report with it (storage/reports.py),
so a cache that saw the clock at N needs only the reports stamped above N (storage/report_cache.py). On
PostgreSQL that holds only if a commune's report writers commit in the order of their numbers: the second waits
for the first's commit."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text
from support.migrations import migrate
from support.one_village import one_village

from storage.db import Database
from storage.models import Report, ReportClock

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


async def _commune(db: Database, name: str) -> tuple[int, int, int]:
    return await one_village(db, name, NOW)


def _report(commune_id: int, unit_id: int, person_id: int) -> Report:
    return Report(commune_id=commune_id, unit_id=unit_id, person_id=person_id, form_id="ngay_hoi",
                  activity_date=date(2026, 3, 2), answers={"so_nguoi": 1}, created_at=NOW)


async def _stamps(db: Database) -> dict[int, int | None]:
    async with db.transaction() as repos:
        return dict((await repos.session.execute(select(Report.id, Report.change_seq))).all())


async def test_each_write_of_a_report_takes_its_communes_next_number(db):
    first, second = await _commune(db, "Nam Cường"), await _commune(db, "Xuân Lạc")
    async with db.transaction() as repos:
        a = await repos.reports.add(_report(*first))
        b = await repos.reports.insert(_report(*first))
        other = await repos.reports.insert(_report(*second))  # another commune counts on its own
    assert await _stamps(db) == {a.id: 1, b.id: 2, other.id: 1}
    async with db.transaction() as repos:
        report = await repos.reports.get(a.id)
        await repos.reports.update_answers(report, {"so_nguoi": 2}, report.activity_date, NOW)
        await repos.reports.soft_delete(await repos.reports.get(b.id), NOW)
    assert await _stamps(db) == {a.id: 3, b.id: 4, other.id: 1}
    async with db.transaction() as repos:
        clocks = dict((await repos.session.execute(select(ReportClock.commune_id, ReportClock.seq))).all())
    assert clocks == {first[0]: 4, second[0]: 1}


async def test_a_rolled_back_write_gives_its_number_back(db):
    commune = await _commune(db, "Nam Cường")
    with pytest.raises(RuntimeError):
        async with db.transaction() as repos:
            await repos.reports.insert(_report(*commune))
            raise RuntimeError("the conversation failed after the insert")
    async with db.transaction() as repos:
        report = await repos.reports.insert(_report(*commune))
    assert await _stamps(db) == {report.id: 1}


async def test_on_postgresql_a_communes_second_report_writer_waits_for_the_first(db):
    if db.dialect != "postgresql":
        pytest.skip("SQLite has one writer: its transactions never overlap")
    commune = await _commune(db, "Nam Cường")
    first_wrote, first_may_commit = asyncio.Event(), asyncio.Event()

    async def first():
        async with db.transaction() as repos:
            report = await repos.reports.insert(_report(*commune))
            first_wrote.set()
            await first_may_commit.wait()
            return report.id

    async def second():
        await first_wrote.wait()
        async with db.transaction() as repos:
            return (await repos.reports.insert(_report(*commune))).id

    first_task, second_task = asyncio.create_task(first()), asyncio.create_task(second())
    await _until_a_backend_waits_for_a_lock(db)
    assert not second_task.done()  # queued on the clock's row, before taking a number
    first_may_commit.set()
    first_id, second_id = await first_task, await second_task
    assert await _stamps(db) == {first_id: 1, second_id: 2}


async def _until_a_backend_waits_for_a_lock(db: Database) -> None:
    """Polls pg_stat_activity (bounded) until some backend waits on a lock: the second writer."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
    for _ in range(500):
        async with db.engine.connect() as connection:
            if (await connection.execute(query)).scalar_one():
                return
        await asyncio.sleep(0.01)
    raise AssertionError("the second writer never waited for the first")


async def test_migration_0021_stamps_the_reports_already_stored_zero_and_keeps_them(db):
    commune = await _commune(db, "Nam Cường")
    async with db.transaction() as repos:
        for _ in range(2):
            await repos.reports.insert(_report(*commune))
    async with db.engine.begin() as connection:
        await connection.run_sync(migrate, "downgrade", "0020_file_content_uncompressed")
        await connection.run_sync(migrate, "upgrade", "heads")
    assert list((await _stamps(db)).values()) == [0, 0]
    async with db.transaction() as repos:  # the clock starts again, above every stamp
        report = await repos.reports.insert(_report(*commune))
    assert (await _stamps(db))[report.id] == 1
