"""The rows written as XML text (summaries/xlsx_bulk.py) read back exactly as xlsxwriter's own cells do."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import xlsxwriter

from summaries.xlsx_bulk import MAX_CELL_CHARS, SharedText, column_letters, replace_rows, sheet_text, style_number

TRICKY = ["a & b < c > d", " leading and trailing ", "_x0041_ stays as typed", "line\nbreak", "cr\r\nlf",
          "Đơn vị số 1 ✓ (✓) ✗", "x" * (MAX_CELL_CHARS + 10), "12-KH/MTTQ", "=1+1", "<r>a & b</r>",
          "bell\x07 and\x0b tab\tstay?", "a & b < c > d"]
NUMBERS = [0, 7, -3, 2.5, 1234567.125, 10**15, 1, 2, 3, 4, 5, 6]


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
            text, (a, b), style = SharedText(book), column_letters(2), style_number(number)
            rows = "".join(f'<row r="{r}"><c r="{a}{r}{text.tails.get(s) or text.tail(s)}'
                           f'<c r="{b}{r}" s="{style}"><v>{value:.16G}</v></c></row>'
                           for r, (s, value) in enumerate(zip(TRICKY, NUMBERS, strict=True), start=2))
            text.count_references(rows)
            book.close()
            made.append(replace_rows(buffer.getvalue(), 2, rows, len(TRICKY) + 1, 2))
        else:
            for r, (s, value) in enumerate(zip(TRICKY, NUMBERS, strict=True), start=1):
                sheet.write_string(r, 0, sheet_text(s))
                sheet.write_number(r, 1, value, number)
            book.close()
            made.append(buffer.getvalue())
    return made[0], made[1]


def test_bulk_rows_read_back_like_xlsxwriter_cells():
    plain_file, bulk_file = _books()
    plain, bulk = (openpyxl.load_workbook(io.BytesIO(data)) for data in (plain_file, bulk_file))
    assert plain.sheetnames == bulk.sheetnames
    expected = [[(c.value, c.number_format) for c in row] for row in plain["rows"].iter_rows()]
    got = [[(c.value, c.number_format) for c in row] for row in bulk["rows"].iter_rows()]
    assert got == expected
    assert got[7][0][0] == "x" * MAX_CELL_CHARS and got[3][0][0] == "_x0041_ stays as typed"
    assert got[10][0][0] == "<r>a & b</r>"  # as typed: not taken for xlsxwriter's raw rich-string XML
    assert got[11][0][0] == "bell and tab\tstay?"  # characters XML forbids are dropped, a tab stays
    assert bulk["rows"].dimensions == plain["rows"].dimensions == "A1:B13"
    assert bulk["first"]["A1"].value == "TRICKY"
    # the string table counts each reference, as xlsxwriter's write_string does
    count = f'count="{2 + 1 + len(TRICKY)}"'
    assert count.encode() in _part(plain_file, "xl/sharedStrings.xml")
    assert count.encode() in _part(bulk_file, "xl/sharedStrings.xml")


def _part(workbook: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(workbook)).read(name)
