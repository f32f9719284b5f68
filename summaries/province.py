"""A province viewer's summary: the communes of one province side by side, one row per commune.

Each commune is compiled exactly as its own /tonghop is (compile_summary over its own snapshot, with its own
baselines), then reduced to what a province compares: reports in the period, active units without a report,
and every indicator's year-to-date value and state. Only unit names leave a commune (the silent units); no
person, answer, photo or petition does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.vnparse import fold
from plan.periods import Period, business_date
from plan.schema import Plan
from storage.db import Database
from storage.models import Commune
from storage.repositories import Repositories
from summaries.compile import compile_summary
from summaries.load import read_snapshot
from summaries.model import Snapshot, Status, Summary


@dataclass(frozen=True, slots=True)
class IndicatorHead:
    """An indicator as the province table's column shows it (the same for every commune: one plan)."""

    id: str
    section: str
    label_vi: str
    label_en: str
    measure: str  # percent, count
    target: float


@dataclass(frozen=True, slots=True)
class Cell:
    value: float | None  # year to date, as the commune's own /tonghop shows it
    status: Status


@dataclass(frozen=True, slots=True)
class CommuneRow:
    commune_id: int
    name: str
    reports: int  # reports of the period
    units: int  # active units
    silent: tuple[str, ...]  # names of the active units with no report in the period
    cells: tuple[Cell, ...]  # one per ProvinceSummary.indicators, in that order

    @property
    def reached(self) -> int:
        return sum(1 for cell in self.cells if cell.status == "dat")


@dataclass(frozen=True, slots=True)
class ProvinceSummary:
    province: str
    period: Period
    year_to_date: Period
    as_of: date
    indicators: tuple[IndicatorHead, ...]
    communes: tuple[CommuneRow, ...]

    def reached_by(self, index: int) -> int:
        """How many communes reached the indicator at `index`."""
        return sum(1 for row in self.communes if row.cells[index].status == "dat")

    @property
    def reports(self) -> int:
        return sum(row.reports for row in self.communes)


def commune_row(commune_id: int, summary: Summary) -> CommuneRow:
    active = sum(1 for u in summary.units if u.unit.active)
    return CommuneRow(commune_id, summary.commune_name, len(summary.activities), active,
                      tuple(u.name for u in summary.silent_units),
                      tuple(Cell(r.year_to_date.value, r.status) for r in summary.indicators))


def compile_row(plan: Plan, commune_id: int, snapshot: Snapshot, period: Period, now: datetime,
                tz: ZoneInfo) -> CommuneRow:
    return commune_row(commune_id, compile_summary(plan, snapshot, period, now, tz))


def compile_province(plan: Plan, province: str, snapshots: Sequence[tuple[int, Snapshot]], period: Period,
                     now: datetime, tz: ZoneInfo) -> ProvinceSummary:
    """Every commune's summary of `period`, side by side, communes in name order."""
    rows = [compile_row(plan, commune_id, snapshot, period, now, tz) for commune_id, snapshot in snapshots]
    return assemble(plan, province, rows, period, now, tz)


def assemble(plan: Plan, province: str, rows: Sequence[CommuneRow], period: Period, now: datetime,
             tz: ZoneInfo) -> ProvinceSummary:
    """The communes' rows (compiled now or kept from before) as one summary, communes in name order."""
    period = period.with_cutoff(plan.settings.period_cutoff)  # as compile_summary reads it
    heads = tuple(IndicatorHead(i.id, i.section, i.label.vi, i.label.en, i.measure, i.target)
                  for i in plan.indicators)
    ordered = tuple(sorted(rows, key=lambda row: (fold(row.name), row.commune_id)))
    return ProvinceSummary(province, period, period.year_to_date(), business_date(now, tz), heads, ordered)


async def province_communes(repos: Repositories, province: str) -> list[Commune]:
    """The communes whose province is `province` (the exact stored name, as the dashboard's scope reads it)."""
    return [c for c in await repos.directory.communes() if c.province == province]


async def province_of(repos: Repositories, commune_id: int) -> str | None:
    """A province viewer's province: the province of the commune their row hangs on."""
    commune = await repos.directory.commune(commune_id)
    return commune.province if commune else None


async def read_province(db: Database, province: str, year: int) -> list[tuple[int, Snapshot]]:
    """Every commune's year, read beside the writer (storage/reading.py): a province is up to 100,000 reports,
    and no chat may wait behind them for SQLite's one writer lock."""
    async with db.transaction() as repos:
        communes = await province_communes(repos, province)
    return [(c.id, await read_snapshot(db.reader, c.id, year)) for c in communes]
