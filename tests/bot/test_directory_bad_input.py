"""Bad directory files: one Vietnamese line per problem naming sheet, row and column, and nothing written."""

from __future__ import annotations

import io
import unicodedata

import pytest
from openpyxl import load_workbook
from support.app import make_app
from support.directory_data import realistic_sheets, save_csvs, save_xlsx

from bot.directory_cli import import_directory


@pytest.fixture
async def app(database_url, clock):
    app = await make_app(database_url, clock, demo=False)
    yield app
    await app.close()


async def run_import(app, *files) -> tuple[int, str]:
    out = io.StringIO()
    code = await import_directory(app, [str(f) for f in files], None, dry_run=False, stdout=out)
    return code, out.getvalue()


def _drop_column(sheets, sheet, name):
    header = sheets[sheet][0]
    at = header.index(name)
    sheets[sheet] = [row[:at] + row[at + 1:] for row in sheets[sheet]]


def _set(sheet, row, column, value):
    def change(sheets):
        sheets[sheet][row - 1][sheets[sheet][0].index(column)] = value
    return change


BAD_FILES = {
    "missing sheet": (lambda s: s.pop("Người"), "Trang 'Người': thiếu trang này trong tệp."),
    "missing column": (lambda s: _drop_column(s, "Đơn vị", "Loại"), "Trang 'Đơn vị', cột 'Loại': thiếu cột này."),
    "misspelt column": (lambda s: s["Chỉ số"][0].__setitem__(3, "Số hộ ngheo X"),
                        "Trang 'Chỉ số', dòng 1, cột 'Số hộ ngheo X': cột không có trong mẫu"),
    "duplicate code": (_set("Đơn vị", 4, "Mã đơn vị", "TH01"),
                       "Trang 'Đơn vị', dòng 4, cột 'Mã đơn vị': mã 'TH01' trùng với dòng 3."),
    "unknown kind": (_set("Đơn vị", 3, "Loại", "Xóm lớn"),
                     "Trang 'Đơn vị', dòng 3, cột 'Loại': loại 'Xóm lớn' không có; dùng một trong: Thôn, Tổ chức"),
    "unknown role": (_set("Người", 5, "Vai trò", "Thư ký"),
                     "Trang 'Người', dòng 5, cột 'Vai trò': vai trò 'Thư ký' không có"),
    "negative baseline": (_set("Chỉ số", 2, "Số hộ nghèo", -5),
                          "Trang 'Chỉ số', dòng 2, cột 'Số hộ nghèo': số -5 âm"),
    "text baseline": (_set("Chỉ số", 3, "Số hộ", "nhiều"),
                      "Trang 'Chỉ số', dòng 3, cột 'Số hộ': 'nhiều' không phải là số."),
    "person in a unit that does not exist": (
        _set("Người", 6, "Mã đơn vị", "TH99"),
        "Trang 'Người', dòng 6, cột 'Mã đơn vị': không có đơn vị mã 'TH99' trong trang 'Đơn vị'."),
    "same phone twice": (_set("Người", 4, "Điện thoại", "0912 000 001"),
                         "Trang 'Người', dòng 4, cột 'Điện thoại': số điện thoại 0912000001 trùng với dòng 2."),
    "bad phone": (_set("Người", 4, "Điện thoại", "12345"),
                  "Trang 'Người', dòng 4, cột 'Điện thoại': '12345' không phải số điện thoại"),
    "reporter without a unit": (_set("Người", 6, "Mã đơn vị", None),
                                "Trang 'Người', dòng 6, cột 'Mã đơn vị': người báo cáo cần mã đơn vị"),
    "empty name": (_set("Đơn vị", 5, "Tên đơn vị", None), "Trang 'Đơn vị', dòng 5, cột 'Tên đơn vị': ô trống"),
    "unknown time zone": (_set("Xã", 2, "Múi giờ", "Hanoi"),
                          "Trang 'Xã', dòng 2, cột 'Múi giờ': múi giờ 'Hanoi' không đúng"),
    "no admin left": (lambda s: s["Người"].pop(1), "Trang 'Người', cột 'Vai trò': không còn quản trị viên nào"),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
async def test_a_bad_file_names_every_problem_and_writes_nothing(app, tmp_path, case):
    good = save_xlsx(realistic_sheets(), tmp_path / "good.xlsx")
    assert (await run_import(app, good))[0] == 0
    sheets = realistic_sheets()
    mutate, expected = BAD_FILES[case]
    mutate(sheets)
    code, printed = await run_import(app, save_xlsx(sheets, tmp_path / "bad.xlsx"))
    assert code == 1
    assert expected in printed, printed
    assert "Chưa ghi gì vào cơ sở dữ liệu" in printed
    assert (await run_import(app, good))[1].endswith("Không có gì thay đổi.\n")  # the bad file changed nothing


async def test_every_problem_is_reported_at_once(app, tmp_path):
    sheets = realistic_sheets()
    for mutate in (_set("Đơn vị", 3, "Loại", "?"), _set("Chỉ số", 2, "Số hộ", -1), _set("Người", 3, "Vai trò", "x")):
        mutate(sheets)
    code, printed = await run_import(app, save_xlsx(sheets, tmp_path / "bad.xlsx"))
    assert code == 1 and "Tệp có 3 lỗi:" in printed and printed.count("\n- ") == 3, printed
    async with app.db.transaction() as repos:
        assert await repos.directory.communes() == []


async def test_empty_rows_merged_cells_and_computed_formulas_are_read_as_excel_shows_them(app, tmp_path):
    path = save_xlsx(realistic_sheets(), tmp_path / "excel.xlsx")
    book = load_workbook(path)
    people = book["Người"]
    people.insert_rows(10, 3)  # empty rows in the middle
    people["A10"], people["B10"], people["C10"] = "Người gộp ô", "Báo cáo", "TH20"
    people["A11"], people["B11"] = "Người thứ hai gộp ô", "Báo cáo"
    people.merge_cells("C10:C11")  # one unit code for two people, as Excel users do
    book.save(path)
    code, printed = await run_import(app, path)
    assert code == 0 and "Người: thêm 62, sửa 0, ngừng 0" in printed, printed


async def test_a_formula_without_a_saved_value_is_named(app, tmp_path):
    path = save_xlsx(realistic_sheets(), tmp_path / "formula.xlsx")
    book = load_workbook(path)
    book["Chỉ số"]["C2"] = "=100+5"  # written by a script, never opened in Excel: no value saved with it
    book.save(path)
    code, printed = await run_import(app, path)
    assert code == 1 and "Trang 'Chỉ số', dòng 2, cột 'Số hộ': ô có công thức nhưng chưa có giá trị" in printed


@pytest.mark.parametrize("bom", [True, False])
async def test_csv_files_with_or_without_a_bom(app, tmp_path, bom):
    code, printed = await run_import(app, *save_csvs(realistic_sheets(), tmp_path, bom=bom))
    assert code == 0 and "Đơn vị: thêm 33" in printed, printed
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        names = {u.name for u in await repos.directory.units(commune.id)}
    assert "Thôn Khuổi Đeng" in names  # the diacritics survived


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _windows_1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 stores it: letters with their vowel marks, then the tone as its own character."""
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(p for p in parts if p not in TONES))
        out.append(base + "".join(p for p in parts if p in TONES))
    return "".join(out).encode("cp1258")


async def test_a_csv_in_a_legacy_encoding_is_refused(app, tmp_path):
    sheets = {"Đơn vị": [["Mã đơn vị", "Tên đơn vị", "Loại", "Hoạt động"], ["TH01", "Thôn Nà Pài", "Thôn", "Có"]]}
    path = tmp_path / "units.csv"
    text = "\n".join(",".join(row) for row in sheets["Đơn vị"])
    path.write_bytes(_windows_1258(text))
    assert path.read_bytes().decode("cp1258") != text  # a legacy file indeed (tones as separate marks)
    code, printed = await run_import(app, path)
    assert code == 1 and "Tệp units.csv không phải chữ UTF-8" in printed, printed


async def test_a_50_mb_file_is_refused_before_reading(app, tmp_path):
    path = tmp_path / "huge.xlsx"
    with path.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    code, printed = await run_import(app, path)
    assert code == 1 and "Tệp huge.xlsx nặng 50.0 MB, quá giới hạn 10 MB" in printed, printed


async def test_a_file_that_is_not_a_workbook(app, tmp_path):
    path = tmp_path / "danh_ba.xlsx"
    path.write_text("not a workbook")
    code, printed = await run_import(app, path)
    assert code == 1 and "không phải tệp Excel .xlsx đọc được" in printed
