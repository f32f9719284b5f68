"""/tonghop through the console path, and the automatic quarter-end summary sent exactly once."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from support.app import VN, ChatUser, FakeClock, attach_recorder, make_app

from core.messages import PRIORITY_SUMMARY
from handlers.flows.summary import parse_period
from plan.calendar import SendingCalendar
from plan.loader import SHIPPED_PLAN, load_plan_cached
from plan.periods import Period
from storage.models import Report
from summaries.auto import QuarterlySummaryTicker, due_quarter
from summaries.load import load_snapshot


async def _add_report(app, unit_name: str, form_id: str, day: str, answers: dict) -> None:
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        unit = next(u for u in await repos.directory.units(commune.id) if u.name == unit_name)
        chair = next(p for p in await repos.directory.people(commune.id) if p.role == "chair")
        await repos.reports.add(Report(commune_id=commune.id, unit_id=unit.id, person_id=chair.id, form_id=form_id,
                                       activity_date=date.fromisoformat(day), answers={"ngay": day, **answers},
                                       created_at=app.clock()))


async def test_chair_gets_text_two_documents_and_a_photo(app, chair, recorder):
    await _add_report(app, "Thôn Nà Pài (mẫu)", "ngay_hoi", "2026-11-18", {"so_nguoi_tham_gia": 150})
    answers = await chair.say("/tonghop")
    replies = [reply for _chat, reply in recorder.sent]
    assert "Tổng hợp quý IV năm 2026" in answers[0]
    assert "Chưa báo cáo: Ủy ban MTTQ Việt Nam xã, Thôn Bản Quân (mẫu)" in answers[0]
    assert "⚠️ 1.1.1." in answers[0] and "20%/100%" in answers[0]
    assert [r.document.name.rsplit(".", 1)[1] for r in replies if r.document] == ["docx", "xlsx"]
    assert [r.photo.name for r in replies if r.photo] == ["bao-cao-2026-Q4-nam-cuong.png"]
    async with app.db.transaction() as repos:
        stored = [await repos.files.get(r.document.file_id) for r in replies if r.document]
    assert stored[0].content[:2] == b"PK" and stored[0].kind == "document"


CURRENT = Period.quarter(2026, 4)


@pytest.mark.parametrize(("args", "expected"), [
    ("", (CURRENT, False)), ("quý 1", (Period.quarter(2026, 1), False)), ("q2", (Period.quarter(2026, 2), False)),
    ("quy 3", (Period.quarter(2026, 3), False)), ("Quý IV/2026", (Period.quarter(2026, 4), False)),
    ("năm", (Period(2026, "year"), False)), ("2026", (Period(2026, "year"), False)),
    ("6 tháng", (Period(2026, "half"), False)), ("9 thang", (Period(2026, "nine_months"), False)),
    ("quý 1 đảng ủy", (Period.quarter(2026, 1), True)), ("đảng ủy", (CURRENT, True)),
    ("quý 7", None), ("2031", None), ("quý 1/2025", None), ("hôm qua", None), ("12 tháng 5", None),
])
def test_parse_period(args, expected):
    assert parse_period(args, 2026, CURRENT) == expected


async def test_a_named_period_through_the_chat(chair):
    answers = await chair.say("/tonghop quý 1 đảng ủy")
    assert "Tổng hợp quý I năm 2026" in answers[0] and "Chưa có báo cáo nào trong kỳ này." in answers[0]
    assert len(answers) == 4


@pytest.mark.parametrize("args", ["quý 7", "2031", "hôm qua"])
async def test_bad_period_gets_a_kind_answer_with_examples(chair, args):
    answers = await chair.say(f"/tonghop {args}")
    assert len(answers) == 1
    assert answers[0].startswith("Xin lỗi, chưa hiểu kỳ báo cáo") and "/tonghop quý 1" in answers[0]


async def test_reporter_is_refused_and_viewer_allowed(app, reporter, recorder):
    assert (await reporter.say("/tonghop"))[0].startswith("Xin lỗi, lệnh này dành cho cán bộ")
    viewer = ChatUser(app, recorder, "viewer", "Thường trực")
    assert "Tổng hợp quý IV năm 2026" in (await viewer.say("tong hop"))[0]


@pytest.mark.parametrize(("today", "quarter"), [
    (date(2026, 3, 16), 1), (date(2026, 3, 22), 1), (date(2026, 3, 23), None), (date(2026, 3, 15), None),
    (date(2026, 6, 16), 2), (date(2026, 9, 16), 3), (date(2026, 12, 16), 4), (date(2026, 11, 25), None),
])
def test_due_quarter_starts_the_first_working_day_after_the_cutoff(today, quarter):
    due = due_quarter(load_plan_cached(str(SHIPPED_PLAN)), SendingCalendar(VN), today)
    assert (due.number if due else None) == quarter


async def test_quarter_end_summary_goes_to_chair_and_groups_exactly_once(database_url):
    clock = FakeClock(datetime(2026, 3, 16, 6, 0, tzinfo=VN))  # Monday after the cut-off, before sending hours
    app = await make_app(database_url, clock)
    try:
        recorder = attach_recorder(app)
        async with app.db.transaction() as repos:
            commune = (await repos.directory.communes())[0]
            await repos.chats.remember("console", "chair", "private", person_id=2, commune_id=commune.id)
            group = await repos.chats.remember("console", "group-1", "group", commune_id=commune.id)
            group.registered = True
            assert len((await load_snapshot(repos, commune.id, 2026)).units) == 12
        ticker = next(t for t in app.tickers if isinstance(t, QuarterlySummaryTicker))
        assert await ticker(clock()) == 0  # 06:00 is outside sending hours
        clock.set(datetime(2026, 3, 16, 8, 0, tzinfo=VN))
        assert await ticker(clock()) == 2
        assert await ticker(clock()) == 0  # the next minute: already queued
        await app.outbox.drain()
        chats = sorted({chat for chat, _reply in recorder.sent})
        assert chats == ["chair", "group-1"] and len(recorder.sent) == 8
        assert recorder.sent[0][1].text.startswith("Báo cáo tổng hợp tự động sau kỳ chốt số liệu quý I năm 2026")
        async with app.db.transaction() as repos:
            rows = await repos.outbox.for_chat("console", "chair")
        assert {row.priority for row in rows} == {PRIORITY_SUMMARY}
        assert rows[0].dedupe_key == f"summary:{commune.id}:2026-Q1:console:chair"
    finally:
        await app.close()
