"""A commune goes live from a spreadsheet: import, re-import, export, invites, and the report that follows."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.app import ChatUser, attach_recorder, make_app
from support.directory_data import NEAR_POOR, POOR, VILLAGES, realistic_sheets, save_xlsx

from bot.directory_cli import export_directory, import_directory, invite_all_pending


@pytest.fixture
async def app(database_url, clock):
    app = await make_app(database_url, clock, demo=False)
    yield app
    await app.close()


async def run_import(app, *files, commune=None, dry_run=False) -> tuple[int, str]:
    out = io.StringIO()
    code = await import_directory(app, [str(f) for f in files], commune, dry_run=dry_run, stdout=out)
    return code, out.getvalue()


async def invite_codes(app, tmp_path: Path) -> dict[str, str]:
    out = tmp_path / "moi.xlsx"
    assert await invite_all_pending(app, str(out), None, stdout=io.StringIO()) == 0
    sheet = load_workbook(out).active
    return {row[0]: row[4] for row in sheet.iter_rows(min_row=2, values_only=True)}


async def file_visit_report(user: ChatUser, households: int) -> list[str]:
    await user.say("/baocao")
    # the form by its name (either menu level); all of them poor households, all visited for the first time this
    # year; "xong" skips the optional rest
    visits = "Thăm hỏi, tặng quà hộ nghèo, cận nghèo"
    for answer in (visits, "hôm qua", "Khác", str(households), "0", str(households), "xong"):
        await user.say(answer)
    return await user.say("1")


async def test_a_realistic_commune_goes_live_and_its_baselines_feed_the_summary(app, tmp_path):
    path = save_xlsx(realistic_sheets(), tmp_path / "danh_ba.xlsx")
    code, printed = await run_import(app, path)
    assert code == 0, printed
    assert "Đơn vị: thêm 33, sửa 0, ngừng 0" in printed
    assert "Chỉ số: thêm 21, sửa 0, ngừng 0" in printed
    assert "Người: thêm 60, sửa 0, ngừng 0" in printed
    assert (await run_import(app, path))[1].endswith("Không có gì thay đổi.\n")  # a re-import is a no-op

    codes = await invite_codes(app, tmp_path)
    assert len(codes) == 60
    recorder = attach_recorder(app)
    head = ChatUser(app, recorder, "zalo-head-1")
    welcome = await head.say(f"/start {codes['Trưởng ban Nà Pài']}")
    assert "Trưởng ban Nà Pài, Trưởng ban Công tác Mặt trận thôn Nà Pài!" in welcome[0]  # his real position
    receipt = await file_visit_report(head, 40)
    assert "Đã ghi báo cáo" in receipt[0]

    chair = ChatUser(app, recorder, "zalo-chair")
    await chair.say(f"/start {codes['Nông Thị Chủ']}")
    summary = await chair.say("/tonghop")
    denominator = len(VILLAGES) * (POOR + NEAR_POOR)  # a village counts at most its own households
    line = next(line for line in summary[0].splitlines() if "1.1.7" in line)
    assert f"{round(100 * min(40, POOR + NEAR_POOR) / denominator)}%/100%" in line
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        people = {p.name: p for p in await repos.directory.people(commune.id)}
    assert len(people) == 60  # the invites bound the senders to the imported people, adding nobody


async def test_reimport_with_a_rename_a_removal_and_a_changed_baseline(app, tmp_path):
    sheets = realistic_sheets()
    await run_import(app, save_xlsx(sheets, tmp_path / "v1.xlsx"))
    codes = await invite_codes(app, tmp_path)
    recorder = attach_recorder(app)
    head, deputy = ChatUser(app, recorder, "head"), ChatUser(app, recorder, "deputy")
    await head.say(f"/start {codes['Trưởng ban Nà Pài']}")
    await deputy.say(f"/start {codes['Phó ban Bản Quân']}")
    await file_visit_report(head, 10)

    sheets["Đơn vị"][2][1] = "Thôn Nà Pài Mới"  # TH01 renamed
    sheets["Người"] = [row for row in sheets["Người"] if row[0] != "Phó ban Bản Quân"]
    sheets["Chỉ số"][1][3] = 7  # TH01's poor households
    code, printed = await run_import(app, save_xlsx(sheets, tmp_path / "v2.xlsx"))
    assert code == 0, printed
    changes = [line.strip() for line in printed.splitlines() if line.startswith("  ")]
    assert changes == ["sửa: TH01 Thôn Nà Pài (name: Thôn Nà Pài → Thôn Nà Pài Mới)",
                       "sửa: TH01 2026 (Số hộ nghèo: 5 → 7)",
                       "ngừng: Phó ban Bản Quân"]
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        unit = await repos.directory.unit_by_name(commune.id, "Thôn Nà Pài Mới")
        stored = await repos.reports.in_commune(commune.id, date(2026, 1, 1), date(2026, 12, 31))
    assert unit is not None and unit.code == "TH01"
    assert [r.unit_id for r in stored] == [unit.id]  # the report follows the renamed unit
    answer = await deputy.say("/baocao")
    assert "cần mã mời" in answer[0]  # the removed person's chat: the polite "not registered" answer


async def test_import_export_import_changes_nothing(app, tmp_path):
    await run_import(app, save_xlsx(realistic_sheets(), tmp_path / "v1.xlsx"))
    out = io.StringIO()
    assert await export_directory(app, str(tmp_path / "out.xlsx"), None, stdout=out) == 0
    code, printed = await run_import(app, tmp_path / "out.xlsx")
    assert code == 0 and printed.endswith("Không có gì thay đổi.\n"), printed


async def test_dry_run_prints_the_same_summary_and_writes_nothing(app, tmp_path):
    path = save_xlsx(realistic_sheets(), tmp_path / "v1.xlsx")
    code, printed = await run_import(app, path, dry_run=True)
    assert code == 0 and "Chạy thử" in printed and "Người: thêm 60, sửa 0, ngừng 0" in printed
    async with app.db.transaction() as repos:
        assert await repos.directory.communes() == []


async def test_a_deactivated_unit_keeps_its_reports_in_the_summary(app, tmp_path):
    sheets = realistic_sheets()
    await run_import(app, save_xlsx(sheets, tmp_path / "v1.xlsx"))
    codes = await invite_codes(app, tmp_path)
    recorder = attach_recorder(app)
    head = ChatUser(app, recorder, "head")
    await head.say(f"/start {codes['Trưởng ban Nà Pài']}")
    await file_visit_report(head, 16)
    sheets["Đơn vị"] = [row for row in sheets["Đơn vị"] if row[0] != "TH01"]
    sheets["Chỉ số"] = [row for row in sheets["Chỉ số"] if row[0] != "TH01"]
    sheets["Người"] = [row for row in sheets["Người"] if row[2] != "TH01"]
    code, printed = await run_import(app, save_xlsx(sheets, tmp_path / "v2.xlsx"))
    assert code == 0 and "Đơn vị: thêm 0, sửa 0, ngừng 1" in printed and "ngừng 2" in printed, printed
    chair = ChatUser(app, recorder, "chair")
    await chair.say(f"/start {codes['Nông Thị Chủ']}")
    summary = (await chair.say("/tonghop"))[0]
    line = next(line for line in summary.splitlines() if "1.1.7" in line)
    # the deactivated village's visits still count, and so do the households it had for the year
    assert f"{round(100 * min(16, POOR + NEAR_POOR) / (len(VILLAGES) * (POOR + NEAR_POOR)))}%/100%" in line
