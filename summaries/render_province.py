"""The province summary rendered three ways: chat text (numbered, for Zalo), DOCX and XLSX.

Communes are rows, indicators are columns (ids in the table, labels and targets in a legend below), so a
province of 100 communes still fits one landscape table. Text from reports never reaches these files: only
commune and unit names and numbers.
"""

from __future__ import annotations

import io

from core.i18n import Translate
from core.vnparse import fold
from plan.periods import Period
from plan.schema import Plan
from summaries.province import CommuneRow, ProvinceSummary
from summaries.text_util import fmt_date, fmt_value, period_label, short, unit_label, xml_safe
from summaries.xlsx_strings import sheet_text

SIDE_BY_SIDE_MAX = 6  # communes whose values the chat lists per indicator; beyond, "reached in k of n communes"
LABEL_CHARS = 60
MARK = {"dat": "✅", "dang_thuc_hien": "⚠️", "chua_dat": "⚠️"}


def render_province_text(summary: ProvinceSummary, t: Translate, language: str = "vi") -> str:
    """Title, one numbered line per commune, then one line per indicator comparing the communes."""
    count = len(summary.communes)
    lines = [t("province.text.title", period=period_label(t, summary.period), province=summary.province,
               count=count, date=fmt_date(summary.as_of))]
    if not count:
        lines.append(t("province.text.no_communes"))
        return "\n".join(lines)
    total = len(summary.indicators)
    for number, row in enumerate(summary.communes, start=1):
        lines.append(t("province.text.commune", number=number, name=row.name, reports=row.reports,
                       silent=len(row.silent), units=row.units, reached=row.reached, total=total))
    lines.append(t("province.text.indicators", period=period_label(t, summary.year_to_date)))
    for index, head in enumerate(summary.indicators):
        label = short(head.label_en if language == "en" else head.label_vi, LABEL_CHARS)
        if count <= SIDE_BY_SIDE_MAX:
            values = " · ".join(f"{row.name} {fmt_value(row.cells[index].value, head.measure)}"
                                f" {MARK.get(row.cells[index].status, '')}".rstrip() for row in summary.communes)
        else:
            values = t("province.text.reached_in", reached=summary.reached_by(index), count=count)
        lines.append(t("province.text.indicator", id=head.id, label=label,
                       target=fmt_value(head.target, head.measure), values=values))
    return "\n".join(lines)


def table_header(summary: ProvinceSummary, t: Translate) -> list[str]:
    return [t("province.col.number"), t("province.col.commune"), t("province.col.reports"),
            t("province.col.silent"), t("province.col.reached"), *(h.id for h in summary.indicators)]


def table_rows(summary: ProvinceSummary, t: Translate) -> list[list[str]]:
    """The side-by-side table's rows as text (the DOCX and the tests read the same)."""
    total = len(summary.indicators)
    return [[str(number), row.name, str(row.reports), f"{len(row.silent)}/{row.units}", f"{row.reached}/{total}",
             *(_cell_text(row, i, h.measure) for i, h in enumerate(summary.indicators))]
            for number, row in enumerate(summary.communes, start=1)]


def _cell_text(row: CommuneRow, index: int, measure: str) -> str:
    cell = row.cells[index]
    return fmt_value(cell.value, measure) + (" ✓" if cell.status == "dat" else "")


def province_stem(province: str, period: Period) -> str:
    """An ASCII file name stem, e.g. tong-hop-tinh-2026-Q4-thai-nguyen."""
    name = "".join(c for c in "-".join(fold(province).split()) if c.isascii() and (c.isalnum() or c == "-"))
    return f"tong-hop-tinh-{period.key}-{name or 'tinh'}"


def render_province_docx(summary: ProvinceSummary, plan: Plan, t: Translate) -> bytes:
    # python-docx and lxml imported here, not with the module: the bot imports this module at start (through
    # summaries/province_jobs.py) and renders in its workers, which import them with the renderers (7 MB RSS)
    from docx import Document

    from summaries.docx_layout import CENTER, LEFT, grid_table, setup_document, text
    from summaries.docx_tables import LANDSCAPE_TEXT_MM

    doc = Document()
    setup_document(doc, 13)
    _landscape(doc.sections[0])
    period = period_label(t, summary.period)
    text(doc, t("province.docx.title"), size=14, bold=True, align=CENTER)
    text(doc, t("province.docx.subject", period=period, province=summary.province, plan=plan.title), size=13,
         bold=True, align=CENTER)
    text(doc, t("province.docx.as_of", date=fmt_date(summary.as_of), count=len(summary.communes),
                cumulative=period_label(t, summary.year_to_date)), size=12, italic=True, align=CENTER,
         space_after=8)
    header = table_header(summary, t)
    fixed = [10.0, 38.0, 16.0, 18.0, 16.0]
    rest = max(0.0, LANDSCAPE_TEXT_MM - sum(fixed))
    indicators = len(summary.indicators)
    widths = fixed + [rest / indicators] * indicators if indicators else fixed
    grid_table(doc, header, table_rows(summary, t), widths, size=8 if indicators > 10 else 10)
    text(doc, t("province.docx.legend"), size=11, italic=True).paragraph_format.space_before = 6
    text(doc, t("province.docx.indicators"), size=13, bold=True, align=LEFT).paragraph_format.space_before = 10
    grid_table(doc, [t("province.col.indicator"), t("province.col.label"), t("province.col.target"),
                     t("province.col.reached_in")],
               [[h.id, h.label_vi, fmt_value(h.target, h.measure), f"{summary.reached_by(i)}/{len(summary.communes)}"]
                for i, h in enumerate(summary.indicators)], [18.0, 170.0, 24.0, 40.0], size=10)
    text(doc, t("province.docx.silent"), size=13, bold=True, align=LEFT).paragraph_format.space_before = 10
    for row in summary.communes:
        names = ", ".join(unit_label(t, name) for name in row.silent) or t("province.docx.all_reported")
        text(doc, f"{row.name}: {names}", size=12, align=LEFT, space_after=3)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def render_province_xlsx(summary: ProvinceSummary, t: Translate) -> bytes:
    """Sheets: the communes side by side (labels as column titles), the indicators, the silent units."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1})
    number = book.add_format({"num_format": "#,##0.##"})
    titles = [t("province.col.commune"), t("province.col.reports"), t("province.col.units"),
              t("province.col.silent_count"), t("province.col.reached"),
              *(f"{h.id} {short(h.label_vi, 50)} ({fmt_value(h.target, h.measure)})" for h in summary.indicators)]
    widths = [30, 10, 10, 12, 12] + [16] * len(summary.indicators)
    sheet = _sheet(book, t("province.sheet.communes"), titles, head, widths)
    for r, row in enumerate(summary.communes, start=1):
        sheet.write_string(r, 0, sheet_text(row.name))
        for c, value in enumerate((row.reports, row.units, len(row.silent), row.reached), start=1):
            sheet.write_number(r, c, value, number)
        for c, cell in enumerate(row.cells, start=5):
            if cell.value is not None:
                sheet.write_number(r, c, round(cell.value, 2), number)
    sheet.autofilter(0, 0, max(len(summary.communes), 1), len(titles) - 1)
    sheet = _sheet(book, t("province.sheet.indicators"), [t("province.col.indicator"), t("province.col.label"),
                                                           t("province.col.target"), t("province.col.reached_in")],
                   head, [10, 70, 12, 14])
    for r, h in enumerate(summary.indicators, start=1):
        sheet.write_string(r, 0, h.id)
        sheet.write_string(r, 1, sheet_text(h.label_vi))
        sheet.write_number(r, 2, h.target, number)
        sheet.write_number(r, 3, summary.reached_by(r - 1), number)
    sheet = _sheet(book, t("province.sheet.silent"), [t("province.col.commune"), t("province.col.unit")], head,
                   [30, 40])
    silent = [(row.name, name) for row in summary.communes for name in row.silent]
    for r, (commune, unit) in enumerate(silent, start=1):
        sheet.write_string(r, 0, sheet_text(commune))
        sheet.write_string(r, 1, sheet_text(unit_label(t, unit)))
    sheet.autofilter(0, 0, max(len(silent), 1), 1)
    book.set_properties({"title": xml_safe(period_label(t, summary.period)), "company": xml_safe(summary.province)})
    book.close()
    return buffer.getvalue()


def _sheet(book, name: str, titles: list[str], head, widths: list[int]):
    sheet = book.add_worksheet(xml_safe(name)[:31])
    for column, (title, width) in enumerate(zip(titles, widths, strict=True)):
        sheet.write_string(0, column, sheet_text(title), head)
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 1)
    return sheet


def _landscape(section) -> None:
    """The whole document on landscape A4: the communes' table is as wide as the plan has indicators."""
    from docx.enum.section import WD_ORIENT

    from summaries.docx_layout import PAGE_HEIGHT, PAGE_WIDTH

    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
