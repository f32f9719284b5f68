"""Read one commune's year from storage into a Snapshot, through repositories only."""

from __future__ import annotations

from datetime import date

from plan.petition_lifecycle import reference
from storage.reading import Reader, SummaryRows, read_summary_rows
from storage.repositories import Repositories
from summaries.model import PetitionRow, ReportRow, Snapshot, UnitInfo


async def load_snapshot(repos: Repositories, commune_id: int, year: int) -> Snapshot:
    """Units (active or not), the year's baselines, live reports and petitions (plus older open ones)."""
    commune = await repos.directory.commune(commune_id)
    if commune is None:
        raise LookupError(f"no commune with id {commune_id}")
    units = await repos.directory.units(commune_id, active_only=False)
    baselines = await repos.directory.baselines(commune_id, year)
    # from December of the year before: with a cut-off day, Quý I starts there (plan.periods.Period)
    reports = await repos.reports.rows_in_commune(commune_id, date(year - 1, 12, 1), date(year, 12, 31))
    return Snapshot(
        commune_name=commune.name, province=commune.province, year=year,
        units=tuple(UnitInfo(u.id, u.name, u.kind, u.active) for u in units),
        baselines={(b.unit_id, b.key): b.value for b in baselines},
        reports=tuple(ReportRow(report_id, unit_id, form_id, day, answers or {})
                      for report_id, unit_id, form_id, day, answers in reports),
        session_dates=tuple(await repos.reminders.sessions(commune_id)),
        petitions=await _petitions(repos, commune_id, year))


async def _petitions(repos: Repositories, commune_id: int, year: int) -> tuple[PetitionRow, ...]:
    """The year's items, and items of earlier years still open (they belong on the open list)."""
    items = {p.id: p for p in await repos.petitions.open_items(commune_id) if p.received_on.year < year}
    items.update((p.id, p) for p in await repos.petitions.in_commune(commune_id, date(year - 1, 12, 1),
                                                                    date(year, 12, 31)))
    return tuple(PetitionRow(p.id, reference(p.year, p.number), p.unit_id, p.source_kind, p.status, p.content,
                             p.received_on, p.closed_on) for p in items.values())


async def read_snapshot(reader: Reader, commune_id: int, year: int) -> Snapshot:
    """The same Snapshot as load_snapshot, read beside the writer (storage/reading.py): on SQLite the query and the
    building of 100,000 rows happen in a worker thread, and no chat waits behind them for the writer's lock."""
    return await reader.run(lambda connection: snapshot_of(read_summary_rows(connection, commune_id, year), year))


def snapshot_of(rows: SummaryRows, year: int) -> Snapshot:
    name, province = rows.commune
    return Snapshot(
        commune_name=name, province=province, year=year,
        units=tuple(UnitInfo(uid, uname, kind, bool(active)) for uid, uname, kind, active in rows.units),
        baselines={(unit_id, key): value for unit_id, key, value in rows.baselines},
        reports=tuple(ReportRow(report_id, unit_id, form_id, day, answers or {})
                      for report_id, unit_id, form_id, day, answers in rows.reports),
        session_dates=tuple(rows.sessions),
        petitions=tuple(PetitionRow(pid, reference(pyear, number), unit_id, source, status, content, received, closed)
                        for pid, pyear, number, unit_id, source, status, content, received, closed in rows.petitions))
