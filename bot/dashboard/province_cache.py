"""Each commune's row of the province page, kept in the database while the commune's data is unchanged.

A province is up to a hundred communes and 100,000 reports, so the page never holds them all: each commune's
*row* (a few numbers and unit names) is stored (table provincerow) with the version of the data it was compiled
from (summaries/row_version.py: reports, petitions, units, baselines, the plan, the compiling code...). A view
reads the versions of every commune of the province (six statements) and the kept rows; a row is shown only when
its version is the current one, so after a report arrives only that commune is read and compiled again, and
after a restart nothing is: the rows are still in the database. Where no current row is kept (a province's first
view, a deploy that changed the compiler), a page compiles for at most its budget and shows the rest as being
updated (Pending), never with older numbers; the minute ticker (ProvinceWarmer) makes the current period's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from plan.book import PlanBook
from plan.periods import Period, business_date
from storage.db import Database
from summaries.load import read_snapshot
from summaries.province import ProvinceSummary, assemble, compile_row, heads_of, province_communes
from summaries.row_version import columns_digest, row_from_json, row_to_json, row_version

KEEP_BATCH = 10  # rows stored per transaction while a view compiles many


@dataclass(frozen=True, slots=True)
class Pending:
    """A commune whose row is not made yet (its data changed, or none was ever made): shown as being updated."""

    commune_id: int
    name: str


class ProvinceRows:
    """Each commune's compiled row, kept in the database while its version holds; counts what it reused."""

    def __init__(self, timer: Callable[[], float] = time.perf_counter) -> None:
        self.hits = self.misses = 0
        self.timer = timer  # what a page's budget is measured with (a test passes a fake one: no load dependence)

    async def summary(self, db: Database, plans: PlanBook, province: str, commune_ids: tuple[int, ...],
                      period: Period, now: datetime, tz: ZoneInfo) -> ProvinceSummary:
        """The province's summary with every commune's row (the files, the ticker): made now where not kept."""
        summary, _pending = await self.view(db, plans, province, commune_ids, period, now, tz)
        return summary

    async def view(self, db: Database, plans: PlanBook, province: str, commune_ids: tuple[int, ...],
                   period: Period, now: datetime, tz: ZoneInfo, budget: float | None = None
                   ) -> tuple[ProvinceSummary, tuple[Pending, ...]]:
        """The province's summary: kept rows where the commune is unchanged, the others read and compiled now —
        read beside the writer and compiled in a worker thread, so chats go on meanwhile — and kept. The columns
        are the first commune's plan (the viewer's anchor); each commune is compiled with its own.

        With a `budget` (seconds), communes are compiled only until it is spent (at least one): the rest come
        back as Pending — left out of the summary, never shown with old numbers — for the page to mark as being
        updated and ask again; the next view finds the rows made so far kept."""
        ids = list(commune_ids)
        columns = plans.for_year(ids[0], period.year)
        heads = heads_of(columns)
        columns_key = columns_digest(heads)
        async with db.transaction() as repos:
            reports, petitions = await repos.reports.data_versions(ids), await repos.petitions.data_versions(ids)
            directory = await repos.province_rows.directory_versions(ids, period.year)
            kept = await repos.province_rows.kept(ids, period.key, columns_key)
        today, started = business_date(now, tz), self.timer()
        rows, made, pending, compiled = [], {}, [], 0
        for commune_id in ids:
            plan = plans.for_year(commune_id, period.year)
            version = row_version(plan, columns_key, period, today, reports[commune_id], petitions[commune_id],
                                  directory[commune_id])
            if commune_id in kept and kept[commune_id][0] == version:
                self.hits += 1
                rows.append(row_from_json(commune_id, kept[commune_id][1]))
                continue
            if budget is not None and compiled and self.timer() - started >= budget:
                pending.append(Pending(commune_id, directory[commune_id][0][0]))
                continue
            self.misses += 1
            # Read after the version: a report landing in between is in the row but not in its version, so the
            # next view compiles it once more — never the other way round (a row older than its version).
            snapshot = await read_snapshot(db.reader, commune_id, period.year)
            row = await asyncio.to_thread(compile_row, plan, commune_id, snapshot, period, now, tz, heads)
            made[commune_id] = (version, row_to_json(row))
            compiled += 1
            rows.append(row)
            if len(made) == KEEP_BATCH:  # a long first view that is cut short still leaves its rows
                await _keep(db, period, columns_key, made, now)
        await _keep(db, period, columns_key, made, now)
        return assemble(columns, province, rows, period, now, tz), tuple(pending)


async def _keep(db: Database, period: Period, columns_key: str, made: dict, now: datetime) -> None:
    if made:
        async with db.transaction() as repos:
            await repos.province_rows.keep(period.key, columns_key, made, now)
        made.clear()


class ProvinceWarmer:
    """A ticker (every minute): the current period's rows of every province that has a province viewer, made
    again where a commune changed or none is kept (a new quarter, a deploy that changed the compiler) — so a
    province viewer's page is served from kept rows instead of reading a hundred communes while they wait.
    Unchanged: seven statements a province."""

    __name__ = "province_rows"

    def __init__(self, db: Database, plans: PlanBook, rows: ProvinceRows, tz: ZoneInfo,
                 current_period: Callable[[], Period]) -> None:
        self.db, self.plans, self.rows, self.tz, self.current_period = db, plans, rows, tz, current_period

    async def __call__(self, now: datetime) -> int:
        async with self.db.transaction() as repos:
            scopes = {province: tuple(c.id for c in await province_communes(repos, province))
                      for province in await repos.directory.provinces_with_viewers()}
        for province, ids in scopes.items():
            if ids:
                await self.rows.summary(self.db, self.plans, province, ids, self.current_period(), now, self.tz)
        return len(scopes)
