"""The year's reports of a commune, decoded once per process and re-read only where they changed.

Between two /tonghop of a large commune only a few of its 100,000 reports change, yet each read fetched and
decoded every answers JSON again: 0.44–0.54 s of a render worker's CPU (docs/benchmarks.md). A `ReportCache`
keeps the rows a read built, per (database URL, commune, year), with the commune's report clock the read saw;
the next read fetches only the reports written since — then 60 ms of SQL and 50 ms of Python went on reading
every report's (id, revision) to find them; now one index range of a few rows.

Why it cannot serve stale figures — the invalidation rule:
- Every write of a report (added, edited, deleted) goes through storage/reports.ReportRepo, which raises its
  commune's clock (ReportClock) in the writing transaction and stamps the report with the new number
  (`change_seq`). The clock's row stays locked until the commit on PostgreSQL (SQLite has one writer anyway), so
  writes commit in the order of their numbers: a read that sees the clock at N sees every write up to N and none
  after, and whatever it saw of the reports is the same as any other read at N (summaries/data_version.py).
- A read fetches every report of the commune stamped after the clock it last saw (whatever its year: a report
  moved out of the year, or deleted, must leave it), or not stamped at all (written around the repository: read
  every time, never trusted), drops the cached rows of those ids and adds back the ones live in the year.
- The key holds the database URL: two databases never share rows, and a database only in memory (whose URL
  names no database) is never cached (`Reader.shareable`). A clock lower than the one seen (a database restored
  from a backup) makes the next read a full one; still, restart the bot after a restore (its workers go with it).
- Only reads of committed data use it (beside the writer, or a render worker's own connection); a read inside a
  writing transaction (`summaries.load.load_snapshot`) must see its own unflushed rows and never does.

Bounded by `max_reports` across all entries; the least recently read entry goes first. One per process: the bot's
(its Reader's threads) and each render worker's; entries are replaced whole, never changed, so threads share them.
"""

from __future__ import annotations

import threading
from bisect import insort
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from operator import itemgetter
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.engine import Connection

from storage.models import Report, ReportClock

# A report held costs ~1.5 KB (RSS +154 MB for a 2,000-village year of 100,250: bench/bench_worker_share.py), so
# this bounds each process's cache near 185 MB: one such commune-year, or many smaller ones.
MAX_REPORTS = 120_000
INSORT_AT_MOST = 64  # new rows put in place one by one; more, and the rows are sorted again (Timsort: two runs)
_ORDER = itemgetter(3, 0)  # a made row: (id, unit id, form id, day, answers): by day, then id

Key = tuple[str, int, int]  # database URL, commune id, year


@dataclass(frozen=True, slots=True)
class YearReports:
    """A commune-year's live reports as one read saw them."""

    rows: list  # as `make` built them, by day then id
    clock: int  # the commune's report clock that read saw
    stamps: dict[int, int | None]  # report id -> its change_seq (None: written around the repository)
    unstamped: tuple[int, ...]  # the ids stamped None, in order

    def as_of(self, clock: int, count: int) -> list | None:
        """The rows as they stood when the clock was at `clock`, if that moment held `count` of them: the rows
        stamped up to `clock` are unchanged since, so they are that moment's when there are as many (reports
        added since are left out; one edited, moved or deleted since cannot be rebuilt: None)."""
        if clock > self.clock:
            return None
        if clock == self.clock and not self.unstamped:
            return self.rows if count == len(self.rows) else None
        stamps = self.stamps
        chosen = [row for row in self.rows if (stamp := stamps[row[0]]) is not None and stamp <= clock]
        return chosen if len(chosen) == count else None


class ReportCache:
    def __init__(self, make: Callable[[tuple], Any] = tuple, max_reports: int = MAX_REPORTS) -> None:
        self.make, self.max_reports = make, max_reports  # make: (id, unit, form, day, answers) -> a row
        self._entries: OrderedDict[Key, YearReports] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.fetched = 0  # full rows read from the database (tests and bench/bench_worker_share.py look)

    def reports(self, connection: Connection, database: str, commune_id: int, start: date, end: date,
                year: int) -> YearReports:
        """The live reports of [start, end] in order (day, then id), as `make` builds them; on `connection`,
        which must read committed data only, in one read transaction."""
        key = (database, commune_id, year)
        with self._lock:
            known = self._entries.get(key)
            if known is not None:
                self._entries.move_to_end(key)
        clock = connection.execute(select(ReportClock.seq).where(ReportClock.commune_id == commune_id)).scalar()
        clock = clock or 0
        if known is None or clock < known.clock:  # never read, or the clock went back: a restored database
            held = self._whole(connection, commune_id, start, end, clock)
        else:
            held = self._since(connection, known, commune_id, start, end, clock)
        self._keep(key, held)
        return held

    def _whole(self, connection: Connection, commune_id: int, start: date, end: date, clock: int) -> YearReports:
        """Every live report of the year fetched."""
        fetched = connection.execute(_live(commune_id, start, end)).all()
        self.fetched += len(fetched)
        stamps = {row[0]: row[5] for row in fetched}
        return YearReports(self._made(fetched), clock, stamps,
                           tuple(row[0] for row in fetched if row[5] is None))

    def _since(self, connection: Connection, known: YearReports, commune_id: int, start: date, end: date,
               clock: int) -> YearReports:
        """`known` with the reports written after its clock (or never stamped) fetched again."""
        fetched = connection.execute(_written_after(commune_id, known.clock)).all()
        if not fetched:  # nothing written since (a clock moves only with a report's stamp)
            return known if clock == known.clock else replace(known, clock=clock)
        self.fetched += len(fetched)
        gone = {row[0] for row in fetched}
        stamps = dict(known.stamps)
        if gone.isdisjoint(stamps):  # only new reports: the usual case, no pass over the rows
            rows = list(known.rows)
        else:
            rows = [row for row in known.rows if row[0] not in gone]
            for report_id in gone:
                stamps.pop(report_id, None)
        fresh = [(row, stamp) for row, stamp, live in zip(self._made(fetched), (r[5] for r in fetched),
                                                          (r[6] for r in fetched), strict=True)
                 if live and start <= row[3] <= end]
        for row, stamp in fresh:
            stamps[row[0]] = stamp
        _put_in_order(rows, [row for row, _ in fresh])
        unstamped = tuple(row[0] for row in rows if stamps[row[0]] is None) if None in stamps.values() else ()
        return YearReports(rows, clock, stamps, unstamped)

    def _made(self, fetched: list) -> list:
        from storage.reading import decoded_reports

        return decoded_reports(fetched, self.make)

    def _keep(self, key: Key, held: YearReports) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self._size -= len(old.rows) if old is not None else 0
            if len(held.rows) > self.max_reports:
                return  # larger than the whole cache: read every time rather than evict everything else
            self._entries[key] = held
            self._size += len(held.rows)
            while self._size > self.max_reports:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted.rows)

    def holds(self, database: str, commune_id: int, year: int) -> bool:
        """Whether the year's reports of the commune in that database are kept (summaries/warm.py)."""
        with self._lock:
            return (database, commune_id, year) in self._entries

    def held(self) -> dict[Key, int]:
        """Reports held per key, least recently read first."""
        with self._lock:
            return {key: len(entry.rows) for key, entry in self._entries.items()}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


def _put_in_order(rows: list, fresh: list) -> None:
    """`fresh` rows put into `rows` (in order), keeping the order."""
    if len(fresh) <= INSORT_AT_MOST:
        for row in fresh:
            insort(rows, row, key=_ORDER)
    else:
        rows.extend(fresh)
        rows.sort(key=_ORDER)


def _columns() -> tuple:
    """(id, unit id, form id, day, answers, change_seq): storage/reading.report_columns and the stamp."""
    from storage.reading import report_columns

    return (*report_columns(), Report.change_seq)


def _live(commune_id: int, start: date, end: date):
    """The live reports of [start, end] in order."""
    return (select(*_columns())
            .where(Report.commune_id == commune_id, Report.deleted_at.is_(None),
                   Report.activity_date >= start, Report.activity_date <= end)
            .order_by(Report.activity_date, Report.id))


def _written_after(commune_id: int, clock: int):
    """Every report of the commune written after `clock` or never stamped, whatever its day, with whether it is
    live (a seventh column)."""
    return (select(*_columns(), Report.deleted_at.is_(None))
            .where(Report.commune_id == commune_id, or_(Report.change_seq > clock, Report.change_seq.is_(None))))
