"""Sheets of 100,000 rows written as XML text and put into the workbook xlsxwriter made.

xlsxwriter spends ~5–8 µs of Python per cell (a province's year of reports is ~660,000 cells: 5 s). Here
xlsxwriter writes what is small — each sheet's header row, widths, frozen pane and filter, the styles, the
package — and the data rows are written as text, their strings in the shared string table
(summaries/xlsx_strings.py), and swapped in after the header when the book is closed.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from copy import copy

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from summaries.text_util import xml_safe
from summaries.xlsx_strings import SharedText, sheet_text

_HEADER_ROW = re.compile(r'<row r="1"[ >].*?</row>', re.DOTALL)
_SHEET_DATA = re.compile(r"<sheetData>.*?</sheetData>|<sheetData/>", re.DOTALL)
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')
_SHARED_STRINGS = "xl/sharedStrings.xml"

# An int below 2**53 in magnitude is what its .16G (xlsxwriter's number format) reads: its digits. str() is a
# fifth of the cost of the float formatting, for ~100,000 figures.
EXACT = 2 ** 53


def number_text(value: int | float) -> str:
    """A figure's <v> text, as xlsxwriter writes a number ("%.16G")."""
    return str(value) if value.__class__ is int and -EXACT < value < EXACT else f"{value:.16G}"


# a sheet's rows after the header, as pieces of XML made as they are written, their text through SharedText
RowsMaker = Callable[[SharedText], Iterable[str]]


def style_number(cell_format) -> int:
    """The number a format's cells carry as s="…". xlsxwriter numbers formats in the order cells first use them
    (its write calls ask this same method); asking before the book closes fixes the number the rows need."""
    return cell_format._get_xf_index()


def column_letters(columns: int) -> list[str]:
    return [xl_col_to_name(column) for column in range(columns)]


class BulkBook:
    """A workbook whose sheets' headers are xlsxwriter's and whose data rows are XML text made at the close."""

    def __init__(self, head: dict, number_format: str):
        self._buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self._buffer, {"in_memory": True, "strings_to_formulas": False,
                                                           "strings_to_urls": False})
        self._head = self.workbook.add_format(head)
        # numbered now, in the order the sheets use them: the rows carry the numbers
        style_number(self._head)
        self.number = self.style({"num_format": number_format})
        self._rows: list[tuple[int, int, int, RowsMaker]] = []

    def style(self, properties: dict) -> int:
        return style_number(self.workbook.add_format(properties))

    def sheet(self, name: str, header: list[str], widths: list[int], rows: int, make_rows: RowsMaker) -> None:
        """A sheet: its header row, frozen, a filter over `rows` data rows that `make_rows` makes at the close."""
        sheet = self.workbook.add_worksheet(xml_safe(name)[:31])
        for column, (title, width) in enumerate(zip(header, widths, strict=True)):
            sheet.write_string(0, column, sheet_text(title), self._head)
            sheet.set_column(column, column, width)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(rows, 1), len(header) - 1)
        self._rows.append((sheet.index + 1, rows + 1, len(header), make_rows))

    def values(self, name: str, header: list[str], widths: list[int], rows: list[list]) -> None:
        """A sheet of plain values (value_rows) under its header."""
        self.sheet(name, header, widths, len(rows), lambda text: (value_rows(text, rows, self.number),))

    def close(self, properties: dict) -> bytes:
        """The .xlsx file: xlsxwriter's book closed (every header written: the rows' strings are numbered after
        xlsxwriter's), then each sheet's rows made and compressed piece by piece into its part (a province's
        24 MB of rows is never one string, nor one bytes copy of it), their strings put in the table after."""
        text = SharedText(self.workbook)
        sheets = {f"xl/worksheets/sheet{number}.xml": (make_rows, last_row, columns)
                  for number, last_row, columns, make_rows in self._rows}
        self.workbook.set_properties(properties)
        self.workbook.close()
        return _repack(self._buffer.getvalue(), sheets, text)


def value_rows(text: SharedText, rows: list[list], number_style: int) -> str:
    """`rows` from row 2 as XML: a number (int or float) with style `number_style`, anything else as text (True
    and False as written), None or "" no cell."""
    letters = column_letters(max((len(values) for values in rows), default=0))
    tails = text.tails
    parts = []
    strings = 0
    for row, values in enumerate(rows, start=2):
        parts.append(f'<row r="{row}">')
        for letter, value in zip(letters, values, strict=False):
            if value.__class__ is int or value.__class__ is float:
                parts.append(f'<c r="{letter}{row}" s="{number_style}"><v>{number_text(value)}</v></c>')
            elif value is not None and value != "":
                value = value if value.__class__ is str else str(value)
                tail = tails.get(value) or text.tail(value)
                if tail:
                    strings += 1
                    parts.append(f'<c r="{letter}{row}{tail}')
        parts.append("</row>")
    text.references += strings
    return "".join(parts)


def _repack(workbook: bytes, sheets: dict[str, tuple[RowsMaker, int, int]], text: SharedText) -> bytes:
    """The package with each sheet's rows after its header (and its dimension widened to them) and the rows'
    strings in the shared string table."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    names = source.namelist()
    if text.strings and _SHARED_STRINGS not in names:  # xlsxwriter writes it when it has a string
        raise ValueError("a workbook with no header text has no shared string table to add the rows' to")
    if _SHARED_STRINGS in names and any(names.index(name) > names.index(_SHARED_STRINGS) for name in sheets):
        raise ValueError("a sheet after the shared strings: its rows' strings would miss the table")
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        # level 1: the 24 MB sheet of a province-size year deflates in 0.12 s instead of 0.38 s (4.5 MB, not 3.5)
        for info in source.infolist():
            data = source.read(info)
            if info.filename in sheets:
                _write_sheet(target, info, data, *sheets[info.filename], text)
                continue
            if info.filename == _SHARED_STRINGS:  # after every sheet: all the rows' strings are known
                data = text.table(data)
            target.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)
    return output.getvalue()


def _write_sheet(target: zipfile.ZipFile, info: zipfile.ZipInfo, sheet_xml: bytes, make_rows: RowsMaker,
                 last_row: int, columns: int, text: SharedText) -> None:
    """The sheet's part: xlsxwriter's XML with the rows after its header row, written as they are made (what
    writestr would write: the same entry, compressed at level 1)."""
    sheet = sheet_xml.decode("utf-8")
    sheet = _DIMENSION.sub(f'<dimension ref="A1:{xl_col_to_name(columns - 1)}{last_row}"/>', sheet, count=1)
    cells = _SHEET_DATA.search(sheet)
    header = _HEADER_ROW.search(cells.group(0))
    entry = copy(info)
    entry.compress_type, entry._compresslevel = zipfile.ZIP_DEFLATED, 1  # as writestr sets them
    with target.open(entry, "w") as part:
        part.write((sheet[:cells.start()] + "<sheetData>" + (header.group(0) if header else "")).encode("utf-8"))
        for rows_xml in make_rows(text):
            # the rows are ASCII (their text is in the shared strings): encoding them is a copy, not a conversion
            part.write(rows_xml.encode("utf-8"))
        part.write(f"</sheetData>{sheet[cells.end():]}".encode())
