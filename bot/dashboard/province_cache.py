"""Each commune's row of the province page, kept between page views while the commune's data is unchanged.

A province is up to a hundred communes and 100,000 reports, so the page never holds them all: each commune's
*row* (a few numbers and unit names) is kept while the commune's data version holds, checked for every commune
of the province in two statements; after a report arrives only that commune is read and compiled again. Rows
are made again too when the business day changes or after MAX_AGE (a unit renamed, a baseline corrected).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from plan.book import PlanBook
from plan.periods import Period, business_date
from storage.db import Database
from summaries.load import read_snapshot
from summaries.province import CommuneRow, ProvinceSummary, assemble, compile_row, heads_of, province_communes

MAX_AGE = timedelta(minutes=10)
ENTRIES = 1024  # rows kept: a province of 100 communes × a few periods (a row is a few hundred bytes)


class ProvinceRows:
    """Each commune's compiled row, kept while its reports and petitions are unchanged (same day, MAX_AGE)."""

    def __init__(self, max_age: timedelta = MAX_AGE, entries: int = ENTRIES) -> None:
        self.max_age, self.size = max_age, entries
        self._rows: OrderedDict[tuple, tuple[tuple, datetime, CommuneRow]] = OrderedDict()
        self.hits = self.misses = 0

    async def summary(self, db: Database, plans: PlanBook, province: str, commune_ids: tuple[int, ...],
                      period: Period, now: datetime, tz: ZoneInfo) -> ProvinceSummary:
        """The province's summary: kept rows where the commune (and its plan) is unchanged, the others read and
        compiled now — read beside the writer and compiled in a worker thread, so chats go on meanwhile. The
        columns are the first commune's plan (the viewer's anchor); each commune is compiled with its own."""
        ids = list(commune_ids)
        columns = plans.for_year(ids[0], period.year)
        heads = heads_of(columns)
        async with db.transaction() as repos:
            reports, petitions = await repos.reports.data_versions(ids), await repos.petitions.data_versions(ids)
        day = business_date(now, tz)
        rows = []
        for commune_id in ids:
            plan = plans.for_year(commune_id, period.year)
            version, key = (reports[commune_id], petitions[commune_id], plan, columns), (commune_id, period.key, day)
            kept = self._rows.get(key)
            if kept is not None and _same(kept[0], version) and now - kept[1] < self.max_age:
                self.hits += 1
                self._rows.move_to_end(key)
                rows.append(kept[2])
                continue
            self.misses += 1
            snapshot = await read_snapshot(db.reader, commune_id, period.year)
            row = await asyncio.to_thread(compile_row, plan, commune_id, snapshot, period, now, tz, heads)
            self._rows[key] = (version, now, row)
            rows.append(row)
        while len(self._rows) > self.size:
            self._rows.popitem(last=False)
        return assemble(columns, province, rows, period, now, tz)

    def clear(self) -> None:
        self._rows.clear()


def _same(kept: tuple, version: tuple) -> bool:
    """Data versions equal and the very same plans (a plan loaded since is another object: compile again)."""
    return kept[:2] == version[:2] and kept[2] is version[2] and kept[3] is version[3]


class ProvinceWarmer:
    """A ticker (every minute): the current period's rows of every province that has a province viewer, made
    again where a commune changed — so a province viewer's first page after a restart or a busy hour is served
    from kept rows instead of reading a hundred communes while they wait. Unchanged: two statements a province."""

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
