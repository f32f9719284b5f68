"""What each page shows, built from repositories and summaries only (no SQL here), as plain values."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from core.i18n import Translate
from core.roles import REPORTER
from handlers.forms import format_value
from plan.periods import Period, business_date
from plan.schema import FieldKind, Plan
from storage.repositories import Repositories
from summaries.compile import compile_summary
from summaries.load import load_snapshot
from summaries.model import IndicatorResult, ReportRow, Snapshot, Summary

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class Scene:
    """One commune's year as every page starts from it: the snapshot and the period's summary."""

    commune_id: int
    snapshot: Snapshot
    summary: Summary
    period: Period
    today: date
    plan: Plan | None = None  # the commune's plan of the period's year (plan/book.py) the summary was compiled by


async def scene(repos: Repositories, plan: Plan, commune_id: int, period: Period, now: datetime,
                tz: ZoneInfo) -> Scene:
    return scene_of(plan, commune_id, await load_snapshot(repos, commune_id, plan.year), period, now, tz)


def scene_of(plan: Plan, commune_id: int, snapshot: Snapshot, period: Period, now: datetime, tz: ZoneInfo) -> Scene:
    return Scene(commune_id, snapshot, compile_summary(plan, snapshot, period, now, tz), period,
                 business_date(now, tz), plan)


def bar_percent(result: IndicatorResult) -> float | None:
    """How far the year-to-date value has come towards the target, 0–100 (the chart's bar length); None while the
    indicator has no value (a percent with nothing to divide by yet): shown as "—", as the value is, not 0 %."""
    if result.year_to_date.value is None:
        return None
    progress = result.year_to_date.progress(result.target) if result.target else None
    return max(0.0, min(100.0, progress or 0.0))


@dataclass
class GridRow:
    unit_id: int
    name: str
    kind: str
    head: str
    last_report: date | None
    cells: list[tuple[str, date | None]] = field(default_factory=list)  # per form: (state, date)
    missing: int = 0


def unit_grid(plan: Plan, sc: Scene, heads: dict[int, str], sort: str) -> tuple[list[str], list[GridRow]]:
    """Units × the period's required activities: ("done", date) / ("overdue", None) / ("missing", None)."""
    forms = list(dict.fromkeys(f for u in sc.summary.units for f in u.required))
    first, last = sc.period.start, sc.period.end
    done_on: dict[tuple[int, str], date] = {}
    latest: dict[int, date] = {}
    for r in sc.snapshot.reports:
        latest[r.unit_id] = max(latest.get(r.unit_id, r.activity_date), r.activity_date)
        if first <= r.activity_date <= last:
            key = (r.unit_id, r.form_id)
            done_on[key] = max(done_on.get(key, r.activity_date), r.activity_date)
    late = "overdue" if last < sc.today else "missing"
    rows = []
    for result in sc.summary.units:
        unit = result.unit
        row = GridRow(unit.id, unit.name, unit.kind, heads.get(unit.id, ""), latest.get(unit.id))
        for form_id in forms:
            if form_id not in result.required:
                row.cells.append(("na", None))
            elif (unit.id, form_id) in done_on:
                row.cells.append(("done", done_on[(unit.id, form_id)]))
            else:
                row.cells.append((late, None))
                row.missing += 1
        rows.append(row)
    keys = {"thieu": lambda r: (-r.missing, r.name), "moi": lambda r: (r.last_report or date.min, r.name)}
    rows.sort(key=keys.get(sort, lambda r: r.name.casefold()), reverse=sort == "moi")
    return forms, rows


async def unit_heads(repos: Repositories, commune_id: int) -> dict[int, str]:
    """Each unit's reporter (its front head), by name only — never a phone or chat id."""
    heads: dict[int, str] = {}
    for person in await repos.directory.people(commune_id):
        if person.active and person.role == REPORTER and person.unit_id is not None:
            heads.setdefault(person.unit_id, person.name)
    return heads


def filter_reports(sc: Scene, form_id: str | None, unit_id: int | None) -> list[ReportRow]:
    """The period's reports, newest first, optionally of one activity and one unit."""
    first, last = sc.period.start, sc.period.end
    rows = [r for r in sc.snapshot.reports if first <= r.activity_date <= last
            and (form_id is None or r.form_id == form_id) and (unit_id is None or r.unit_id == unit_id)]
    rows.sort(key=lambda r: (r.activity_date, r.id), reverse=True)
    return rows


def page_of(rows: list, asked: str | None) -> tuple[list, int, int]:
    """(the rows of the asked page, its number, the number of pages); a page out of range shows the nearest."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    number = int(asked) if asked and asked.isdigit() and len(asked) < 7 else 1
    number = min(max(number, 1), pages)
    return rows[(number - 1) * PAGE_SIZE:number * PAGE_SIZE], number, pages


def answer_lines(plan: Plan, form_id: str, answers: dict[str, Any], t: Translate, language: str,
                 unit_names: dict[int, str]) -> list[tuple[str, str]]:
    """(label, value as people read it) per field of the report's form; photos are listed apart."""
    form = next((f for f in plan.forms if f.id == form_id), None)
    if form is None:
        return [(key, str(value)) for key, value in answers.items()]
    reader = SimpleNamespace(language=language, t=t)
    return [(f.label.get(language), _safe_format(reader, f, answers.get(f.id), unit_names))
            for f in form.fields if f.kind is not FieldKind.PHOTO]


def _safe_format(reader: Any, form_field: Any, value: Any, unit_names: dict[int, str]) -> str:
    try:
        return format_value(reader, form_field, value, unit_names)
    except (TypeError, ValueError):  # an answer stored by an older form version: show it as it is
        return str(value)


def audit_lines(entries: list, names: dict[int, str], plan: Plan, language: str) -> list[dict[str, Any]]:
    """The report's history: when, who, what, and which answers changed (old → new)."""
    lines = []
    for entry in entries:
        before, after = entry.before or {}, entry.after or {}
        before_answers, after_answers = before.get("answers", before), after.get("answers", after)
        changed = sorted(k for k in set(before_answers) | set(after_answers)
                         if entry.action == "edit" and before_answers.get(k) != after_answers.get(k))
        lines.append({"at": entry.at, "who": names.get(entry.person_id, ""), "action": entry.action,
                      "changes": [(k, before_answers.get(k), after_answers.get(k)) for k in changed]})
    return lines


def petition_rows(sc: Scene, answer_days: int) -> list[dict[str, Any]]:
    """The register, overdue first (open longer than the answer period), then open, then closed; oldest first."""
    names = {u.id: u.name for u in sc.snapshot.units}
    rows = []
    for p in sc.snapshot.petitions:
        open_ = p.closed_on is None
        age = (sc.today - p.received_on).days
        overdue = open_ and age > answer_days
        rows.append({"reference": p.reference, "source": p.source_kind, "status": p.status, "unit": names.get(
            p.unit_id, ""), "content": p.content, "received_on": p.received_on, "closed_on": p.closed_on,
            "overdue": overdue, "open": open_, "age": age})
    rows.sort(key=lambda r: (not r["overdue"], not r["open"], r["received_on"], r["reference"]))
    return rows


def reminder_counts(occurrences: list, period: Period, tz: ZoneInfo) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for occurrence in occurrences:
        if period.contains(occurrence.due_at.astimezone(tz).date()):
            counts[occurrence.status] += 1
    return dict(counts)
