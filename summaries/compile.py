"""Compile a period's summary: a pure function of (plan, snapshot, period, now), no I/O, no clock.

Indicator values come only from the plan's aggregation kinds (plan.schema.Aggregation); there is
no per-indicator code. A quarter is shown with its year-to-date alongside, because the targets are
yearly: the status compares the year-to-date value with the target.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from itertools import repeat
from operator import attrgetter, methodcaller
from typing import Any
from zoneinfo import ZoneInfo

from plan.due import DueKind
from plan.periods import Period, business_date, cited_plan_date, deadlines, window_of
from plan.petition_lifecycle import OPEN
from plan.schema import FieldKind, Indicator, Plan, TimelineItem
from summaries.aggregations import TITLE_FIELDS, ReportIndex, Window, measure_aggregation, number
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
from summaries.petitions import tally

BUSINESS_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def measure(index: ReportIndex, indicator: Indicator, window: Window) -> Measure:
    """The indicator's value over the window, by its aggregation kind; an unknown kind is an error."""
    return measure_aggregation(index, indicator.id, indicator.aggregate, window)


def status_of(value: Measure, target: float, year_end: date, today: date) -> Status:
    """đạt once the target is reached; đang thực hiện while the year's deadline is ahead; else chưa đạt."""
    if value.value is not None and value.value + 1e-9 >= target:
        return "dat"
    return "dang_thuc_hien" if today <= year_end else "chua_dat"


def _window(period: Period) -> Window:
    return period.start, period.end


def _indicators(plan: Plan, index: ReportIndex, period: Period, ytd: Period, today: date) -> tuple:
    results = []
    for indicator in plan.indicators:
        in_period = measure(index, indicator, _window(period))
        cumulative = in_period if ytd == period else measure(index, indicator, _window(ytd))
        results.append(IndicatorResult(
            id=indicator.id, section=indicator.section, label_vi=indicator.label.vi,
            label_en=indicator.label.en, measure=indicator.measure,
            target=indicator.target, period=in_period, year_to_date=cumulative,
            status=status_of(cumulative, indicator.target, date(plan.year, 12, 31), today),
            no_value=_no_value(indicator, in_period, cumulative)))
    return tuple(results)


# Why a percent has no value (its denominator is 0), per aggregation: shown next to "—", never a division error.
NO_VALUE = {"petition_share": "summary.no_value.petitions", "field_sum_over_baseline": "summary.no_value.baseline",
            "unit_coverage": "summary.no_value.units", "field_ratio": "summary.no_value.reported"}


def _no_value(indicator: Indicator, *measures: Measure) -> str:
    if indicator.measure != "percent" or all(m.value is not None for m in measures):
        return ""
    return NO_VALUE.get(indicator.aggregate.kind, "summary.no_value.reported")


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


def _units(plan: Plan, index: ReportIndex) -> tuple[UnitResult, ...]:
    """Each active unit's required forms done (in the period, this year, first on) and its reports. Counted
    per unit id (an int key: no (unit, form) tuple per report) over every report, and per required form over
    that form's slice of the window (ReportIndex.form_in) only."""
    required = required_forms(plan)
    same = index.in_period is index.in_year_to_date  # a year's summary: one list, one count
    ytd_totals = Counter(map(_UNIT, index.in_year_to_date))
    period_totals = ytd_totals if same else Counter(map(_UNIT, index.in_period))
    done_ytd: dict[str, set[int]] = {}
    done_period: dict[str, set[int]] = {}
    first: dict[str, dict[int, date]] = {}  # form -> unit -> its first report's date this year
    for form_id in {form_id for forms in required.values() for form_id in forms}:
        reports = index.form_in(form_id, index.year_to_date)
        units = list(map(_UNIT, reports))
        done_ytd[form_id] = set(units)
        # in date order: the reversed pairs make a dict whose last (= first in date) write wins
        first[form_id] = dict(zip(reversed(units), map(_DAY, reversed(reports)), strict=True))
        done_period[form_id] = done_ytd[form_id] if same else \
            set(map(_UNIT, index.form_in(form_id, index.period)))
    results = []
    for unit in index.units.values():
        needed, unit_id = required.get(unit.kind, ()), unit.id
        results.append(UnitResult(
            unit=unit, required=needed, done_in_period=tuple(f for f in needed if unit_id in done_period[f]),
            done_year_to_date=tuple(f for f in needed if unit_id in done_ytd[f]),
            reports_in_period=period_totals[unit_id], reports_year_to_date=ytd_totals[unit_id],
            first_done={f: first[f][unit_id] for f in needed if unit_id in first[f]}))
    return tuple(results)


_UNIT = attrgetter("unit_id")
_DAY = attrgetter("activity_date")


def _timeline_item(item: TimelineItem, index: ReportIndex, plan: Plan, snapshot: Snapshot, period: Period,
                   today: date) -> list[TimelineResult]:
    if item.is_reference:  # the plan the report cites exists (plan.periods.deadlines: nothing due): done on its date
        return [TimelineResult(item.id, item.text, item.due.text, None, "done", 0, cited_plan_date(plan.reference),
                               cited=plan.reference)]
    reports = index.by_form.get(item.form, ()) if item.form else ()
    if item.where:  # most items take any report of their form: no test per report
        reports = [r for r in reports if item.matches(r.answers)]
    days = list(map(_DAY, reports))  # in date order (ReportIndex): a window is a slice, found by bisection
    if item.due.kind is DueKind.ONGOING:
        count = bisect_right(days, period.end) - bisect_left(days, period.start)
        return [TimelineResult(item.id, item.text, item.due.text, None, "ongoing", max(0, count))]
    results = []
    cutoff = plan.settings.period_cutoff
    for deadline in deadlines(item, plan.year, snapshot.session_dates, cutoff):
        start, end = window_of(item, plan.year, deadline, snapshot.session_dates, cutoff)
        dates = days[bisect_left(days, start):bisect_right(days, end)]
        status = "done" if dates else "overdue" if deadline.due < today else "upcoming"
        results.append(TimelineResult(item.id, item.text, item.due.text, deadline.due, status, len(dates),
                                      dates[0] if dates else None))
    return results


def _timeline(plan: Plan, index: ReportIndex, snapshot: Snapshot, period: Period, today: date) -> tuple:
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
    return title_from(title_fields(plan, activity.form_id), activity.answers)


def title_fields(plan: Plan, form_id: str) -> tuple[str, ...]:
    """The form's name-like text fields in the order a title is looked for (a renderer of 100,000 rows asks
    once per form)."""
    field_ids = {f.id for f in plan.form(form_id).fields}
    return tuple(field_id for field_id in TITLE_FIELDS if field_id in field_ids)


def title_from(fields: tuple[str, ...], answers: Mapping[str, Any]) -> str:
    for field_id in fields:
        value = answers.get(field_id)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _activities(plan: Plan, index: ReportIndex) -> tuple[Activity, ...]:
    """The period's reports in date order, then by report number (as ReportIndex keeps them); a form of an older
    plan version is listed nowhere."""
    forms = {f.id: f.label.vi for f in plan.forms}
    names = {u.id: u.name for u in index.all_units.values()}
    # a ReportRow unpacked and the tuple made as Activity._make makes it: a third less than Activity(r.id, …)
    # with its keyword-capable __new__, for 100,000 of them
    return tuple([_new_tuple(Activity, (report_id, day, names.get(unit_id, ""), form_id, forms[form_id], answers))
                  for report_id, unit_id, form_id, day, answers in index.in_period if form_id in forms])


_new_tuple = tuple.__new__


def _form_counts(plan: Plan, reports: list[ReportRow]) -> tuple[dict[str, int], dict[str, int]]:
    """Per form, its reports: of the plan's forms, and (sorted) of forms a corrected plan removed — stored and
    readable, but no form to count them."""
    forms = {f.id for f in plan.forms}
    counts = Counter(map(_FORM, reports))
    return ({form_id: n for form_id, n in counts.items() if form_id in forms},
            dict(sorted((form_id, n) for form_id, n in counts.items() if form_id not in forms)))


_FORM = attrgetter("form_id")


def _totals(plan: Plan, index: ReportIndex, window: Window) -> dict[tuple[str, str], float]:
    """(form, number field) -> the period's sum, keyed in the order the fields first have a value (activity by
    activity — by date, then report number — a form's fields in their order): the order the DOCX lists them.
    Summed per field over its form's reports of the period (ReportIndex.form_in: a slice of its date-ordered
    list), not field by field inside one loop over 100,000 activities."""
    found = []
    for form in plan.forms:
        fields = [f.id for f in form.fields if f.kind is FieldKind.NUMBER]
        reports = index.form_in(form.id, window) if fields else ()
        if not reports:
            continue
        rows = list(map(_ANSWERS, reports))
        plain = set(map(type, rows)) == {dict}  # then dict.get at C speed: 4× a methodcaller's per row
        for order, field_id in enumerate(fields):
            values = list(map(dict.get, rows, repeat(field_id)) if plain else map(methodcaller("get", field_id), rows))
            first = next((i for i, value in enumerate(values) if value is not None), None)
            if first is not None:
                found.append((_DAY_AND_ID(reports[first]), order, (form.id, field_id), _sum(values)))
    return {key: total for _first, _order, key, total in sorted(found)}


def _sum(values: list) -> float:
    """The sum of aggregations.number of each value: at C speed when every answer given is a plain number, not
    negative (nearly always). A falsy value (None, 0, False, "") adds nothing either way."""
    given = list(filter(None, values))
    if not given:
        return 0.0
    if set(map(type, given)) <= _PLAIN_NUMBERS and min(given) >= 0:
        return sum(given, 0.0)  # each int converted as float() would: the same additions in the same order
    return sum(map(number, given), 0.0)


_PLAIN_NUMBERS = {int, float}
_ANSWERS = attrgetter("answers")
_DAY_AND_ID = attrgetter("activity_date", "id")


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
    period = period.with_cutoff(plan.settings.period_cutoff)  # the plan's one definition of the period
    ytd = period.year_to_date()
    answer_days = plan.settings.petition_answer_days
    index = ReportIndex(snapshot, _window(period), _window(ytd), answer_days)
    activities = _activities(plan, index)
    reporting = set(map(attrgetter("unit_id"), index.in_period))
    counts, retired = _form_counts(plan, index.in_period)
    return Summary(
        commune_name=snapshot.commune_name, province=snapshot.province, period=period, year_to_date=ytd,
        as_of=today, indicators=_indicators(plan, index, period, ytd, today),
        units=_units(plan, index), timeline=_timeline(plan, index, snapshot, period, today),
        counts=counts, counts_year_to_date=dict(Counter(map(_FORM, index.in_year_to_date))),
        totals=_totals(plan, index, _window(period)),
        silent_units=tuple(u for u in snapshot.units if u.active and u.id not in reporting),
        activities=activities,
        open_petitions=open_petitions(snapshot, {u.id: u.name for u in snapshot.units}, min(today, period.end)),
        petitions=tally(snapshot.petitions, *_window(period), answer_days),
        petitions_year_to_date=tally(snapshot.petitions, *_window(ytd), answer_days), answer_days=answer_days,
        retired_forms=retired)
