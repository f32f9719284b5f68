"""The rows written as XML text (summaries/xlsx_bulk.py) read back exactly as xlsxwriter's own cells do."""

from __future__ import annotations

import io

import openpyxl
import xlsxwriter

from summaries.xlsx_bulk import MAX_CELL_CHARS, ColumnCells, replace_rows

TRICKY = ["a & b < c > d", " leading and trailing ", "_x0041_ stays as typed", "line\nbreak", "cr\r\nlf",
          "Đơn vị số 1 ✓ (✓) ✗", "x" * (MAX_CELL_CHARS + 10), "12-KH/MTTQ", "=1+1"]
NUMBERS = [0, 7, -3, 2.5, 1234567.125, 10**15, 1, 2, 3]


def _books() -> tuple[bytes, bytes]:
    """The same cells twice: through xlsxwriter's write_* calls, and as text swapped into the closed book."""
    made = []
    for bulk in (False, True):
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
        number = book.add_format({"num_format": "#,##0.##"})
        book.add_worksheet("first").write_string(0, 0, "TRICKY")  # a string shared with the bulk rows
        sheet = book.add_worksheet("rows")
        sheet.write_string(0, 0, "head")
        sheet.write_string(0, 1, "TRICKY")
        if bulk:
            cells = ColumnCells(book, 2)
            rows = "".join(f'<row r="{r}">{cells.string(0, r, text)}{cells.number(1, r, value, "number")}</row>'
                           for r, (text, value) in enumerate(zip(TRICKY, NUMBERS, strict=True), start=2))
            sheet.write_blank(1, 1, None, number)
            book.close()
            made.append(replace_rows(buffer.getvalue(), 2, rows, len(TRICKY) + 1, 2, {"number": number.xf_index}))
        else:
            for r, (text, value) in enumerate(zip(TRICKY, NUMBERS, strict=True), start=1):
                sheet.write_string(r, 0, text)
                sheet.write_number(r, 1, value, number)
            book.close()
            made.append(buffer.getvalue())
    return made[0], made[1]


def test_bulk_rows_read_back_like_xlsxwriter_cells():
    plain, bulk = (openpyxl.load_workbook(io.BytesIO(data)) for data in _books())
    assert plain.sheetnames == bulk.sheetnames
    expected = [[(c.value, c.number_format) for c in row] for row in plain["rows"].iter_rows()]
    got = [[(c.value, c.number_format) for c in row] for row in bulk["rows"].iter_rows()]
    assert got == expected
    assert got[7][0][0] == "x" * MAX_CELL_CHARS and got[3][0][0] == "_x0041_ stays as typed"
    assert bulk["rows"].dimensions == plain["rows"].dimensions == "A1:B10"
    assert bulk["first"]["A1"].value == "TRICKY"
