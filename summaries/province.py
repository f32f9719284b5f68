"""A province viewer's summary: the communes of one province side by side, one row per commune.

Each commune is compiled exactly as its own /tonghop is (compile_summary over its own snapshot, with its own
baselines), then reduced to what a province compares: reports in the period, active units without a report,
and every indicator's year-to-date value and state. Only unit names leave a commune (the silent units); no
person, answer, photo or petition does.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
from summaries.model import IndicatorResult, Snapshot, Status, Summary


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
    status: Status | None  # None: the commune's own plan of the year has no such indicator
    no_value: str = ""  # why a percent is "—" (msgid, IndicatorResult.no_value), as the commune's /tonghop says


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

    @property
    def no_value_reasons(self) -> tuple[str, ...]:
        """The reasons (msgids) some cell is "—" for, each once, in the order the page meets them: its footnotes."""
        return tuple(dict.fromkeys(cell.no_value for row in self.communes for cell in row.cells if cell.no_value))

    def reached_by(self, index: int) -> int:
        """How many communes reached the indicator at `index`."""
        return sum(1 for row in self.communes if row.cells[index].status == "dat")

    @property
    def reports(self) -> int:
        return sum(row.reports for row in self.communes)


PlanOf = Callable[[int], Plan]  # a commune's own plan of the period's year (plan/book.PlanBook.for_year)


def heads_of(plan: Plan) -> tuple[IndicatorHead, ...]:
    return tuple(IndicatorHead(i.id, i.section, i.label.vi, i.label.en, i.measure, i.target) for i in plan.indicators)


def commune_row(commune_id: int, summary: Summary, heads: tuple[IndicatorHead, ...]) -> CommuneRow:
    """The commune's summary as one row; its indicators matched to the columns by id (plans may differ)."""
    active = sum(1 for u in summary.units if u.unit.active)
    results = {r.id: r for r in summary.indicators}
    cells = tuple(_cell(results[h.id]) if h.id in results else Cell(None, None) for h in heads)
    return CommuneRow(commune_id, summary.commune_name, len(summary.activities), active,
                      tuple(u.name for u in summary.silent_units), cells)


def _cell(result: IndicatorResult) -> Cell:
    no_value = result.no_value if result.year_to_date.value is None else ""
    return Cell(result.year_to_date.value, result.status, no_value)


def compile_row(plan: Plan, commune_id: int, snapshot: Snapshot, period: Period, now: datetime, tz: ZoneInfo,
                heads: tuple[IndicatorHead, ...]) -> CommuneRow:
    """One commune compiled with its own plan, exactly as its /tonghop is."""
    return commune_row(commune_id, compile_summary(plan, snapshot, period, now, tz), heads)


def compile_province(columns: Plan, plan_of: PlanOf, province: str, snapshots: Sequence[tuple[int, Snapshot]],
                     period: Period, now: datetime, tz: ZoneInfo) -> ProvinceSummary:
    """Every commune's summary of `period`, side by side, communes in name order; the indicators of `columns`
    (the viewer's anchor commune's plan) are the columns."""
    heads = heads_of(columns)
    rows = [compile_row(plan_of(commune_id), commune_id, snapshot, period, now, tz, heads)
            for commune_id, snapshot in snapshots]
    return assemble(columns, province, rows, period, now, tz)


def assemble(columns: Plan, province: str, rows: Sequence[CommuneRow], period: Period, now: datetime,
             tz: ZoneInfo) -> ProvinceSummary:
    """The communes' rows (compiled now or kept from before) as one summary, communes in name order."""
    period = period.with_cutoff(columns.settings.period_cutoff)  # as compile_summary reads it
    ordered = tuple(sorted(rows, key=lambda row: (fold(row.name), row.commune_id)))
    return ProvinceSummary(province, period, period.year_to_date(), business_date(now, tz), heads_of(columns),
                           ordered)


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
