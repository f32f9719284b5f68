"""The year's reports of a commune, decoded once per process and re-read only where they changed.

Between two /tonghop of a large commune only a few of its 100,000 reports change, yet each read fetched and
decoded every answers JSON again: 0.44–0.54 s of a render worker's CPU (docs/benchmarks.md). A `ReportCache`
keeps the rows a read built, per (database URL, commune, year), and the next read fetches only (id, revision) of
the year's live reports, then the full rows of the ids it does not hold at that revision.

Why it cannot serve stale figures — the invalidation rule:
- A report's row is kept under its (id, revision). `ReportRepo.update_answers`, the only statement that changes a
  report's answers or day (unit, form and commune never change), sets `revision = revision + 1` in SQL, so every
  committed edit is a new revision — two edits at the same instant, or racing on PostgreSQL, included.
- Which reports make the year (added, deleted, moved to another year) is read afresh each time: the light query
  has the read's own filters (live, the commune, the dates), and the entry is replaced by exactly the rows it
  returned, so a deleted report leaves the cache with the read that no longer sees it.
- The key holds the database URL: two databases never share rows, and a database only in memory (whose URL
  names no database) is never cached (`Reader.shareable`). A database restored from a backup under a running bot
  could reuse an id at the same revision: restart the bot after a restore (its render workers go with it).
- Only reads of committed data use it (beside the writer, or a render worker's own connection); a read inside a
  writing transaction (`summaries.load.load_snapshot`) must see its own unflushed rows and never does.

Bounded by `max_reports` across all entries; the least recently read entry goes first. One per process: the bot's
(its Reader's threads) and each render worker's; entries are replaced whole, never changed, so threads share them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import String, Text, select, type_coerce
from sqlalchemy.engine import Connection

from storage.models import Report

# A report held costs ~1.5 KB (RSS +154 MB for a 2,000-village year of 100,250: bench/bench_worker_share.py), so
# this bounds each process's cache near 185 MB: one such commune-year, or many smaller ones.
MAX_REPORTS = 120_000
CHUNK = 500  # ids per IN list when fetching the changed rows
FULL_READ_SHARE = 4  # over a chunk and 1/4 of the year to fetch: one read of the whole year beats IN lists

Key = tuple[str, int, int]  # database URL, commune id, year
Entry = dict[int, tuple[int, Any]]  # report id -> (revision, row)


class ReportCache:
    def __init__(self, make: Callable[[tuple], Any] = tuple, max_reports: int = MAX_REPORTS) -> None:
        self.make, self.max_reports = make, max_reports  # make: (id, unit, form, day, answers) -> a row
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.fetched = 0  # full rows read from the database (tests and bench/bench_worker_share.py look)

    def reports(self, connection: Connection, database: str, commune_id: int, start: date, end: date,
                year: int, versions: list | None = None) -> list:
        """The live reports of [start, end] in order (day, then id), as `make` builds them; on `connection`,
        which must read committed data only. `versions`, a list: extended with each report's (id, revision), in
        the same order (which state was read: summaries/data_version.py)."""
        key = (database, commune_id, year)
        with self._lock:
            known = self._entries.get(key)
            if known is not None:
                self._entries.move_to_end(key)
        if not known:
            rows, entry = self._whole(connection, commune_id, start, end)
        else:
            rows, entry = self._refreshed(connection, known, commune_id, start, end)
        self._keep(key, entry)
        if versions is not None:
            versions.extend((row[0], entry[row[0]][0]) for row in rows)  # a row starts with its id
        return rows

    def _refreshed(self, connection: Connection, known: Entry, commune_id: int, start: date,
                   end: date) -> tuple[list, Entry]:
        live = select(Report.id, Report.revision).where(*_filters(commune_id, start, end))
        current = connection.execute(live.order_by(Report.activity_date, Report.id)).all()
        entry, missing = {}, []
        for report_id, revision in current:
            held = known.get(report_id)
            if held is not None and held[0] == revision:
                entry[report_id] = held
            else:
                missing.append(report_id)
        if len(missing) > CHUNK and len(missing) * FULL_READ_SHARE > len(current):
            return self._whole(connection, commune_id, start, end)
        for n in range(0, len(missing), CHUNK):
            chunk = _live(commune_id, start, end).where(Report.id.in_(missing[n:n + CHUNK]))
            entry.update((row[0], (revision, row)) for revision, row in self._rows(connection, chunk))
        # Both statements see one moment (storage/reading.py: one read transaction, REPEATABLE READ on PostgreSQL);
        # were it not so, a report deleted between them would be absent from the second, and is skipped here.
        return [entry[report_id][1] for report_id, _ in current if report_id in entry], entry

    def _whole(self, connection: Connection, commune_id: int, start: date, end: date) -> tuple[list, Entry]:
        """Every live report of the year fetched: (the rows in order, the entry to keep)."""
        pairs = self._rows(connection, _live(commune_id, start, end))
        return [row for _, row in pairs], {pair[1][0]: pair for pair in pairs}  # a row starts with its id

    def _rows(self, connection: Connection, query) -> list[tuple[int, Any]]:
        """(revision, row) of the query's reports, decoded as storage/reading.py decodes them."""
        from storage.reading import decoded_reports

        fetched = connection.execute(query).all()
        self.fetched += len(fetched)
        return list(zip([row[5] for row in fetched], decoded_reports(fetched, self.make), strict=True))

    def _keep(self, key: Key, entry: Entry) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self._size -= len(old) if old is not None else 0
            if len(entry) > self.max_reports:
                return  # larger than the whole cache: read every time rather than evict everything else
            self._entries[key] = entry
            self._size += len(entry)
            while self._size > self.max_reports:
                _, evicted = self._entries.popitem(last=False)
                self._size -= len(evicted)

    def holds(self, database: str, commune_id: int, year: int) -> bool:
        """Whether the year's reports of the commune in that database are kept (summaries/warm.py)."""
        with self._lock:
            return (database, commune_id, year) in self._entries

    def held(self) -> dict[Key, int]:
        """Reports held per key, least recently read first."""
        with self._lock:
            return {key: len(entry) for key, entry in self._entries.items()}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


def _filters(commune_id: int, start: date, end: date) -> tuple:
    return (Report.commune_id == commune_id, Report.deleted_at.is_(None),
            Report.activity_date >= start, Report.activity_date <= end)


def _live(commune_id: int, start: date, end: date):
    """(id, unit id, form id, day, answers, revision) of the live reports, the day and the answers as stored
    text on SQLite (see storage/reading.decoded_reports)."""
    return (select(Report.id, Report.unit_id, Report.form_id, type_coerce(Report.activity_date, String),
                   type_coerce(Report.answers, Text), Report.revision)
            .where(*_filters(commune_id, start, end)).order_by(Report.activity_date, Report.id))
