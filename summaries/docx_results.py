"""Section II of the DOCX, as a chair writes it: targets as "4/5 khu dân cư (80%), chỉ tiêu 100%: chưa đạt",
each activity once under its own heading with what it was, and a table of each village's targets with dates.

Text a reporter typed without diacritics is highlighted for the editor (it would read as careless in print).
"""

from __future__ import annotations

import re
from datetime import date
from itertools import compress, islice
from operator import attrgetter, not_

from docx.document import Document as DocumentObject
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt

from core.i18n import Translate
from plan.schema import FieldKind, Indicator, Plan
from summaries.compile import activity_title
from summaries.docx_layout import body, grid_table
from summaries.model import Activity, IndicatorResult, Summary
from summaries.text_util import fmt_date, fmt_number, period_label, short, unit_label, xml_safe

MAX_LISTED = 25  # activities listed per heading; the XLSX holds every row
LEADERSHIP, OTHER = "I", ""  # activity headings besides the plan's indicator sections
UNIT_KIND_NOUNS = {"village": "docx.noun.village", "board": "docx.noun.board", "organisation": "docx.noun.organisation",
                   "party_cell": "docx.noun.party_cell"}
_LOWER_WORD = re.compile(r"\b[a-z][a-z]+\b")


def lacks_diacritics(text: str) -> bool:
    """Vietnamese typed without its marks ("to chuc ngay hoi"): plain ASCII with two or more lower-case words.
    A document number ("12-KH/MTTQ") or one word ("Zalo") is not flagged."""
    return text.isascii() and len(_LOWER_WORD.findall(text)) >= 2


def body_parts(doc: DocumentObject, parts: list[tuple[str, bool]]):
    """A body paragraph of several runs; the runs marked True are highlighted for the editor."""
    paragraph = body(doc, "")
    for content, marked in parts:
        run = paragraph.add_run(xml_safe(content))
        run.font.size = Pt(14)
        if marked:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return paragraph


def activity_sections(plan: Plan) -> dict[str, str]:
    """Each form's one heading: the first indicator section that counts it, else the section of the first
    timeline row it closes ("I" for part I), else the closing "other activities" heading."""
    sections = list(dict.fromkeys(i.section for i in plan.indicators))
    mapping: dict[str, str] = {}
    for indicator in plan.indicators:
        if indicator.aggregate.form:
            mapping.setdefault(indicator.aggregate.form, indicator.section)
    for item in plan.timeline:
        if item.form and item.form not in mapping:
            number = int(item.id.split(".")[1]) if item.id.startswith("II.") else 0
            mapping[item.form] = LEADERSHIP if number == 0 else \
                sections[number - 1] if number <= len(sections) else OTHER
    for form in plan.forms:
        mapping.setdefault(form.id, OTHER)
    return mapping


def _noun(t: Translate, plan: Plan, indicator: Indicator) -> str:
    """What the indicator counts: khu dân cư, hộ, người, kiến nghị, hoạt động."""
    agg = indicator.aggregate
    if agg.kind == "unit_coverage":
        kinds = {str(k) for k in agg.unit_kinds}
        return t(UNIT_KIND_NOUNS.get(kinds.pop(), "docx.noun.unit")) if len(kinds) == 1 else t("docx.noun.unit")
    if agg.kind == "field_sum_over_baseline" and agg.form and agg.field:
        unit = plan.form(agg.form).field(agg.field).unit
        return unit.vi if unit else ""
    return t("docx.noun.petition" if agg.kind == "petition_share" else "docx.noun.activity")


def reached_text(t: Translate, plan: Plan, result: IndicatorResult, *, cumulative: bool = True) -> str:
    """"4/5 khu dân cư (80%)" for a percent, "2 hoạt động" for a count, "—" without a denominator."""
    indicator = next(i for i in plan.indicators if i.id == result.id)
    measured = result.year_to_date if cumulative else result.period
    noun = _noun(t, plan, indicator)
    if result.measure == "count":
        return f"{fmt_number(measured.value)} {noun}".strip()
    if measured.value is None:
        return t("docx.no_value")
    return t("docx.reached", numerator=fmt_number(measured.numerator), denominator=fmt_number(measured.denominator),
             noun=noun, percent=fmt_number(measured.value)).replace("  ", " ")


def target_text(result: IndicatorResult) -> str:
    return f"{fmt_number(result.target)}%" if result.measure == "percent" else fmt_number(result.target)


def indicator_line(t: Translate, plan: Plan, summary: Summary, result: IndicatorResult) -> str:
    """"- 100% khu dân cư …: 6 tháng đầu năm 2026 đạt 4/5 khu dân cư (80%), chỉ tiêu 100%: chưa đạt; trong
    quý II: 1 khu dân cư." (the period part only when the period is not the year to date)."""
    key = "docx.target" if result.year_to_date.value is not None or result.measure == "count" else \
        "docx.target_no_value"
    line = t(key, label=result.label_vi, ytd_period=period_label(t, summary.year_to_date),
             reached=reached_text(t, plan, result), target=target_text(result),
             status=t(f"summary.status.{result.status}"), reason=t(result.no_value or "summary.no_value.reported"))
    if summary.period != summary.year_to_date:
        line += t("docx.target_in_period", period=period_label(t, summary.period),
                  reached=reached_text(t, plan, result, cumulative=False))
    return line + "."


def activity_parts(t: Translate, plan: Plan, activity: Activity) -> list[tuple[str, bool]]:
    """One activity as a line: date, unit, kind, then its title (highlighted when typed without diacritics),
    its choices and its figures."""
    form = plan.form(activity.form_id)
    details = []
    for f in form.fields:
        value = activity.answers.get(f.id)
        if value is None or value == "":
            continue
        if f.kind is FieldKind.CHOICE:
            details.append(next((o.label.vi for o in f.options if o.id == value), str(value)))
        elif f.kind is FieldKind.NUMBER and not isinstance(value, bool):
            unit = f" {f.unit.vi}" if f.unit else ""
            details.append(f"{f.label.vi.lower()} {fmt_number(float(value))}{unit}")
    title = activity_title(plan, activity)
    head = t("docx.activity", date=fmt_date(activity.day), unit=unit_label(t, activity.unit_name),
             form=activity.form_label)
    parts: list[tuple[str, bool]] = [(head, False)]
    if title:
        parts += [(": ", False), (short(title, 200), lacks_diacritics(title))]
    if details:
        parts.append((f" ({'; '.join(details)})", False))
    parts.append((".", False))
    return parts


def list_activities(doc: DocumentObject, summary: Summary, plan: Plan, t: Translate, heading: str) -> None:
    """The period's activities whose one heading is `heading`, each once."""
    listed, count = headed(summary, activity_sections(plan), heading)
    for activity in listed:
        body_parts(doc, activity_parts(t, plan, activity))
    if count > MAX_LISTED:
        body(doc, t("docx.activity_more", count=count - MAX_LISTED), italic=True)


def headed(summary: Summary, mapping: dict[str, str], heading: str) -> tuple[list[Activity], int]:
    """The first MAX_LISTED activities under `heading` (forms the plan no longer has land under OTHER) and how
    many there are. A large commune has 100,000 activities and 7 headings: the first ones are found by a lazy
    C-speed filter that stops at MAX_LISTED, and the count is the summary's per-form counts (the activities of
    the plan's forms, one per report of the period) unless those do not add up to the list."""
    if heading == OTHER:
        elsewhere = {form_id for form_id, section in mapping.items() if section != OTHER}
        marks = map(not_, map(elsewhere.__contains__, map(_FORM, summary.activities)))
        wanted = set(summary.counts) - elsewhere
    else:
        wanted = {form_id for form_id, section in mapping.items() if section == heading}
        marks = map(wanted.__contains__, map(_FORM, summary.activities))
    listed = list(islice(compress(summary.activities, marks), MAX_LISTED))
    if len(listed) < MAX_LISTED:
        return listed, len(listed)
    if sum(summary.counts.values()) == len(summary.activities) and set(summary.counts) <= set(mapping):
        return listed, sum(summary.counts.get(form_id, 0) for form_id in wanted)
    return listed, MAX_LISTED + sum(marks)  # the rest of the marks: those after the last listed


_FORM = attrgetter("form_id")


def villages_table(doc: DocumentObject, summary: Summary, plan: Plan, t: Translate) -> None:
    """Each village: which of the year's village targets it has met, with the date of its first report."""
    villages = [u for u in summary.units if u.unit.kind == "village" and u.unit.active]
    forms = list(dict.fromkeys(f for u in villages for f in u.required))
    if not villages or not forms:
        return
    header = [t("docx.appendix.number"), t("docx.villages.name"),
              *(short(plan.form(f).label.vi, 34) for f in forms), t("docx.villages.met")]
    rows = []
    shown: dict[date, str] = {}  # a year has 365 days and a large commune ~10,000 dates here: strftime once each
    for number, village in enumerate(villages, start=1):
        done = village.first_done
        dates = [(shown.get(done[f]) or shown.setdefault(done[f], fmt_date(done[f]))) if f in done else "✗"
                 for f in forms]
        rows.append([str(number), unit_label(t, village.unit.name), *dates,
                     f"{len(village.first_done)}/{len(forms)}"])
    rest = 165.0 - 12 - 35 - 14
    grid_table(doc, header, rows, [12.0, 35.0, *([rest / len(forms)] * len(forms)), 14.0], size=10)
    body(doc, t("docx.villages.legend", ytd_period=period_label(t, summary.year_to_date)), size=12, italic=True)
