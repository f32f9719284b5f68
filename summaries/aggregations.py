"""The plan's aggregation kinds: how an indicator's value is computed from the year's reports.

None of them counts a household, a person or an activity twice (docs/summaries.md, "No double counting"):
- unit_coverage counts units (a set), so a unit reporting twice is one unit;
- activity_count counts distinct activities: one unit reporting the same activity (same form, day and
  title) twice is one activity;
- field_sum_over_baseline counts people or households reached *for the first time this year* (the form asks
  for that number), per unit capped at the unit's own baseline; units without a baseline of their own
  (the commune, organisations) are pooled and fill at most what the units' own reports left uncovered;
  so the value never exceeds 100 %;
- field_ratio reads cumulative ("as of") figures: each unit's latest report in the window, its numerator
  capped at its denominator;
- petition_share counts petition records (summaries.petitions), each once.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from itertools import compress, islice
from operator import attrgetter, le

from core.vnparse import fold
from plan.schema import Aggregation
from summaries.model import Measure, ReportRow, Snapshot, SummaryError, UnitReach
from summaries.petitions import petition_share

Window = tuple[date, date]
TITLE_FIELDS = ("ten", "ten_mo_hinh", "ten_hoat_dong", "ten_du_thao", "ten_lop", "chu_de", "noi_dung",
                "trich_yeu", "dia_diem", "ket_qua", "ky_hop")


class ReportIndex:
    """The year's reports grouped once, so each aggregation scans only its own form's reports.

    One pass over the reports (100,000 for a large commune's year) files each under its form; the period and
    the year to date are slices of the date-ordered reports (the same list when the two windows are one, as
    for a year's summary); the lists keep the reports in date order (then by number), as the activities list
    needs them.
    """

    def __init__(self, snapshot: Snapshot, period: Window, year_to_date: Window, answer_days: int = 30) -> None:
        self.all_units = {u.id: u for u in snapshot.units}
        self.units = {u.id: u for u in snapshot.units if u.active}
        self.unit_kind = {u.id: u.kind for u in snapshot.units}
        self.baselines = snapshot.baselines
        self.year_start = year_to_date[0]  # 1 January, or the day after last year's Q4 cut-off
        self.period, self.year_to_date = period, year_to_date
        self.petitions = snapshot.petitions
        self.answer_days = answer_days  # "kịp thời" for petition_share with `timely`
        reports = in_date_order(snapshot.reports)
        by_form: dict[str, list[ReportRow]] = defaultdict(list)
        for report in reports:  # the one Python pass; the windows below are slices
            by_form[report.form_id].append(report)
        self.by_form = by_form
        days = list(map(_DAY, reports))
        self.in_period: list[ReportRow] = _between(reports, days, period)
        self.in_year_to_date: list[ReportRow] = self.in_period if period == year_to_date else \
            _between(reports, days, year_to_date)
        self._days: dict[str, list[date]] = {}  # per form, its reports' dates (made when a measure asks)

    def form_in(self, form_id: str | None, window: Window) -> Sequence[ReportRow]:
        """The form's reports in the window, in date order: a slice of its list, found by bisection."""
        reports = self.by_form.get(form_id, ())
        if not reports:
            return ()
        days = self._days.get(form_id)
        if days is None:
            days = self._days[form_id] = list(map(_DAY, reports))
        first, last = window
        return reports[bisect_left(days, first):bisect_right(days, last)]

    def matching(self, agg: Aggregation, window: Window) -> Sequence[ReportRow]:
        """The form's reports in the window (a slice: the list is in date order), of the unit kinds and passing
        the answer test the aggregation names, in date order; tested at C speed where the test allows."""
        reports = self.form_in(agg.form, window)
        if agg.unit_kinds:
            kinds = {str(k) for k in agg.unit_kinds}
            units = {unit_id for unit_id, kind in self.unit_kind.items() if kind in kinds}
            reports = list(compress(reports, map(units.__contains__, map(_UNIT, reports))))
        if agg.where is not None:
            accepts, field = agg.where.accepts, agg.where.field
            reports = [r for r in reports if accepts(r.answers.get(field))]
        return reports


def _between(reports: Sequence[ReportRow], days: list[date], window: Window) -> list[ReportRow]:
    """The reports dated in the window: a slice, as they are in date order (`days` their dates)."""
    first, last = window
    return list(reports[bisect_left(days, first):bisect_right(days, last)])


def in_date_order(reports: Sequence[ReportRow]) -> Sequence[ReportRow]:
    """The reports by activity date, then report number: as they are read (storage/reading.py), so usually
    only checked (a C-speed comparison of neighbours), sorted when not."""
    keys = list(map(_DAY_AND_ID, reports))
    if all(map(le, keys, islice(keys, 1, None))):
        return reports
    return sorted(reports, key=_DAY_AND_ID)


_DAY_AND_ID = attrgetter("activity_date", "id")
_DAY = attrgetter("activity_date")
_UNIT = attrgetter("unit_id")


def number(value: object) -> float:
    """A stored number answer; anything else (skipped, text, a bool, a negative) counts as nothing."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return 0.0
    return float(value)


def _percent(numerator: float, denominator: float, reach: tuple[UnitReach, ...] = ()) -> Measure:
    value = 100.0 * numerator / denominator if denominator > 0 else None
    return Measure(value=value, numerator=numerator, denominator=denominator, reach=reach)


def _unit_coverage(index: ReportIndex, agg: Aggregation, window: Window) -> Measure:
    kinds = {str(k) for k in agg.unit_kinds}
    eligible = {u.id for u in index.units.values() if u.kind in kinds}
    covered = set(map(_UNIT, index.matching(agg, window))) & eligible
    return _percent(len(covered), len(eligible))


def activity_key(report: ReportRow) -> tuple:
    """What makes two reports the same activity: the unit, the form, the day and the title (accents aside)."""
    # the first title field with a truthy answer, looked up at C speed (a generator per report cost more)
    title = next(filter(None, map(report.answers.get, TITLE_FIELDS)), None)
    return report.unit_id, report.form_id, report.activity_date, "" if title is None else fold(str(title))


def _activity_count(index: ReportIndex, agg: Aggregation, window: Window) -> Measure:
    count = len(set(map(activity_key, index.matching(agg, window))))
    return Measure(value=float(count), numerator=float(count), denominator=None)


def unit_reach(index: ReportIndex, agg: Aggregation, through: date) -> tuple[UnitReach, ...]:
    """Per unit holding a baseline, first-time reach from the year's start to `through`, capped at its baseline;
    then one pooled row for the units without a baseline of their own, capped at what is left uncovered."""
    keys = set(agg.baseline)
    # A unit deactivated during the year still had its households that year: its baseline counts when it reported.
    counted = set(index.units) | (set(map(_UNIT, index.in_year_to_date)) & index.all_units.keys())
    baseline: dict[int, float] = defaultdict(float)
    for (unit_id, key), value in index.baselines.items():
        if key in keys and unit_id in counted and value > 0:
            baseline[unit_id] += value
    reported: dict[int, float] = defaultdict(float)
    for report in index.matching(agg, (index.year_start, through)):
        reported[report.unit_id] += number(report.answers.get(agg.field))
    rows = [UnitReach(u, index.all_units[u].name, min(reported[u], baseline[u]), baseline[u], reported[u])
            for u in sorted(baseline, key=lambda u: index.all_units[u].name)]
    pooled = sum(value for unit_id, value in reported.items() if unit_id not in baseline)
    if pooled:
        left = max(0.0, sum(baseline.values()) - sum(r.reached for r in rows))
        rows.append(UnitReach(None, "", min(pooled, left), None, pooled))
    return tuple(rows)


def _field_sum_over_baseline(index: ReportIndex, agg: Aggregation, window: Window) -> Measure:
    """New coverage in the window = coverage by its end − coverage before its start (both capped)."""
    start, end = window
    reach = unit_reach(index, agg, end)
    reached = sum(r.reached for r in reach)
    if start > index.year_start:
        reached -= sum(r.reached for r in unit_reach(index, agg, start - timedelta(days=1)))
    denominator = sum(r.baseline for r in reach if r.baseline is not None)
    return _percent(max(0.0, reached), denominator, reach)


def _field_ratio(index: ReportIndex, agg: Aggregation, window: Window) -> Measure:
    """Cumulative figures: each unit's latest report in the window, numerator capped at its denominator."""
    latest: dict[int, ReportRow] = {}
    for report in index.matching(agg, window):
        kept = latest.get(report.unit_id)
        if kept is None or (report.activity_date, report.id) > (kept.activity_date, kept.id):
            latest[report.unit_id] = report
    received = resolved = 0.0
    for report in latest.values():
        denominator = number(report.answers.get(agg.denominator_field))
        received += denominator
        resolved += min(number(report.answers.get(agg.field)), denominator)
    return _percent(resolved, received)


def _petition_share(index: ReportIndex, agg: Aggregation, window: Window) -> Measure:
    """Percent of the source's petition items received in the window that were answered or resolved by its end
    (with `timely`: within the plan's petition_answer_days of receipt)."""
    handled, total = petition_share(index.petitions, str(agg.source), *window,
                                    answer_days=index.answer_days if agg.timely else None)
    return _percent(handled, total)


AGGREGATIONS: dict[str, Callable[[ReportIndex, Aggregation, Window], Measure]] = {
    "unit_coverage": _unit_coverage,
    "activity_count": _activity_count,
    "field_sum_over_baseline": _field_sum_over_baseline,
    "field_ratio": _field_ratio,
    "petition_share": _petition_share,
}


def measure_aggregation(index: ReportIndex, indicator_id: str, agg: Aggregation, window: Window) -> Measure:
    """The aggregation's value over the window; an unknown kind is an error naming the indicator."""
    compute = AGGREGATIONS.get(agg.kind)
    if compute is None:
        raise SummaryError(f"indicator {indicator_id}: unknown aggregation kind '{agg.kind}' "
                           f"(known: {', '.join(AGGREGATIONS)})")
    return compute(index, agg, window)
