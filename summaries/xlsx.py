"""The workbook: indicators, units × required activities, and every report of the period (filters on).

xlsxwriter writes each sheet's header row, widths, frozen pane and filter, the styles and the shared strings;
the data rows are XML text (summaries/xlsx_bulk.py, the reports' in summaries/xlsx_reports.py) swapped into
the closed book: xlsxwriter's ~5 µs of Python per cell was most of a province's file. Text is only ever a
shared string, so a report that starts with "=" never becomes a formula.
"""

from __future__ import annotations

from typing import Any

from core.i18n import Translate
from plan.petition_lifecycle import SOURCE_KINDS
from plan.schema import Plan
from summaries.docx_tables import appendix_columns, appendix_rows
from summaries.model import Summary
from summaries.text_util import period_label, short, unit_label, xml_safe
from summaries.xlsx_bulk import BulkBook
from summaries.xlsx_reports import number_columns, report_rows

HEAD = {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}


def render_xlsx(summary: Summary, plan: Plan, t: Translate) -> bytes:
    book = BulkBook(HEAD, "#,##0.##")
    _indicators(book, summary, t)
    _units(book, summary, plan, t)
    _reach(book, summary, t)
    _petitions(book, summary, t)
    _reports(book, summary, plan, t)
    return book.close({"title": xml_safe(period_label(t, summary.period)), "company": xml_safe(summary.commune_name)})


def _indicators(book: BulkBook, summary: Summary, t: Translate) -> None:
    header = [t(f"xlsx.indicators.{k}") for k in ("id", "section", "label", "measure", "target", "in_period",
                                                  "year_to_date", "progress", "status", "note")]
    rows = []
    for r in summary.indicators:
        dash = "—" if r.no_value else None  # no denominator: "—" and, in the last column, why
        values = [r.id, r.section, r.label_vi, t(f"xlsx.measure.{r.measure}"), r.target,
                  _or(r.period.value, dash), _or(r.year_to_date.value, dash),
                  _or(r.year_to_date.progress(r.target), dash), t(f"summary.status.{r.status}"),
                  t(r.no_value) if r.no_value else None]
        rows.append([round(value, 2) if isinstance(value, float) else value for value in values])
    book.values(t("xlsx.sheet.indicators"), header, [8, 8, 60, 10, 10, 12, 12, 14, 16, 40], rows)


def _or(value: Any, instead: Any) -> Any:
    return instead if value is None else value


def _units(book: BulkBook, summary: Summary, plan: Plan, t: Translate) -> None:
    forms = {f.id: f for f in plan.forms}
    header = [t("docx.appendix.number"), t("docx.appendix.unit"), t("docx.appendix.kind"),
              t("docx.appendix.in_period"), t("docx.appendix.year_to_date"),
              *(short(forms[f].label.vi, 60) for f in appendix_columns(summary))]
    rows = [[int(number), unit, kind, int(in_period), int(year_to_date), *marks]
            for number, unit, kind, in_period, year_to_date, *marks in appendix_rows(summary, plan, t)]
    book.values(t("xlsx.sheet.units"), header, [6, 36, 16, 12, 12] + [18] * (len(header) - 5), rows)


def _reach(book: BulkBook, summary: Summary, t: Translate) -> None:
    """Per unit reached / baseline for the coverage indicators (year to date), the pool last."""
    header = [t(f"xlsx.reach.{k}") for k in ("indicator", "unit", "reached", "baseline", "percent", "reported")]
    rows = []
    for result in summary.indicators:
        for reach in result.year_to_date.reach:
            name = t("xlsx.reach.pool") if reach.unit_id is None else unit_label(t, reach.name)
            percent = round(100.0 * reach.reached / reach.baseline, 2) if reach.baseline else None
            rows.append([result.id, name, reach.reached, reach.baseline, percent, reach.reported])
    book.values(t("xlsx.sheet.reach"), header, [10, 40, 16, 14, 12, 16], rows)


def _petitions(book: BulkBook, summary: Summary, t: Translate) -> None:
    """The register's recommendations per source, the period and the year to date (the DOCX's numbers)."""
    header = [t(f"xlsx.petitions.{k}", days=summary.answer_days) for k in
              ("source", "received", "handled", "in_time", "ytd_received", "ytd_handled", "ytd_in_time")]
    period = {row.source_kind: row for row in summary.petitions}
    ytd = {row.source_kind: row for row in summary.petitions_year_to_date}
    sources = [s for s in SOURCE_KINDS if s in period or s in ytd]
    rows = []
    for source in sources:
        values = [t(f"petition.source.{source}")]
        for tallied in (period.get(source), ytd.get(source)):
            values += [tallied.received, tallied.handled, tallied.in_time] if tallied else [0, 0, 0]
        rows.append(values)
    book.values(t("xlsx.sheet.petitions"), header, [28, 14, 16, 16, 14, 16, 16], rows)


def _reports(book: BulkBook, summary: Summary, plan: Plan, t: Translate) -> None:
    """Every report of the period, one row each (summaries/xlsx_reports.py)."""
    numbers = number_columns(plan)
    header = [t(f"xlsx.reports.{k}") for k in ("id", "date", "unit", "activity", "title")]
    header += [label for _id, label in numbers] + [t("xlsx.reports.details")]
    date_style = book.style({"num_format": "dd/mm/yyyy"})
    book.sheet(t("xlsx.sheet.reports"), header, [8, 12, 30, 36, 40] + [14] * len(numbers) + [60],
               len(summary.activities),
               lambda text: report_rows(text, summary, plan, t, numbers, date_style, book.number))
