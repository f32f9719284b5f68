"""Compile a period's summary: a pure function of (plan, snapshot, period, now), no I/O, no clock.

Indicator values come only from the plan's aggregation kinds (plan.schema.Aggregation); there is
no per-indicator code. A quarter is shown with its year-to-date alongside, because the targets are
yearly: the status compares the year-to-date value with the target.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from operator import itemgetter
from zoneinfo import ZoneInfo

from plan.periods import Period, business_date, deadlines, window_of
from plan.petition_lifecycle import OPEN
from plan.schema import Aggregation, DueKind, FieldKind, Indicator, Plan, TimelineItem
from summaries.model import (
    Activity,
    IndicatorResult,
    Measure,
    OpenPetition,
    ReportRow,
    Snapshot,
    Status,
    Summary,
    SummaryError,
    TimelineResult,
    UnitResult,
)
from summaries.petitions import petition_share

Window = tuple[date, date]
BUSINESS_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
TITLE_FIELDS = ("ten", "ten_mo_hinh", "ten_hoat_dong", "ten_du_thao", "ten_lop", "chu_de", "noi_dung",
                "trich_yeu", "dia_diem", "ket_qua")


class _Index:
    """The year's reports grouped once, so each aggregation scans only its own form's reports."""

    def __init__(self, snapshot: Snapshot, period: Window, year_to_date: Window) -> None:
        self.all_units = {u.id: u for u in snapshot.units}
        self.units = {u.id: u for u in snapshot.units if u.active}
        self.unit_kind = {u.id: u.kind for u in snapshot.units}
        self.by_form: dict[str, list[ReportRow]] = defaultdict(list)
        self.by_unit: dict[int, list[ReportRow]] = defaultdict(list)
        for report in snapshot.reports:
            self.by_form[report.form_id].append(report)
            self.by_unit[report.unit_id].append(report)
        self.baselines = snapshot.baselines
        self.petitions = snapshot.petitions
        # one date test per report here, instead of one per report in every later step
        self.in_period = [r for r in snapshot.reports if period[0] <= r.activity_date <= period[1]]
        self.in_year_to_date = [r for r in snapshot.reports if year_to_date[0] <= r.activity_date <= year_to_date[1]]

    def matching(self, agg: Aggregation, window: Window) -> Iterable[ReportRow]:
        kinds, (first, last), unit_kind = {str(k) for k in agg.unit_kinds}, window, self.unit_kind
        for report in self.by_form.get(agg.form, ()):
            if not first <= report.activity_date <= last:
                continue
            if kinds and unit_kind.get(report.unit_id) not in kinds:
                continue
            if agg.where is not None and not _equals(report.answers.get(agg.where.field), agg.where.equals):
                continue
            yield report


def _equals(answer: object, wanted: str | bool) -> bool:
    if isinstance(wanted, bool):
        return answer is wanted or answer == wanted
    return str(answer) == wanted


def _number(value: object) -> float:
    """A stored number answer; anything else (skipped, text, a bool) counts as nothing."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value)


def _percent(numerator: float, denominator: float) -> Measure:
    value = 100.0 * numerator / denominator if denominator > 0 else None
    return Measure(value=value, numerator=numerator, denominator=denominator)


def _unit_coverage(index: _Index, agg: Aggregation, window: Window) -> Measure:
    kinds = {str(k) for k in agg.unit_kinds}
    eligible = {u.id for u in index.units.values() if u.kind in kinds}
    covered = {r.unit_id for r in index.matching(agg, window)} & eligible
    return _percent(len(covered), len(eligible))


def _activity_count(index: _Index, agg: Aggregation, window: Window) -> Measure:
    count = sum(1 for _ in index.matching(agg, window))
    return Measure(value=float(count), numerator=float(count), denominator=None)


def _field_sum_over_baseline(index: _Index, agg: Aggregation, window: Window) -> Measure:
    total = sum(_number(r.answers.get(agg.field)) for r in index.matching(agg, window))
    keys = set(agg.baseline)
    denominator = sum(value for (_unit, key), value in index.baselines.items() if key in keys)
    return _percent(total, denominator)


def _field_ratio(index: _Index, agg: Aggregation, window: Window) -> Measure:
    rows = list(index.matching(agg, window))
    resolved = sum(_number(r.answers.get(agg.field)) for r in rows)
    received = sum(_number(r.answers.get(agg.denominator_field)) for r in rows)
    return _percent(resolved, received)


def _petition_share(index: _Index, agg: Aggregation, window: Window) -> Measure:
    """Percent of the source's petition items received in the window that were answered or resolved by its end."""
    handled, total = petition_share(index.petitions, str(agg.source), *window)
    return _percent(handled, total)


AGGREGATIONS: dict[str, Callable[[_Index, Aggregation, Window], Measure]] = {
    "unit_coverage": _unit_coverage,
    "activity_count": _activity_count,
    "field_sum_over_baseline": _field_sum_over_baseline,
    "field_ratio": _field_ratio,
    "petition_share": _petition_share,
}


def measure(index: _Index, indicator: Indicator, window: Window) -> Measure:
    """The indicator's value over the window, by its aggregation kind; an unknown kind is an error."""
    compute = AGGREGATIONS.get(indicator.aggregate.kind)
    if compute is None:
        raise SummaryError(f"indicator {indicator.id}: unknown aggregation kind '{indicator.aggregate.kind}' "
                           f"(known: {', '.join(AGGREGATIONS)})")
    return compute(index, indicator.aggregate, window)


def status_of(value: Measure, target: float, year_end: date, today: date) -> Status:
    """đạt once the target is reached; đang thực hiện while the year's deadline is ahead; else chưa đạt."""
    if value.value is not None and value.value + 1e-9 >= target:
        return "dat"
    return "dang_thuc_hien" if today <= year_end else "chua_dat"


def _window(period: Period) -> Window:
    return period.start, period.end


def _indicators(plan: Plan, index: _Index, period: Period, ytd: Period, today: date) -> tuple:
    results = []
    for indicator in plan.indicators:
        in_period = measure(index, indicator, _window(period))
        cumulative = in_period if ytd == period else measure(index, indicator, _window(ytd))
        results.append(IndicatorResult(
            id=indicator.id, section=indicator.section, label_vi=indicator.label.vi,
            label_en=indicator.label.en, measure=indicator.measure,
            target=indicator.target, period=in_period, year_to_date=cumulative,
            status=status_of(cumulative, indicator.target, date(plan.year, 12, 31), today)))
    return tuple(results)


def required_forms(plan: Plan) -> dict[str, tuple[str, ...]]:
    """Per unit kind, the forms each such unit must report: those of unit_coverage indicators."""
    required: dict[str, list[str]] = defaultdict(list)
    for indicator in plan.indicators:
        agg = indicator.aggregate
        if agg.kind == "unit_coverage":
            for kind in agg.unit_kinds:
                if agg.form not in required[str(kind)]:
                    required[str(kind)].append(agg.form)
    return {kind: tuple(forms) for kind, forms in required.items()}


def _forms_by_unit(reports: list[ReportRow]) -> dict[int, Counter]:
    by_unit: dict[int, Counter] = defaultdict(Counter)
    for report in reports:
        by_unit[report.unit_id][report.form_id] += 1
    return by_unit


def _units(plan: Plan, index: _Index) -> tuple[UnitResult, ...]:
    required = required_forms(plan)
    in_period, in_ytd = _forms_by_unit(index.in_period), _forms_by_unit(index.in_year_to_date)
    results = []
    for unit in index.units.values():
        period_forms, ytd_forms = in_period.get(unit.id, Counter()), in_ytd.get(unit.id, Counter())
        needed = required.get(unit.kind, ())
        results.append(UnitResult(
            unit=unit, required=needed, done_in_period=tuple(f for f in needed if period_forms[f]),
            done_year_to_date=tuple(f for f in needed if ytd_forms[f]),
            reports_in_period=sum(period_forms.values()), reports_year_to_date=sum(ytd_forms.values())))
    return tuple(results)


def _timeline_item(item: TimelineItem, index: _Index, plan: Plan, snapshot: Snapshot, period: Period,
                   today: date) -> list[TimelineResult]:
    reports = index.by_form.get(item.form, []) if item.form else []
    if item.due.kind is DueKind.ONGOING:
        start, end = period.start, period.end
        count = sum(1 for r in reports if start <= r.activity_date <= end)
        return [TimelineResult(item.id, item.text, item.due.text, None, "ongoing", count)]
    results = []
    for deadline in deadlines(item, plan.year, snapshot.session_dates):
        start, end = window_of(item, plan.year, deadline)
        dates = sorted(r.activity_date for r in reports if start <= r.activity_date <= end)
        status = "done" if dates else "overdue" if deadline.due < today else "upcoming"
        results.append(TimelineResult(item.id, item.text, item.due.text, deadline.due, status, len(dates),
                                      dates[0] if dates else None))
    return results


def _timeline(plan: Plan, index: _Index, snapshot: Snapshot, period: Period, today: date) -> tuple:
    """Deadlines of items a report can close (items with a form), up to the period's end or still open."""
    results = []
    for item in plan.timeline:
        if item.form is None:
            continue
        for result in _timeline_item(item, index, plan, snapshot, period, today):
            if result.deadline is None or result.deadline <= period.end or result.status != "done":
                results.append(result)
    return tuple(results)


def activity_title(plan: Plan, activity: Activity) -> str:
    """A short description of an activity: its first filled name-like text field (renderers ask lazily)."""
    field_ids = {f.id for f in plan.form(activity.form_id).fields}
    for field_id in TITLE_FIELDS:
        value = activity.answers.get(field_id)
        if field_id in field_ids and isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _activities(plan: Plan, index: _Index) -> tuple[Activity, ...]:
    """The period's reports in date order; a form of an older plan version is listed nowhere."""
    forms = {f.id: f.label.vi for f in plan.forms}
    names = {u.id: u.name for u in index.all_units.values()}
    items = [Activity(r.id, r.activity_date, names.get(r.unit_id, ""), r.form_id, forms[r.form_id], r.answers)
             for r in index.in_period if r.form_id in forms]
    items.sort(key=itemgetter(1, 0))  # by day, then report number
    return tuple(items)


def _totals(plan: Plan, activities: tuple[Activity, ...]) -> dict[tuple[str, str], float]:
    number_fields = {f.id: [x.id for x in f.fields if x.kind is FieldKind.NUMBER] for f in plan.forms}
    totals: dict[tuple[str, str], float] = {}
    for activity in activities:
        for field_id in number_fields.get(activity.form_id, ()):
            value = activity.answers.get(field_id)
            if value is not None:
                key = (activity.form_id, field_id)
                totals[key] = totals.get(key, 0.0) + _number(value)
    return totals


def open_petitions(snapshot: Snapshot, names: dict[int, str], on: date) -> tuple[OpenPetition, ...]:
    """Items received by `on` and not closed by then (answered, resolved or redirected), oldest first."""
    items = [p for p in snapshot.petitions
             if p.received_on <= on and (p.status in OPEN if p.closed_on is None else p.closed_on > on)]
    items.sort(key=lambda p: (p.received_on, p.reference))
    return tuple(OpenPetition(p.reference, p.source_kind, names.get(p.unit_id, ""), p.content, p.received_on,
                              (on - p.received_on).days) for p in items)


def compile_summary(plan: Plan, snapshot: Snapshot, period: Period, now: datetime,
                    tz: ZoneInfo = BUSINESS_TZ) -> Summary:
    """The summary of `period` (a quarter, first half, nine months or the year) as of `now`."""
    if period.year != plan.year or snapshot.year != plan.year:
        raise SummaryError(f"the plan is for {plan.year}; asked for {period.key} with data of {snapshot.year}")
    today = business_date(now, tz)
    ytd = period.year_to_date()
    index = _Index(snapshot, _window(period), _window(ytd))
    activities = _activities(plan, index)
    reporting = {r.unit_id for r in index.in_period}
    return Summary(
        commune_name=snapshot.commune_name, province=snapshot.province, period=period, year_to_date=ytd,
        as_of=today, indicators=_indicators(plan, index, period, ytd, today),
        units=_units(plan, index), timeline=_timeline(plan, index, snapshot, period, today),
        counts=dict(Counter(a.form_id for a in activities)),
        counts_year_to_date=dict(Counter(r.form_id for r in index.in_year_to_date)),
        totals=_totals(plan, activities),
        silent_units=tuple(u for u in snapshot.units if u.active and u.id not in reporting),
        activities=activities,
        open_petitions=open_petitions(snapshot, {u.id: u.name for u in snapshot.units}, min(today, period.end)))
