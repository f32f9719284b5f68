"""A summary's reads keep the decoded reports (storage/report_cache.py) and re-read only what changed — and never
show a figure the database no longer holds: edited, edited twice in the same second, deleted, another database.

Issue 21.1: the render job read and decoded all 100,000 reports of a large commune again for every /tonghop.
"""

from __future__ import annotations

from datetime import date

import pytest
from support import cache_probe
from support.app import make_app

from storage.models import Report
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
