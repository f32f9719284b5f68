"""Render workers' caches of large communes' reports filled before anyone asks for their /tonghop.

A render worker keeps a year's decoded reports (storage/report_cache.py), so a /tonghop of a 2,000-village commune
re-reads only what changed since the last one. The first /tonghop after a start (a deploy, a crash) found the
caches empty: each of the two workers fetched and decoded all 100,000 reports at once, 0.76 s of its CPU — half the
request (bench/bench_tonghop.py: 1.3–1.5 s the first time, 0.8–1.0 s after). This ticker has every worker read
those years in the background instead, at the workers' low priority, while nobody waits: once per worker
process — a worker whose cache holds the year already answers without reading.

Only years of at least WARM_MIN_REPORTS live reports, the largest first, as many as a worker's cache holds: a
village-size commune's year reads in milliseconds, and warming it would start two worker processes for nothing.
Which years qualify is one grouped count on the reader (18 ms over 100,000 reports), made again every RECOUNT.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from plan.periods import business_date
from storage.db import Database, is_database_fault, short_reason
from storage.reading import communes_by_reports
from storage.report_cache import MAX_REPORTS
from summaries.render_pool import RenderPool

log = logging.getLogger(__name__)
WARM_MIN_REPORTS = 10_000  # below this a year's cold read costs tens of milliseconds: not worth a process
RECOUNT = timedelta(minutes=15)

Target = tuple[int, int]  # commune id, year


class RenderWarmer:
    """A ticker: the worker processes read the current year of the largest communes before it is asked for."""

    __name__ = "render_warm"

    def __init__(self, db: Database, pool: RenderPool, tz: ZoneInfo, *, min_reports: int = WARM_MIN_REPORTS,
                 max_reports: int = MAX_REPORTS) -> None:
        self.db, self.pool, self.tz = db, pool, tz
        self.min_reports, self.max_reports = min_reports, max_reports
        self.targets: tuple[Target, ...] = ()
        self._counted_at: datetime | None = None
        self._task: asyncio.Task | None = None
        self.warm_fn = warm_in_worker  # what the workers run (tests put a misbehaving one)

    def enabled(self) -> bool:
        """Workers read the database themselves only with processes and a database they can open (not :memory:)."""
        return self.pool.processes > 0 and self.db.reader.shareable

    async def __call__(self, now: datetime) -> int:
        """Start warming in the background (a tick never waits behind a worker busy rendering); how many years."""
        if not self.enabled() or (self._task is not None and not self._task.done()):
            return 0
        if self._counted_at is None or now - self._counted_at >= RECOUNT:
            year = business_date(now, self.tz).year
            self.targets = await self.db.reader.run(lambda connection: self._largest(connection, year))
            self._counted_at = now
        if self.targets:
            self._task = asyncio.create_task(self._warm(self.targets))
        return len(self.targets)

    async def settled(self) -> None:
        """Until the warming a tick started is over (tests, the benchmark)."""
        if self._task is not None:
            await asyncio.shield(self._task)

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def _largest(self, connection, year: int) -> tuple[Target, ...]:
        """The year's communes of at least min_reports live reports, largest first, within one cache's bound."""
        chosen, held = [], 0
        for commune_id, reports in communes_by_reports(connection, year, self.min_reports):
            if held + reports <= self.max_reports:
                chosen.append((commune_id, year))
                held += reports
        return tuple(chosen)

    async def _warm(self, targets: tuple[Target, ...]) -> None:
        calls = [self.pool.run_on(slot, self.warm_fn, self.db.url, targets) for slot in range(self.pool.processes)]
        for outcome in await asyncio.gather(*calls, return_exceptions=True):
            if isinstance(outcome, Exception):  # the next tick tries again; a /tonghop reads for itself meanwhile
                reason = short_reason(outcome) if is_database_fault(outcome) else repr(outcome)
                log.warning("warming the render workers' reports failed: %s", reason)
            elif outcome:
                log.info("a render worker read %d reports ahead of /tonghop", outcome)


def warm_in_worker(database_url: str, targets: tuple[Target, ...]) -> int:
    """In a render worker: each target year not in this worker's cache read into it, as a summary reads it; how
    many reports were fetched (0 when all were held)."""
    from storage.reading import read_in_process
    from summaries.gc_pause import paused_gc
    from summaries.load import REPORTS, snapshot_in

    fetched = REPORTS.fetched
    for commune_id, year in targets:
        if REPORTS.holds(database_url, commune_id, year):
            continue
        with paused_gc():  # 100,000 rows of tuples and dicts: the collector would walk them again and again
            read_in_process(database_url, lambda connection, c=commune_id, y=year:
                            snapshot_in(connection, c, y, database_url))
    return REPORTS.fetched - fetched
