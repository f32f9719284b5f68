"""Plans per commune and year: `mttq-bot plan load`, a corrected 2026 plan, a 2027 plan from 1 January 2027."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import select
from support.app import VN, ChatUser, attach_recorder, make_app
from support.dashboard_data import link_in
from support.demo_db import demo_app
from support.zalo_harness import free_port

from bot.export_cli import export
from bot.plans import load_plan_file
from plan.loader import SHIPPED_PLAN
from storage.models import Outbox, PlanVersion, Report

REMOVED_FORM, CHANGED_INDICATOR = "quy_vi_nguoi_ngheo", "1.1.4"  # a form nothing refers to; a 90 % target
NEW_FORM_2027 = "sang_kien_2027"


@pytest.fixture
async def app(database_url, clock):
    app = await make_app(database_url, clock)
    yield app
    await app.close()


def corrected_2026(tmp_path: Path) -> Path:
    """The shipped plan with one form removed and one target changed (90 → 80)."""
    data = yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))
    data["forms"] = [f for f in data["forms"] if f["id"] != REMOVED_FORM]
    for group in data.get("form_groups", []):
        group["forms"] = [f for f in group["forms"] if f != REMOVED_FORM]
    next(i for i in data["indicators"] if i["id"] == CHANGED_INDICATOR)["target"] = 80
    path = tmp_path / "ke_hoach_2026_sua.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def plan_2027(tmp_path: Path) -> Path:
    """Next year's plan: the same text with the years moved on, and one new form."""
    text = SHIPPED_PLAN.read_text(encoding="utf-8").replace("2026", "2027").replace("2025", "2026")
    data = yaml.safe_load(text)
    new = dict(next(f for f in data["forms"] if f["id"] == REMOVED_FORM), id=NEW_FORM_2027,
               label={"vi": "Sáng kiến cộng đồng năm 2027", "en": "Community initiative 2027"}, aliases=[],
               keywords=[])
    data["forms"].append(new)
    path = tmp_path / "ke_hoach_2027.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


async def load(app, path, commune=None) -> tuple[int, str]:
    out = io.StringIO()
    code = await load_plan_file(app, str(path), commune, stdout=out)
    return code, out.getvalue()


async def add_report(app, form_id: str, day: date, answers: dict) -> int:
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        unit = await repos.directory.unit_by_name(commune.id, "Thôn Nà Pài (mẫu)")
        person = await repos.directory.person_by_identity("console", "reporter")
        report = await repos.reports.add(Report(commune_id=commune.id, unit_id=unit.id, person_id=person.id,
                                                form_id=form_id, activity_date=day, answers=answers,
                                                created_at=app.clock()))
        return report.id


async def test_a_corrected_plan_is_stored_with_its_diff_and_old_reports_stay_summarised(app, tmp_path):
    retired = await add_report(app, REMOVED_FORM, date(2026, 11, 20), {"ngay": "2026-11-20", "so_tien": 5000000})
    path = corrected_2026(tmp_path)
    code, printed = await load(app, path)
    assert code == 0, printed
    assert "Đã lưu kế hoạch năm 2026 cho Xã Nam Cường (mẫu)" in printed or "Đã lưu kế hoạch năm 2026" in printed
    assert f"Mẫu báo cáo bỏ (1): {REMOVED_FORM}" in printed
    assert f"Chỉ tiêu sửa (1): {CHANGED_INDICATOR} (target)" in printed
    assert "thêm" not in printed and "Mốc thời gian" not in printed  # nothing else changed
    assert (await load(app, path))[1].endswith("không có gì thay đổi.\n")  # the same file again: no new version
    async with app.db.transaction() as repos:
        versions = list((await repos.session.execute(select(PlanVersion))).scalars())
    assert [(v.year, len(v.content_hash)) for v in versions] == [(2026, 64)]

    recorder = attach_recorder(app)
    chair, reporter = ChatUser(app, recorder, "chair"), ChatUser(app, recorder, "reporter")
    summary = (await chair.say("/tonghop"))[0]
    assert re.search(rf"{re.escape(CHANGED_INDICATOR)}\. .*: [\d,.]+%?/80", summary), summary  # the new target
    assert f"không còn trong kế hoạch (vẫn giữ, không tính vào chỉ tiêu): {REMOVED_FORM} (1)" in summary
    mine = (await reporter.say("/cuatoi"))[0]
    assert f'mẫu "{REMOVED_FORM}" không còn trong kế hoạch' in mine
    number = re.search(rf"^(\d+)\. #{retired}\b", mine, re.M) or re.search(r"^(\d+)\. [^\n]*không còn", mine, re.M)
    detail = (await reporter.say(number.group(1)))[0]
    assert "so_tien: 5000000" in detail and "Sửa" not in detail  # readable, not editable


async def test_an_invalid_plan_or_unknown_commune_stores_nothing(app, tmp_path):
    broken = tmp_path / "hong.yaml"
    broken.write_text("year: 2026\ntitle: x\n", encoding="utf-8")
    code, printed = await load(app, broken)
    assert code == 1 and "có lỗi, chưa lưu gì" in printed and "line" in printed
    code, printed = await load(app, corrected_2026(tmp_path), "Xã Không Có")
    assert code == 1 and "Xã Không Có" in printed
    async with app.db.transaction() as repos:
        assert list((await repos.session.execute(select(PlanVersion))).scalars()) == []


async def report_menu(app, clock) -> str:
    recorder = attach_recorder(app)
    menu = (await ChatUser(app, recorder, "reporter").say("/baocao"))
    assert "Báo cáo việc gì?" in menu[0]  # the village's forms by group (issue 15.7), this year's plan
    if "Hoạt động khác" in menu[0]:  # forms the plan placed in no group
        menu += await ChatUser(app, recorder, "reporter").say("Hoạt động khác")
    await ChatUser(app, recorder, "reporter").say("/huy")
    return "\n".join(menu)


async def test_the_2027_plan_is_used_from_1_january_2027_and_december_warns_once(app, tmp_path, clock):
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=VN))  # a Tuesday in sending hours
    recorder = attach_recorder(app)
    for who in ("admin", "chair", "staff", "reporter"):  # their private chats become known
        await ChatUser(app, recorder, who).say("/trogiup")
    await app.tick()
    await app.tick()
    async with app.db.transaction() as repos:
        rows = list((await repos.session.execute(select(Outbox))).scalars())
    notices = [r for r in rows if r.dedupe_key.startswith("plan-missing:")]
    assert sorted(r.chat_id for r in notices) == ["admin", "chair", "staff"]  # once each despite two ticks
    assert "Chưa có kế hoạch năm 2027" in notices[0].payload["text"]

    out = str(tmp_path / "q1.txt")
    assert await export(app, "2027-Q1", "txt", out) == 2  # no 2027 plan yet: refused with the reason
    code, printed = await load(app, plan_2027(tmp_path))
    assert code == 0, printed
    assert await export(app, "2027-Q1", "txt", out) == 0  # `mttq-bot export` reads the commune's 2027 plan
    assert f"Mẫu báo cáo thêm (1): {NEW_FORM_2027}" in printed
    assert "So với kế hoạch dùng trước đó (năm 2026" in printed
    clock.set(datetime(2026, 12, 31, 16, 0, tzinfo=VN))
    assert "Sáng kiến cộng đồng năm 2027" not in await report_menu(app, clock)
    clock.set(datetime(2027, 1, 1, 8, 0, tzinfo=VN))
    assert "Sáng kiến cộng đồng năm 2027" in await report_menu(app, clock)
    reminders = next(t for t in app.tickers if getattr(t, "__name__", "") == "reminders")
    async with app.db.transaction() as repos:
        commune_id = (await repos.directory.communes())[0].id
    assert reminders.plan_of(commune_id, clock()).year == 2027
    assert app.plans.for_year(commune_id, 2026).year == 2026  # last year's reports and summaries keep theirs


async def test_the_dashboard_follows_the_communes_plan_of_the_year(tmp_path, clock):
    port = free_port()
    app = await demo_app(tmp_path, clock, web_port=port, public_base_url=f"http://127.0.0.1:{port}",
                         webhook_secret="secret-for-links-1")
    try:
        assert (await load(app, plan_2027(tmp_path)))[0] == 0
        clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=VN))
        await app.web.start()
        chair = ChatUser(app, attach_recorder(app), "chair", "Chủ tịch")
        async with httpx.AsyncClient(timeout=60) as http:
            opened = await http.post(link_in(await chair.say("/web")))
            session = {"Cookie": "mttq_session=" + opened.cookies["mttq_session"]}
            page = (await http.get(f"http://127.0.0.1:{port}/d/bao-cao", headers=session)).text
            last_year = await http.get(f"http://127.0.0.1:{port}/d/bao-cao?ky=2026-Q4", headers=session)
        assert "Sáng kiến cộng đồng năm 2027" in page and "2027-Q1" in page  # the 2027 forms and periods
        assert last_year.status_code == 400  # the page is this year's plan's; /tonghop năm 2026 gives last year
    finally:
        await app.web.stop()
        await app.close()
