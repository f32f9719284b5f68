"""The workbook: indicators, units × required activities, and every report of the period (filters on).

Text is always written with write_string, so a report that starts with "=" never becomes a formula.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import xlsxwriter

from core.i18n import Translate
from plan.petition_lifecycle import SOURCE_KINDS
from plan.schema import FieldKind, Plan
from summaries.compile import title_fields, title_from
from summaries.docx_tables import appendix_columns, appendix_rows
from summaries.model import Summary
from summaries.text_util import period_label, short, unit_label, xml_safe
from summaries.xlsx_bulk import ColumnCells, replace_rows


def render_xlsx(summary: Summary, plan: Plan, t: Translate) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    formats = {"head": book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                        "border": 1}),
               "date": book.add_format({"num_format": "dd/mm/yyyy"}),
               "number": book.add_format({"num_format": "#,##0.##"})}
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
        sheet.write_string(0, column, xml_safe(title), formats["head"])
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
        sheet.write_string(row, column, xml_safe(value))


def _finish(sheet, rows: int, columns: int) -> None:
    sheet.autofilter(0, 0, max(rows, 1), columns - 1)


def _indicators(book, summary: Summary, t: Translate, formats: dict) -> None:
    header = [t(f"xlsx.indicators.{k}") for k in ("id", "section", "label", "measure", "target", "in_period",
                                                  "year_to_date", "progress", "status")]
    sheet = _sheet(book, t("xlsx.sheet.indicators"), header, formats, [8, 8, 60, 10, 10, 12, 12, 14, 16])
    for row, r in enumerate(summary.indicators, start=1):
        values = [r.id, r.section, r.label_vi, t(f"xlsx.measure.{r.measure}"), r.target, r.period.value,
                  r.year_to_date.value, r.year_to_date.progress(r.target), t(f"summary.status.{r.status}")]
        for column, value in enumerate(values):
            _cell(sheet, row, column, round(value, 2) if isinstance(value, float) else value, formats)
    _finish(sheet, len(summary.indicators), len(header))


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


def _number_columns(plan: Plan) -> list[tuple[str, str]]:
    """Every number field id of the plan once, with its Vietnamese label (and unit)."""
    columns: dict[str, str] = {}
    for form in plan.forms:
        for f in form.fields:
            if f.kind is FieldKind.NUMBER and f.id not in columns:
                columns[f.id] = f"{f.label.vi} ({f.unit.vi})" if f.unit else f.label.vi
    return list(columns.items())


def _detail_fields(plan: Plan, t: Translate, form_id: str, skip: set[str]) -> list[tuple[str, str, FieldKind, dict]]:
    """The fields a report's details list, as (id, "label: ", kind, how its values read), made once per form."""
    fields = []
    for f in plan.form(form_id).fields:
        if f.id in skip or f.kind in (FieldKind.PHOTO, FieldKind.DATE):
            continue
        names = {o.id: o.label.vi for o in f.options} if f.kind is FieldKind.CHOICE else \
            {True: t("answer.yes"), False: t("answer.no")} if f.kind is FieldKind.YESNO else {}
        fields.append((f.id, f"{f.label.vi}: ", f.kind, names))
    return fields


def _details(fields: list[tuple[str, str, FieldKind, dict]], answers) -> str:
    parts = []
    for field_id, label, kind, names in fields:
        value = answers.get(field_id)
        if value is None:
            continue
        if kind is FieldKind.CHOICE and isinstance(value, str):
            value = names.get(value, value)
        elif kind is FieldKind.YESNO and (value is True or value is False):
            value = names[value]
        parts.append(f"{label}{value}")
    return "; ".join(parts)


def _reports(book, summary: Summary, plan: Plan, t: Translate, formats: dict) -> Callable[[bytes], bytes]:
    """Every report of the period, one row each: the header through xlsxwriter, the rows as XML text
    (summaries/xlsx_bulk.py); returns what puts those rows into the closed workbook."""
    numbers = _number_columns(plan)
    header = [t(f"xlsx.reports.{k}") for k in ("id", "date", "unit", "activity", "title")]
    header += [label for _id, label in numbers] + [t("xlsx.reports.details")]
    sheet = _sheet(book, t("xlsx.sheet.reports"), header, formats, [8, 12, 30, 36, 40] + [14] * len(numbers) + [60])
    _finish(sheet, len(summary.activities), len(header))
    sheet.write_blank(1, 1, None, formats["date"])  # gives the formats their style numbers; the row is replaced
    sheet.write_blank(1, 5, None, formats["number"])
    rows = _report_rows(ColumnCells(book, len(header)), summary, plan, t, numbers)  # strings shared before the close
    return lambda workbook: replace_rows(workbook, sheet.index + 1, rows, len(summary.activities) + 1, len(header),
                                         {name: formats[name].xf_index for name in ("date", "number")})


def _report_rows(cells: ColumnCells, summary: Summary, plan: Plan, t: Translate,
                 numbers: list[tuple[str, str]]) -> str:
    """The rows after the header; per form and per unit what every row repeats is worked out once. Styles are
    named (s="date"): xlsxwriter numbers its formats when the book closes."""
    number_columns = {field_id: column for column, (field_id, _label) in enumerate(numbers, start=5)}
    details, titles, labels, units = {}, {}, {}, {}
    epoch = date(1899, 12, 30).toordinal()  # Excel's day 0 (its 1900 leap-year bug included)
    last = 5 + len(numbers)
    string, number = cells.string, cells.number
    parts = []
    for row, a in enumerate(summary.activities, start=2):
        form_id, answers = a.form_id, a.answers
        if form_id not in details:
            details[form_id] = _detail_fields(plan, t, form_id, set(number_columns))
            titles[form_id] = title_fields(plan, form_id)
            labels[form_id] = xml_safe(a.form_label)
        if a.unit_name not in units:
            units[a.unit_name] = unit_label(t, a.unit_name)
        figures = [(number_columns[key], value) for key, value in answers.items() if key in number_columns
                   and isinstance(value, int | float) and not isinstance(value, bool)]
        if len(figures) > 1:
            figures.sort()  # cells in column order
        parts.append(f'<row r="{row}"><c r="A{row}"><v>{a.report_id:d}</v></c>'
                     f'<c r="B{row}" s="date"><v>{a.day.toordinal() - epoch}</v></c>'
                     f"{string(2, row, units[a.unit_name])}{string(3, row, labels[form_id])}"
                     f"{string(4, row, xml_safe(title_from(titles[form_id], answers)))}"
                     f"{''.join(number(column, row, value, 'number') for column, value in figures)}"
                     f"{string(last, row, xml_safe(_details(details[form_id], answers)))}</row>")
    return "".join(parts)
