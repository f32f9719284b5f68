"""One commune's year as a Snapshot, by one read (storage/reading.read_summary_rows: plain columns, Core).

There used to be two readers — this module through the repositories, and the render job's read beside the
writer — kept in step only by a test. Now every way in runs the same read on some connection: a transaction's
(`load_snapshot`: the dashboard, the export CLI, tests), a read connection beside the writer (`read_snapshot`:
/tonghop, the quarter-end summary, a province), or a render worker's own (summaries/worker_jobs.py). So the
numbers the chat, the files and the dashboard show cannot come from two different readings of the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from plan.petition_lifecycle import reference
from storage.reading import Reader, SummaryRows, read_summary_rows
from storage.report_cache import ReportCache
from storage.repositories import Repositories
from summaries.model import PetitionRow, ReportRow, Snapshot, UnitInfo

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


# This process's decoded reports (storage/report_cache.py): the bot's, for its reads beside the writer, and each
# render worker's, so a second /tonghop re-reads only the reports edited, added or deleted since the first.
REPORTS = ReportCache(make=ReportRow._make)


def snapshot_in(connection: Connection, commune_id: int, year: int, database: str | None = None,
                seen: list | None = None) -> Snapshot:
    """Units (active or not), the year's baselines, live reports and petitions (plus older open ones). With the
    `database` URL, the reports come through REPORTS: only on a connection that reads committed data, the URL
    naming the database it reads (a file or a server, never one in memory); then `seen` (a list) is given the
    storage.report_cache.YearReports read (summaries/data_version.py)."""
    cached = (REPORTS, database) if database else None
    return snapshot_of(read_summary_rows(connection, commune_id, year, ReportRow._make, cached, seen), year)


async def load_snapshot(repos: Repositories, commune_id: int, year: int) -> Snapshot:
    """The Snapshot as the caller's transaction sees it (rows it added but has not flushed included)."""
    await repos.session.flush()
    connection = await repos.session.connection()
    return await connection.run_sync(snapshot_in, commune_id, year)


async def read_snapshot(reader: Reader, commune_id: int, year: int) -> Snapshot:
    """The same Snapshot read beside the writer (storage/reading.py): on SQLite the query and the building of
    100,000 rows happen in a worker thread, and no chat waits behind them for the writer's lock."""
    database = reader.db.url if reader.shareable else None  # :memory: URLs name no one database
    return await reader.run(lambda connection: snapshot_in(connection, commune_id, year, database))


def snapshot_of(rows: SummaryRows, year: int) -> Snapshot:
    name, province = rows.commune
    return Snapshot(
        commune_name=name, province=province, year=year,
        units=tuple(UnitInfo(uid, uname, kind, bool(active)) for uid, uname, kind, active in rows.units),
        baselines={(unit_id, key): value for unit_id, key, value in rows.baselines},
        reports=tuple(rows.reports),  # ReportRows already (snapshot_in's `make`)
        session_dates=tuple(rows.sessions),
        petitions=tuple(PetitionRow(pid, reference(pyear, number), unit_id, source, status, content, received, closed)
                        for pid, pyear, number, unit_id, source, status, content, received, closed in rows.petitions))
