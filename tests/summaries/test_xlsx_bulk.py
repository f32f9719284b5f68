"""The rows written as XML text and their shared strings (summaries/xlsx_bulk.py, xlsx_strings.py) read back
exactly as xlsxwriter's own cells do."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter

from summaries.xlsx_bulk import EXACT, BulkBook, number_text
from summaries.xlsx_strings import MAX_CELL_CHARS, sheet_text

HEAD = {"bold": True, "bg_color": "#DDEBF7"}
TRICKY = ["a & b < c > d", "_x0041_ stays as typed", "line\nbreak", "cr\r\nlf", "Đơn vị số 1 ✓ (✓) ✗",
          "x" * (MAX_CELL_CHARS + 10), "12-KH/MTTQ", "=1+1", "<r>a & b</r>", "bell\x07 and\x0b tab\tstay?",
          "a & b < c > d", "head", "\x07"]
SPACED = [" leading and trailing ", "trailing\n", "\u00a0no-break first"]  # xml:space="preserve" on these
NUMBERS = [0, 7, -3, 2.5, 1234567.125, 10**15, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11]
OTHERS = [True, None, "", False, "✓", None, "", "✓", 0.1, None, "", "x", "✓", 12, None, "y"]
WIDTHS = [30, 12, 10]


def _rows(spaced: bool) -> list[list]:
    texts = TRICKY + SPACED if spaced else TRICKY
    return [list(row) for row in zip(texts, NUMBERS, OTHERS, strict=False)]


def _plain(rows: list[list]) -> bytes:
    """The same book through xlsxwriter's write_* calls, as summaries/xlsx.py wrote every cell before."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    head, number = book.add_format(HEAD), book.add_format({"num_format": "#,##0.##"})
    for name, header, values in (("first", ["head"], [["head"], ["x"]]), ("rows", ["text", "n", "other"], rows)):
        sheet = book.add_worksheet(name)
        for column, title in enumerate(header):
            sheet.write_string(0, column, title, head)
            sheet.set_column(column, column, WIDTHS[column])
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(values), len(header) - 1)
        for r, row in enumerate(values, start=1):
            for column, value in enumerate(row):
                if isinstance(value, bool):
                    sheet.write_string(r, column, str(value))
                elif isinstance(value, int | float):
                    sheet.write_number(r, column, value, number)
                elif value is not None and sheet_text(value):  # nothing left of "\x07": no cell
                    sheet.write_string(r, column, sheet_text(value))
    book.close()
    return buffer.getvalue()


def _bulk(rows: list[list]) -> bytes:
    book = BulkBook(HEAD, "#,##0.##")
    book.values("first", ["head"], WIDTHS[:1], [["head"], ["x"]])  # "head" is also a header: one string
    book.values("rows", ["text", "n", "other"], WIDTHS, rows)
    return book.close({})


@pytest.mark.parametrize("spaced", [False, True], ids=["one join", "xml:space on some"])
def test_bulk_rows_read_back_like_xlsxwriter_cells(spaced):
    rows = _rows(spaced)
    plain_file, bulk_file = _plain(rows), _bulk(rows)
    plain, bulk = (openpyxl.load_workbook(io.BytesIO(data)) for data in (plain_file, bulk_file))
    assert plain.sheetnames == bulk.sheetnames == ["first", "rows"]
    for name in plain.sheetnames:
        expected = [[(c.value, c.number_format, c.font.b) for c in row] for row in plain[name].iter_rows()]
        assert [[(c.value, c.number_format, c.font.b) for c in row] for row in bulk[name].iter_rows()] == expected
        assert bulk[name].dimensions == plain[name].dimensions
        assert bulk[name].auto_filter.ref == plain[name].auto_filter.ref
        assert bulk[name].freeze_panes == plain[name].freeze_panes == "A2"
    got = [[c.value for c in row] for row in bulk["rows"].iter_rows(min_row=2)]
    assert got[5][0] == "x" * MAX_CELL_CHARS and got[1][0] == "_x0041_ stays as typed"
    assert got[8][0] == "<r>a & b</r>"  # as typed: not taken for xlsxwriter's raw rich-string XML
    assert got[9][0] == "bell and tab\tstay?"  # characters XML forbids are dropped, a tab stays
    assert got[12][0] is None  # nothing left of it: no cell
    assert [row[2] for row in got[:4]] == ["True", None, None, "False"]
    if spaced:
        assert [row[0] for row in got[-3:]] == SPACED
    # the string table counts each reference and each distinct string, as xlsxwriter's does
    assert _counts(bulk_file) == _counts(plain_file)


def _counts(workbook: bytes) -> tuple[int, int]:
    table = zipfile.ZipFile(io.BytesIO(workbook)).read("xl/sharedStrings.xml").decode()
    found = re.search(r'count="(\d+)" uniqueCount="(\d+)"', table)
    assert found and table.count("<si>") == int(found[2])
    return int(found[1]), int(found[2])


@pytest.mark.parametrize("value", [0, 7, -3, 10**15, EXACT - 1, -(EXACT - 1), EXACT, EXACT + 1, -(EXACT + 1),
                                   10**16, 10**20, 2.5, -0.0, 1e16, 0.1, 1234567.125, float("inf")])
def test_a_figure_reads_as_xlsxwriter_writes_it(value):
    assert number_text(value) == f"{value:.16G}"  # xlsxwriter's "%.16G"
