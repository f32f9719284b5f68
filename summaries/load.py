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
from storage.repositories import Repositories
from summaries.model import PetitionRow, ReportRow, Snapshot, UnitInfo

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def snapshot_in(connection: Connection, commune_id: int, year: int) -> Snapshot:
    """Units (active or not), the year's baselines, live reports and petitions (plus older open ones)."""
    return snapshot_of(read_summary_rows(connection, commune_id, year), year)


async def load_snapshot(repos: Repositories, commune_id: int, year: int) -> Snapshot:
    """The Snapshot as the caller's transaction sees it (rows it added but has not flushed included)."""
    await repos.session.flush()
    connection = await repos.session.connection()
    return await connection.run_sync(snapshot_in, commune_id, year)


async def read_snapshot(reader: Reader, commune_id: int, year: int) -> Snapshot:
    """The same Snapshot read beside the writer (storage/reading.py): on SQLite the query and the building of
    100,000 rows happen in a worker thread, and no chat waits behind them for the writer's lock."""
    return await reader.run(lambda connection: snapshot_in(connection, commune_id, year))


def snapshot_of(rows: SummaryRows, year: int) -> Snapshot:
    name, province = rows.commune
    return Snapshot(
        commune_name=name, province=province, year=year,
        units=tuple(UnitInfo(uid, uname, kind, bool(active)) for uid, uname, kind, active in rows.units),
        baselines={(unit_id, key): value for unit_id, key, value in rows.baselines},
        reports=tuple(map(ReportRow._make, rows.reports)),  # (id, unit, form, day, answers): ReportRow's order
        session_dates=tuple(rows.sessions),
        petitions=tuple(PetitionRow(pid, reference(pyear, number), unit_id, source, status, content, received, closed)
                        for pid, pyear, number, unit_id, source, status, content, received, closed in rows.petitions))
