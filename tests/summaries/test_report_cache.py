"""A summary's reads keep the decoded reports (storage/report_cache.py) and re-read only what changed — and never
show a figure the database no longer holds: edited, edited twice in the same second, deleted, another database,
written around the repository, restored from a copy.

Issue 21.1: the render job read and decoded all 100,000 reports of a large commune again for every /tonghop.
"""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from sqlalchemy import text
from support import cache_probe
from support.app import make_app

from storage.models import Report
from storage.report_cache import YearReports
from summaries.load import REPORTS, load_snapshot, read_snapshot

YEAR = 2026


@pytest.fixture(autouse=True)
def empty_cache():
    REPORTS.clear()
    yield
    REPORTS.clear()


@pytest.fixture
async def bot(database_url, clock):
    app = await make_app(database_url, clock, demo=False)
    yield app
    await app.close()


async def add_reports(app, answers: list[int], day: date = date(YEAR, 3, 2),
                      name: str = "Nam Cường") -> tuple[int, list[int]]:
    """A commune with one village and a report per number (so_nguoi = the number): (commune id, report ids)."""
    from storage.models import Commune, Person, Unit

    async with app.db.transaction() as repos:
        commune = await repos.directory.add(Commune(name=name, province="Thái Nguyên"))
        unit = await repos.directory.add(Unit(commune_id=commune.id, name="Thôn A", kind="village"))
        person = await repos.directory.add(Person(commune_id=commune.id, unit_id=unit.id, name="Bà Lan",
                                                  role="reporter", created_at=app.clock()))
        ids = [(await repos.reports.add(Report(
            commune_id=commune.id, unit_id=unit.id, person_id=person.id, form_id="ngay_hoi", activity_date=day,
            answers={"so_nguoi": n}, created_at=app.clock()))).id for n in answers]
        return commune.id, ids


async def edit(app, report_id: int, so_nguoi: int, day: date | None = None) -> None:
    async with app.db.transaction() as repos:
        report = await repos.reports.get(report_id)
        await repos.reports.update_answers(report, {"so_nguoi": so_nguoi}, day or report.activity_date, app.clock())


async def figures(app, commune_id: int, year: int = YEAR) -> dict[int, int]:
    snapshot = await read_snapshot(app.db.reader, commune_id, year)
    return {row.id: row.answers["so_nguoi"] for row in snapshot.reports}


async def test_an_edited_report_shows_its_new_answers_and_only_it_is_read_again(bot):
    commune_id, ids = await add_reports(bot, [10, 20, 30])
    assert await figures(bot, commune_id) == {ids[0]: 10, ids[1]: 20, ids[2]: 30}
    fetched = REPORTS.fetched
    await edit(bot, ids[1], 25)
    assert await figures(bot, commune_id) == {ids[0]: 10, ids[1]: 25, ids[2]: 30}
    assert REPORTS.fetched - fetched == 1  # the other two came from the cache
    async with bot.db.transaction() as repos:  # and the cached read is the same as the transaction's own
        assert (await load_snapshot(repos, commune_id, YEAR)).reports == \
            (await read_snapshot(bot.db.reader, commune_id, YEAR)).reports


async def test_a_report_edited_twice_in_the_same_second_shows_its_last_answers(bot):
    commune_id, [report_id] = await add_reports(bot, [10])
    await edit(bot, report_id, 11)
    assert await figures(bot, commune_id) == {report_id: 11}
    await edit(bot, report_id, 12)  # the clock has not moved: edited_at is the same as the first edit's
    assert await figures(bot, commune_id) == {report_id: 12}


async def test_a_deleted_report_disappears_and_a_moved_one_follows_its_day(bot):
    commune_id, ids = await add_reports(bot, [10, 20, 30])
    await figures(bot, commune_id)
    async with bot.db.transaction() as repos:
        await repos.reports.soft_delete(await repos.reports.get(ids[0]), bot.clock())
    await edit(bot, ids[2], 30, day=date(YEAR + 1, 1, 5))  # moved into next year
    await edit(bot, ids[1], 20, day=date(YEAR, 1, 1))  # moved before the others: the order follows
    snapshot = await read_snapshot(bot.db.reader, commune_id, YEAR)
    assert [(row.id, row.activity_date) for row in snapshot.reports] == [(ids[1], date(YEAR, 1, 1))]
    assert await figures(bot, commune_id, YEAR + 1) == {ids[2]: 30}
    assert dict(REPORTS.held()) == {(bot.db.url, commune_id, YEAR): 1, (bot.db.url, commune_id, YEAR + 1): 1}


async def test_two_databases_with_the_same_commune_id_never_mix(sqlite_url, tmp_path, clock):
    first = await make_app(sqlite_url, clock, demo=False)
    second = await make_app(f"sqlite+aiosqlite:///{tmp_path}/other.db", clock, demo=False)
    try:
        commune_id, ids = await add_reports(first, [10, 20])
        same_id, same_ids = await add_reports(second, [70, 80])
        assert (commune_id, ids) == (same_id, same_ids)
        for _ in range(2):  # cold, then warm
            assert await figures(first, commune_id) == {ids[0]: 10, ids[1]: 20}
            assert await figures(second, commune_id) == {ids[0]: 70, ids[1]: 80}
    finally:
        await first.close()
        await second.close()


async def test_the_least_recently_read_year_is_evicted_past_the_bound(bot, monkeypatch):
    commune_id, _ = await add_reports(bot, [1, 2, 3])
    await add_reports(bot, [4, 5], day=date(YEAR - 1, 6, 1), name="Xuân Lạc")  # commune 2's, last year
    monkeypatch.setattr(REPORTS, "max_reports", 4)
    await figures(bot, commune_id)
    await figures(bot, commune_id + 1, YEAR - 1)
    assert list(REPORTS.held()) == [(bot.db.url, commune_id + 1, YEAR - 1)]  # 3 + 2 > 4: the first one went
    assert await figures(bot, commune_id) == {1: 1, 2: 2, 3: 3}  # read again in full, and still right
    assert REPORTS.held() == {(bot.db.url, commune_id, YEAR): 3}
    monkeypatch.setattr(REPORTS, "max_reports", 2)
    await figures(bot, commune_id + 1, YEAR - 1)
    assert REPORTS.held() == {(bot.db.url, commune_id + 1, YEAR - 1): 2}
    assert await figures(bot, commune_id) == {1: 1, 2: 2, 3: 3}
    assert REPORTS.held() == {(bot.db.url, commune_id + 1, YEAR - 1): 2}  # 3 > 2: not kept, nothing evicted for it


async def test_a_database_only_in_memory_is_never_cached(clock):
    app = await make_app("sqlite+aiosqlite://", clock, demo=False)
    try:
        commune_id, ids = await add_reports(app, [10])
        assert await figures(app, commune_id) == {ids[0]: 10}
        assert REPORTS.held() == {}
    finally:
        await app.close()


async def test_a_render_worker_keeps_its_own_cache_and_sees_the_edit(database_url, clock):
    """Through the render worker process /tonghop uses (summaries/worker_jobs.py reads with the same cache)."""
    app = await make_app(database_url, clock, demo=False, render_processes=1, render_timeout_seconds=120)
    try:
        commune_id, ids = await add_reports(app, [10, 20, 30])
        run = app.render_jobs.pool.run
        assert await run(cache_probe.figures, app.db.url, commune_id, YEAR) == ({ids[0]: 10, ids[1]: 20, ids[2]: 30}, 3)
        await edit(app, ids[0], 15)
        assert await run(cache_probe.figures, app.db.url, commune_id, YEAR) == ({ids[0]: 15, ids[1]: 20, ids[2]: 30}, 1)
        assert REPORTS.held() == {}  # the bot's own process read nothing
    finally:
        await app.close()


async def test_a_new_report_is_the_only_row_read_again_and_falls_in_its_place(bot):
    commune_id, ids = await add_reports(bot, [10, 30], day=date(YEAR, 3, 2))
    await figures(bot, commune_id)
    fetched = REPORTS.fetched
    async with bot.db.transaction() as repos:  # a day between the two: the rows stay in day order
        report = await repos.reports.get(ids[0])
        added = await repos.reports.add(Report(commune_id=commune_id, unit_id=report.unit_id,
                                               person_id=report.person_id, form_id="ngay_hoi",
                                               activity_date=date(YEAR, 1, 5), answers={"so_nguoi": 20},
                                               created_at=bot.clock()))
    snapshot = await read_snapshot(bot.db.reader, commune_id, YEAR)
    assert [row.id for row in snapshot.reports] == [added.id, *ids]
    assert REPORTS.fetched - fetched == 1
    assert await figures(bot, commune_id) == {added.id: 20, ids[0]: 10, ids[1]: 30}
    assert REPORTS.fetched - fetched == 1  # nothing written since: nothing fetched


async def test_a_report_written_around_the_repository_is_read_again_every_time(bot):
    """A row with no clock stamp (an INSERT or UPDATE that did not go through ReportRepo) cannot be told
    unchanged, so it is never trusted from the cache: its current answers always show."""
    commune_id, ids = await add_reports(bot, [10])
    await figures(bot, commune_id)
    async with bot.db.engine.begin() as connection:
        await connection.execute(text(
            "INSERT INTO report (commune_id, unit_id, person_id, form_id, activity_date, answers, created_at,"
            " revision) SELECT commune_id, unit_id, person_id, form_id, activity_date, '{\"so_nguoi\": 40}',"
            " created_at, 0 FROM report WHERE id = :id"), {"id": ids[0]})
    unstamped = ids[0] + 1
    assert await figures(bot, commune_id) == {ids[0]: 10, unstamped: 40}
    async with bot.db.engine.begin() as connection:
        await connection.execute(text("UPDATE report SET answers = '{\"so_nguoi\": 45}' WHERE id = :id"),
                                 {"id": unstamped})
    fetched = REPORTS.fetched
    assert await figures(bot, commune_id) == {ids[0]: 10, unstamped: 45}
    assert REPORTS.fetched - fetched == 1  # the unstamped one, not the other


async def test_a_clock_that_went_back_makes_a_full_read(sqlite_url, clock, tmp_path):
    """A database restored from a copy taken before the last edit: its clock is lower than the one the cache
    saw, and the edit the cache holds is no longer in the database."""
    app = await make_app(sqlite_url, clock, demo=False)
    try:
        commune_id, ids = await add_reports(app, [10, 20])
        path = sqlite_url.split("///", 1)[1]
        async with app.db.engine.begin() as connection:
            await connection.execute(text(f"VACUUM INTO '{tmp_path}/copy.db'"))
        await edit(app, ids[0], 15)
        assert await figures(app, commune_id) == {ids[0]: 15, ids[1]: 20}
        await app.close()
        shutil.copyfile(tmp_path / "copy.db", path)
        app = await make_app(sqlite_url, clock, demo=False)
        assert await figures(app, commune_id) == {ids[0]: 10, ids[1]: 20}
    finally:
        await app.close()


def held(rows: list[tuple[int, int | None]], clock: int) -> YearReports:
    """YearReports of rows (id, stamp), one a day from 1 January in id order."""
    made = [(report_id, 1, "ngay_hoi", date(YEAR, 1, n + 1), {}) for n, (report_id, _) in enumerate(rows)]
    return YearReports(made, clock, dict(rows), tuple(report_id for report_id, stamp in rows if stamp is None))


def test_a_later_reading_gives_back_an_earlier_state_when_only_reports_were_added_since():
    later = held([(1, 0), (2, 4), (3, 6), (4, 7)], clock=7)
    assert [row[0] for row in later.as_of(4, 2)] == [1, 2]  # 3 and 4 added after 4
    assert later.as_of(7, 4) is later.rows
    assert later.as_of(4, 3) is None  # three at 4: one of them was edited or deleted since
    assert later.as_of(8, 4) is None  # an earlier reading cannot give a later state
    with_unstamped = held([(1, 0), (2, None)], clock=3)
    assert with_unstamped.as_of(3, 2) is None  # an unstamped row cannot be placed in time
    assert [row[0] for row in with_unstamped.as_of(3, 1)] == [1]
