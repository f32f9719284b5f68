"""The quarterly report as a DOCX in the layout MTTQ offices use (Nghị định 30/2020; Party: HD 36-HD/VPTW).

Numbers and lists come from the Summary; judgement (ưu điểm, hạn chế, phương hướng, kiến nghị) is left as
clearly marked placeholders for the chair — this module never writes prose of its own.
"""

from __future__ import annotations

import io
import re
from datetime import date
from operator import attrgetter

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_COLOR_INDEX

from core.i18n import Translate
from plan.periods import Period
from plan.schema import Plan
from summaries.docx_layout import (
    CENTER,
    TEXT_WIDTH_MM,
    body,
    page_numbers_from_page_two,
    setup_document,
    short_rule,
    text,
    two_columns,
)
from summaries.docx_petitions import open_petitions_appendix, open_petitions_line
from summaries.docx_results import (
    LEADERSHIP,
    OTHER,
    activity_sections,
    indicator_line,
    list_activities,
    reached_text,
    target_text,
    villages_table,
)
from summaries.docx_tables import appendix
from summaries.model import DocumentSettings, IndicatorResult, Summary, TimelineResult
from summaries.text_util import admin_date_parts, fmt_date, fmt_number, period_label, unit_label

LEFT_MM, RIGHT_MM = TEXT_WIDTH_MM * 0.4, TEXT_WIDTH_MM * 0.6  # the Quốc hiệu (12 pt bold) needs ~95 mm
PARTY_MM = TEXT_WIDTH_MM * 0.47  # Party variant: "ĐẢNG BỘ TỈNH THÁI NGUYÊN" (14 pt) beside "ĐẢNG CỘNG SẢN VIỆT NAM"
SECTION_TITLES = ("docx.section.unity", "docx.section.supervision", "docx.section.criticism",
                  "docx.section.party_building", "docx.section.training")


def scheme_name(plan: Plan) -> str:
    """"Đề án số 13-ĐA/TU" as the plan's title names it, else the whole title."""
    found = re.search(r"Đề án số\s+[\w./-]+", plan.title)
    return found.group(0).rstrip(".,") if found else plan.title


def render_docx(summary: Summary, plan: Plan, t: Translate, settings: DocumentSettings, *, party: bool = False,
                issued_on: date | None = None) -> bytes:
    """The whole report (with the per-unit appendix) as DOCX bytes."""
    doc = Document()
    setup_document(doc, 14)
    page_numbers_from_page_two(doc)
    _header(doc, summary, t, settings, party, issued_on or summary.as_of)
    period = period_label(t, summary.period)
    text(doc, t("docx.title"), size=14, bold=True, align=CENTER, space_after=0).paragraph_format.space_before = 12
    text(doc, t("docx.subject", scheme=scheme_name(plan), period=period), size=14, bold=True, align=CENTER,
         space_after=12)
    issuer = t("docx.party_issuer_phrase" if party else "docx.issuer_phrase", commune=summary.commune_name)
    body(doc, t("docx.opening", scheme=plan.scheme or plan.title, reference=plan.reference, year=plan.year,
                issuer=issuer, period=period))
    _leadership(doc, summary, plan, t)
    _results(doc, summary, plan, t)
    _assessment(doc, summary, plan, t)
    _closing(doc, summary, plan, t, issuer, period)
    _signature(doc, summary, t, settings, party)
    day, month, year = admin_date_parts(issued_on or summary.as_of)
    appendix(doc, summary, plan, t, attached=t(
        "docx.appendix.attached", number=settings.number or "      ",
        suffix=settings.party_number_suffix if party else settings.number_suffix, day=day, month=month, year=year,
        issuer=issuer))
    open_petitions_appendix(doc, summary, t)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _header(doc: DocumentObject, summary: Summary, t: Translate, s: DocumentSettings, party: bool,
            issued_on: date) -> None:
    left, right = two_columns(doc, *((PARTY_MM, TEXT_WIDTH_MM - PARTY_MM) if party else (LEFT_MM, RIGHT_MM)))
    commune = summary.commune_name.upper()
    if party:
        text(left, t("docx.party_province", province=summary.province.upper()), size=14, align=CENTER)
        text(left, t("docx.party_commune", commune=commune), size=14, bold=True, align=CENTER)
        text(left, "*", size=14, align=CENTER)
        text(left, t("docx.party_number", number=s.number or "    ", suffix=s.party_number_suffix), size=14,
             align=CENTER)
        text(right, t("docx.party_name"), size=15, bold=True, underline=True, align=CENTER, space_after=12)
    else:
        text(left, s.issuer.upper(), size=13, align=CENTER)
        text(left, t("docx.commune_line", commune=commune), size=13, align=CENTER)
        text(left, s.board.upper(), size=13, bold=True, align=CENTER)
        short_rule(left, 25, LEFT_MM)
        text(left, t("docx.number", number=s.number or "      ", suffix=s.number_suffix), size=13, align=CENTER)
        text(right, t("docx.republic"), size=12, bold=True, align=CENTER)
        text(right, t("docx.motto"), size=13, bold=True, align=CENTER)
        short_rule(right, 60, RIGHT_MM)
    day, month, year = admin_date_parts(issued_on)
    text(right, t("docx.date_line", place=summary.commune_name, day=day, month=month, year=year), size=14,
         italic=True, align=CENTER)


def _heading(doc: DocumentObject, content: str) -> None:
    body(doc, content, bold=True).paragraph_format.first_line_indent = None


def placeholder(doc: DocumentObject, content: str) -> None:
    """A marked gap for the chair's own judgement: bracketed, bold italic, highlighted."""
    paragraph = body(doc, content, bold=True, italic=True)
    for run in paragraph.runs:
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW


def _timeline_line(t: Translate, item: TimelineResult) -> str:
    params = {"id": item.item_id, "text": item.text.rstrip(". "), "due": item.due_text, "count": item.reports,
              "deadline": fmt_date(item.deadline) if item.deadline else "",
              "date": fmt_date(item.done_on) if item.done_on else "", "reference": item.cited}
    return t("docx.timeline.cited" if item.cited else f"docx.timeline.{item.status}", **params)


def _leadership(doc: DocumentObject, summary: Summary, plan: Plan, t: Translate) -> None:
    _heading(doc, t("docx.section.leadership"))
    for item in summary.timeline:
        if item.item_id.startswith("I."):
            body(doc, _timeline_line(t, item))
    list_activities(doc, summary, plan, t, LEADERSHIP)
    placeholder(doc, t("docx.placeholder.leadership"))


def _reach(doc: DocumentObject, t: Translate, plan: Plan, result: IndicatorResult) -> None:
    """Coverage indicators: each unit's reached / baseline, so the chair sees where the percentage comes from."""
    by_baseline = next(i.aggregate.kind == "field_sum_over_baseline" for i in plan.indicators if i.id == result.id)
    if not by_baseline:
        return
    if result.year_to_date.value is None:
        body(doc, t("docx.reach_no_baseline"), italic=True)
        return
    parts = [t("docx.reach_pool", reached=fmt_number(r.reached)) if r.unit_id is None else
             t("docx.reach_unit", unit=unit_label(t, r.name), reached=fmt_number(r.reached),
               baseline=fmt_number(r.baseline)) for r in result.year_to_date.reach]
    if parts:
        body(doc, t("docx.reach_line", units="; ".join(parts)))


def _results(doc: DocumentObject, summary: Summary, plan: Plan, t: Translate) -> None:
    _heading(doc, t("docx.section.results"))
    body(doc, t("docx.counts", count=len(summary.activities), ytd_period=period_label(t, summary.year_to_date),
                ytd=sum(summary.counts_year_to_date.values())))
    forms = {f.id: f for f in plan.forms}
    for form_id, count in sorted(summary.counts.items(), key=lambda item: -item[1]):
        body(doc, t("docx.count_line", form=forms[form_id].label.vi, count=count,
                    ytd=summary.counts_year_to_date.get(form_id, 0)))
    for (form_id, field_id), total in summary.totals.items():
        field = forms[form_id].field(field_id)
        unit = field.unit.vi if field.unit else ""
        body(doc, t("docx.total_line", form=forms[form_id].label.vi, field=field.label.vi,
                    total=fmt_number(total), unit=unit).rstrip())
    sections = list(dict.fromkeys(i.section for i in summary.indicators))
    for number, section in enumerate(sections, start=1):
        title_id = SECTION_TITLES[number - 1] if number <= len(SECTION_TITLES) else "docx.section.other"
        _heading(doc, t(title_id, number=number, section=section))
        for result in (r for r in summary.indicators if r.section == section):
            body(doc, indicator_line(t, plan, summary, result))
            _reach(doc, t, plan, result)
        list_activities(doc, summary, plan, t, section)
        for item in summary.timeline:
            if item.item_id.startswith(f"II.{number}."):
                body(doc, _timeline_line(t, item))
    open_petitions_line(doc, summary, t)
    number = len(sections) + 1
    other = {form_id for form_id, heading in activity_sections(plan).items() if heading == OTHER}  # once, not per row
    if not other.isdisjoint(map(attrgetter("form_id"), summary.activities)):  # C speed, stops at the first
        _heading(doc, t("docx.section.other_activities", number=number))
        list_activities(doc, summary, plan, t, OTHER)
        number += 1
    _villages(doc, summary, plan, t, number)


def _villages(doc: DocumentObject, summary: Summary, plan: Plan, t: Translate, number: int) -> None:
    _heading(doc, t("docx.section.villages", number=number))
    villages = [u for u in summary.units if u.unit.kind == "village" and u.unit.active]
    reported = sum(1 for u in villages if u.reports_in_period)
    body(doc, t("docx.villages", reported=reported, total=len(villages)))
    if summary.silent_units:
        names = ", ".join(unit_label(t, u.name) for u in summary.silent_units)
        body(doc, t("docx.silent", names=names))
    villages_table(doc, summary, plan, t)
    body(doc, t("docx.see_appendix"))


def next_period(period: Period) -> Period | None:
    """The period after this one within the plan year (the quarter after a quarter, a half or nine months)."""
    following = {"quarter": period.number + 1, "half": 3, "nine_months": 4}.get(period.kind, 5)
    return Period.quarter(period.year, following, period.cutoff_day) if following <= 4 else None


def _assessment(doc: DocumentObject, summary: Summary, plan: Plan, t: Translate) -> None:
    _heading(doc, t("docx.section.assessment"))
    _heading(doc, t("docx.strengths"))
    placeholder(doc, t("docx.placeholder.strengths"))
    _heading(doc, t("docx.weaknesses"))
    open_results = [r for r in summary.indicators if r.status != "dat"]
    if open_results:
        body(doc, t("docx.not_reached"))
        for result in open_results:
            body(doc, t("docx.not_reached_line", label=result.label_vi, reached=reached_text(t, plan, result),
                        target=target_text(result), status=t(f"summary.status.{result.status}")))
    placeholder(doc, t("docx.placeholder.weaknesses"))
    _heading(doc, t("docx.section.direction"))
    following = next_period(summary.period)
    if following is not None:
        due = [item for item in summary.timeline if item.status == "upcoming" and item.deadline
               and following.start <= item.deadline <= following.end]
        body(doc, t("docx.next_intro" if due else "docx.next_none", period=period_label(t, following)))
        for item in due:
            body(doc, t("docx.next_item", text=item.text.rstrip(". "), deadline=fmt_date(item.deadline)))
    placeholder(doc, t("docx.placeholder.direction"))
    _heading(doc, t("docx.section.proposals"))
    placeholder(doc, t("docx.placeholder.proposals"))


def _closing(doc: DocumentObject, summary: Summary, plan: Plan, t: Translate, issuer: str, period: str) -> None:
    body(doc, t("docx.closing", scheme=scheme_name(plan), period=period, issuer=issuer))


HIGHER_BODIES = re.compile(r"\b(tỉnh|Tỉnh ủy|Huyện ủy|Đảng ủy|Thường trực|Thường vụ|HĐND|UBND)\b", re.IGNORECASE)


def recipient_names(summary: Summary, t: Translate, s: DocumentSettings, party: bool) -> list[str]:
    """"Nơi nhận": the configured list (or, for the Front's report, the usual one), a body above the issuer
    marked "(để b/c)" — it receives the report to be informed, not to act."""
    names = list(s.party_recipients if party else s.recipients)
    if not names and not party:
        names = [t(f"docx.recipient.default.{n}", province=summary.province, commune=summary.commune_name)
                 for n in (1, 2, 3, 4)]
    return [name if "(" in name or not HIGHER_BODIES.search(name) else t("docx.recipient.report", name=name)
            for name in names]


def _signature(doc: DocumentObject, summary: Summary, t: Translate, s: DocumentSettings, party: bool) -> None:
    left, right = two_columns(doc, LEFT_MM, RIGHT_MM)
    text(left, t("docx.recipients"), size=12, bold=True, italic=True)
    for recipient in recipient_names(summary, t, s, party):
        text(left, t("docx.recipient", name=recipient), size=11)
    text(left, t("docx.archive"), size=11)
    on_behalf, title, name = ((s.party_sign_on_behalf, s.party_signer_title, s.party_signer_name) if party
                              else (s.sign_on_behalf, s.signer_title, s.signer_name))
    text(right, on_behalf.upper(), size=14, bold=True, align=CENTER)
    text(right, title.upper(), size=14, bold=True, align=CENTER, space_after=60)
    text(right, name or t("docx.signer_placeholder"), size=14, bold=True, align=CENTER)
