"""The workbook: indicators, units × required activities, and every report of the period (filters on).

Text is always written with write_string, so a report that starts with "=" never becomes a formula.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import xlsxwriter

from core.i18n import Translate
from plan.petition_lifecycle import SOURCE_KINDS
from plan.schema import Plan
from summaries.docx_tables import appendix_columns, appendix_rows
from summaries.model import Summary
from summaries.text_util import period_label, short, unit_label, xml_safe
from summaries.xlsx_bulk import replace_rows, sheet_text, style_number
from summaries.xlsx_reports import number_columns, report_rows


def render_xlsx(summary: Summary, plan: Plan, t: Translate) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    formats = {"head": book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                        "border": 1}),
               "date": book.add_format({"num_format": "dd/mm/yyyy"}),
               "number": book.add_format({"num_format": "#,##0.##"})}
    for name in ("head", "number", "date"):  # numbered now (the report rows need theirs), as the sheets use them
        style_number(formats[name])
    _indicators(book, summary, t, formats)
    _units(book, summary, plan, t, formats)
    _reach(book, summary, t, formats)
    _petitions(book, summary, t, formats)
    add_report_rows = _reports(book, summary, plan, t, formats)
    book.set_properties({"title": xml_safe(period_label(t, summary.period)),
                         "company": xml_safe(summary.commune_name)})
    book.close()
    return add_report_rows(buffer.getvalue())


def _sheet(book, name: str, header: list[str], formats: dict, widths: list[int]):
    sheet = book.add_worksheet(xml_safe(name)[:31])
    for column, (title, width) in enumerate(zip(header, widths, strict=True)):
        sheet.write_string(0, column, sheet_text(title), formats["head"])
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    return sheet


def _cell(sheet, row: int, column: int, value: Any, formats: dict) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(row, column, str(value))
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value, formats["number"])
    else:
        sheet.write_string(row, column, sheet_text(value))


def _finish(sheet, rows: int, columns: int) -> None:
    sheet.autofilter(0, 0, max(rows, 1), columns - 1)


def _indicators(book, summary: Summary, t: Translate, formats: dict) -> None:
    header = [t(f"xlsx.indicators.{k}") for k in ("id", "section", "label", "measure", "target", "in_period",
                                                  "year_to_date", "progress", "status", "note")]
    sheet = _sheet(book, t("xlsx.sheet.indicators"), header, formats, [8, 8, 60, 10, 10, 12, 12, 14, 16, 40])
    for row, r in enumerate(summary.indicators, start=1):
        dash = "—" if r.no_value else None  # no denominator: "—" and, in the last column, why
        values = [r.id, r.section, r.label_vi, t(f"xlsx.measure.{r.measure}"), r.target,
                  _or(r.period.value, dash), _or(r.year_to_date.value, dash),
                  _or(r.year_to_date.progress(r.target), dash), t(f"summary.status.{r.status}"),
                  t(r.no_value) if r.no_value else None]
        for column, value in enumerate(values):
            _cell(sheet, row, column, round(value, 2) if isinstance(value, float) else value, formats)
    _finish(sheet, len(summary.indicators), len(header))


def _or(value: Any, instead: Any) -> Any:
    return instead if value is None else value


def _units(book, summary: Summary, plan: Plan, t: Translate, formats: dict) -> None:
    forms = {f.id: f for f in plan.forms}
    header = [t("docx.appendix.number"), t("docx.appendix.unit"), t("docx.appendix.kind"),
              t("docx.appendix.in_period"), t("docx.appendix.year_to_date"),
              *(short(forms[f].label.vi, 60) for f in appendix_columns(summary))]
    sheet = _sheet(book, t("xlsx.sheet.units"), header, formats, [6, 36, 16, 12, 12] + [18] * (len(header) - 5))
    rows = appendix_rows(summary, plan, t)
    for row, values in enumerate(rows, start=1):
        for column, value in enumerate(values):
            _cell(sheet, row, column, int(value) if column in (0, 3, 4) else value, formats)
    _finish(sheet, len(rows), len(header))


def _reach(book, summary: Summary, t: Translate, formats: dict) -> None:
    """Per unit reached / baseline for the coverage indicators (year to date), the pool last."""
    header = [t(f"xlsx.reach.{k}") for k in ("indicator", "unit", "reached", "baseline", "percent", "reported")]
    sheet = _sheet(book, t("xlsx.sheet.reach"), header, formats, [10, 40, 16, 14, 12, 16])
    row = 0
    for result in summary.indicators:
        for reach in result.year_to_date.reach:
            row += 1
            name = t("xlsx.reach.pool") if reach.unit_id is None else unit_label(t, reach.name)
            percent = round(100.0 * reach.reached / reach.baseline, 2) if reach.baseline else None
            for column, value in enumerate((result.id, name, reach.reached, reach.baseline, percent, reach.reported)):
                _cell(sheet, row, column, value, formats)
    _finish(sheet, row, len(header))


def _petitions(book, summary: Summary, t: Translate, formats: dict) -> None:
    """The register's recommendations per source, the period and the year to date (the DOCX's numbers)."""
    header = [t(f"xlsx.petitions.{k}", days=summary.answer_days) for k in
              ("source", "received", "handled", "in_time", "ytd_received", "ytd_handled", "ytd_in_time")]
    sheet = _sheet(book, t("xlsx.sheet.petitions"), header, formats, [28, 14, 16, 16, 14, 16, 16])
    period = {row.source_kind: row for row in summary.petitions}
    ytd = {row.source_kind: row for row in summary.petitions_year_to_date}
    sources = [s for s in SOURCE_KINDS if s in period or s in ytd]
    for row, source in enumerate(sources, start=1):
        values = [t(f"petition.source.{source}")]
        for tallied in (period.get(source), ytd.get(source)):
            values += [tallied.received, tallied.handled, tallied.in_time] if tallied else [0, 0, 0]
        for column, value in enumerate(values):
            _cell(sheet, row, column, value, formats)
    _finish(sheet, len(sources), len(header))


def _reports(book, summary: Summary, plan: Plan, t: Translate, formats: dict) -> Callable[[bytes], bytes]:
    """Every report of the period, one row each: the header through xlsxwriter, the rows as XML text
    (summaries/xlsx_reports.py); returns what puts those rows into the closed workbook."""
    numbers = number_columns(plan)
    header = [t(f"xlsx.reports.{k}") for k in ("id", "date", "unit", "activity", "title")]
    header += [label for _id, label in numbers] + [t("xlsx.reports.details")]
    sheet = _sheet(book, t("xlsx.sheet.reports"), header, formats, [8, 12, 30, 36, 40] + [14] * len(numbers) + [60])
    _finish(sheet, len(summary.activities), len(header))
    # strings go into the shared table before the book closes
    rows = report_rows(book, summary, plan, t, numbers, style_number(formats["date"]), style_number(formats["number"]))
    return lambda workbook: replace_rows(workbook, sheet.index + 1, rows, len(summary.activities) + 1, len(header))
