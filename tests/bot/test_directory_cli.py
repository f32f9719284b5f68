"""The directory and commune commands as a technician types them: `mttq-bot …` on a fresh database."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from support.cli import cli_runner
from support.directory_data import realistic_sheets, save_xlsx

from plan.loader import SHIPPED_PLAN, load_plan

CODE = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$", re.MULTILINE)


@pytest.fixture
def mttq(tmp_path, monkeypatch, capsys):
    """Run `mttq-bot ARGS` in-process on a database of this test; returns (exit status, stdout, stderr)."""
    return cli_runner(tmp_path, monkeypatch, capsys)


def test_the_first_commune_and_its_admin_need_only_commands(mttq):
    assert mttq("init")[0] == 0
    code, _out, err = mttq("invite", "create", "--role", "admin")
    assert code == 1 and "Chưa có xã nào" in err
    code, out, _err = mttq("commune", "add", "--name", "Phúc Lộc", "--province", "Thái Nguyên")
    assert code == 0 and "Đã thêm xã Phúc Lộc, Thái Nguyên" in out
    assert mttq("commune", "add", "--name", "Phúc Lộc", "--province", "Thái Nguyên")[0] == 1
    code, out, _err = mttq("invite", "create", "--role", "admin")
    assert code == 0 and CODE.search(out)


def test_with_two_communes_every_command_asks_which(mttq, tmp_path):
    mttq("commune", "add", "--name", "Phúc Lộc", "--province", "Thái Nguyên")
    mttq("commune", "add", "--name", "Phúc Lộc", "--province", "Hà Giang")
    code, _out, err = mttq("invite", "create", "--role", "admin")
    assert code == 1 and "Có nhiều xã; hãy ghi rõ xã nào bằng --commune" in err
    code, _out, err = mttq("invite", "create", "--role", "admin", "--commune", "Phuc Loc")
    assert code == 1 and "Có nhiều xã tên 'Phuc Loc'" in err  # the same name in two provinces: refused, not guessed
    assert mttq("invite", "create", "--role", "admin", "--commune", "Phúc Lộc, Hà Giang")[0] == 0
    sheets = realistic_sheets()
    sheets.pop("Xã")
    path = save_xlsx(sheets, tmp_path / "no_commune_sheet.xlsx")
    code, out, _err = mttq("directory", "import", str(path))
    assert code == 1 and "Có nhiều xã; hãy ghi rõ xã nào bằng --commune" in out
    code, out, _err = mttq("directory", "import", str(path), "--commune", "Phúc Lộc, Hà Giang")
    assert code == 0 and "Người: thêm 60" in out
    assert mttq("directory", "export", "--out", "x.xlsx")[0] == 1
    assert mttq("directory", "export", "--out", "x.xlsx", "--commune", "Phúc Lộc, Hà Giang")[0] == 0


def test_the_template_has_vietnamese_sheets_a_guide_and_the_plans_baselines(mttq, tmp_path):
    code, out, _err = mttq("directory", "template", "--out", "mau.xlsx")
    assert code == 0 and "mau.xlsx" in out
    book = load_workbook(tmp_path / "mau.xlsx")
    assert book.sheetnames == ["Xã", "Đơn vị", "Chỉ số", "Người", "Hướng dẫn"]
    header = [c.value for c in book["Chỉ số"][1]]
    plan = load_plan(SHIPPED_PLAN)
    assert header == ["Mã đơn vị", "Năm", *[b.label.vi for b in plan.baseline_keys()]]
    assert {key for i in plan.indicators for key in i.aggregate.baseline} <= {b.id for b in plan.baseline_keys()}
    assert all(len(list(book[name].iter_rows())) == 2 for name in ("Xã", "Đơn vị", "Chỉ số", "Người"))
    # the template imports as it is: its example rows are a valid directory
    code, out, _err = mttq("directory", "import", "mau.xlsx", "--dry-run")
    assert code == 0 and "Đơn vị: thêm 1" in out


def test_all_pending_invites_make_a_sheet_to_print(mttq, tmp_path):
    save_xlsx(realistic_sheets(), tmp_path / "danh_ba.xlsx")
    assert mttq("directory", "import", "danh_ba.xlsx")[0] == 0
    code, _out, err = mttq("invite", "create", "--all-pending")
    assert code == 2 and "--all-pending ghi ra một bảng tính: hãy thêm --out TỆP.xlsx" in err
    code, out, _err = mttq("invite", "create", "--all-pending", "--out", "moi.xlsx")
    assert code == 0 and "Đã ghi 60 mã mời vào moi.xlsx" in out
    rows = list(load_workbook(tmp_path / "moi.xlsx").active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Họ và tên", "Vai trò", "Đơn vị", "Điện thoại", "Mã mời")
    head = next(r for r in rows if r[0] == "Trưởng ban Nà Pài")
    assert head[1:4] == ("Báo cáo", "Thôn Nà Pài", "0913000001") and CODE.match(head[4])
    assert head[6] == f"Zalo: nhắn cho bot của xã: bat dau {head[4]}"
