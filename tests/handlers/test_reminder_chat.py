"""The chat side of reminders: answering one, snoozing it, /lich, /kyhop, and bad input."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from support.app import VN, ChatUser
from support.menus import every_page
from support.reminding import remind
from support.report_menu import open_form

from core.menus import MESSAGE_CHARS
from plan.loader import SHIPPED_PLAN, PlanError, parse_plan
from storage.models import Report

NINE_MARCH = datetime(2026, 3, 9, 7, 30, tzinfo=VN)  # the Q1 quarterly reminder (cut-off 15/03 − 7, Sunday → Monday)


@pytest.fixture
async def greeted(app, reporter, clock):
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=VN))
    await reporter.say("/trogiup")
    return reporter


@pytest.mark.parametrize(("label", "now", "opens"), [
    ("the quarterly report, Q1 (any report)", NINE_MARCH, "Báo cáo việc gì?"),
    ("II.1.1 Ngày hội, 14 days before 18/11", datetime(2026, 11, 4, 7, 30, tzinfo=VN), "(1/7) Ngày tổ chức?"),
])
async def test_done_opens_the_right_form(app, recorder, greeted, label, now, opens):
    async with app.db.transaction() as repos:  # something reported in Q4, so only the Ngày hội is missing then
        unit = (await repos.directory.person_by_identity("console", "reporter")).unit_id
        await repos.reports.add(Report(commune_id=1, unit_id=unit, person_id=4, form_id="tuyen_truyen",
                                       activity_date=date(2026, 10, 5), answers={}, created_at=app.clock()))
    texts = await remind(app, recorder, greeted, now)
    assert len(texts) == 1 and "1. Đã làm — báo cáo ngay" in texts[0] and len(texts[0]) < 300, label
    answer = await greeted.say("đã làm")
    assert opens in answer[0], label


async def test_later_snoozes_and_the_reminder_comes_back_once(app, recorder, greeted):
    texts = await remind(app, recorder, greeted, NINE_MARCH)
    assert any("quý I năm 2026" in t and "hạn 15/03/2026" in t for t in texts)
    assert "12/03/2026" in (await greeted.say("nhac lai sau"))[0]
    assert await remind(app, recorder, greeted, datetime(2026, 3, 11, 9, 0, tzinfo=VN)) == []
    back = await remind(app, recorder, greeted, datetime(2026, 3, 12, 7, 30, tzinfo=VN))
    assert len(back) == 1 and "quý I năm 2026" in back[0]
    assert await remind(app, recorder, greeted, datetime(2026, 3, 13, 9, 0, tzinfo=VN)) == []


async def test_a_half_filled_report_is_not_clobbered(app, recorder, greeted):
    app.clock.set(NINE_MARCH.replace(hour=7, minute=0))
    await open_form(greeted.say)  # Ngày hội: first question asked
    await remind(app, recorder, greeted, NINE_MARCH)
    answer = await greeted.say("hôm qua")  # still the report's date question
    assert "(2/" in answer[0]


async def test_an_unclear_answer_gets_the_question_again(app, recorder, greeted):
    await remind(app, recorder, greeted, NINE_MARCH)
    answer = await greeted.say("không hiểu")
    assert "gõ 1" in answer[0] and "1. Đã làm" in answer[1]


@pytest.mark.parametrize(("who", "expected"), [
    ("reporter", ["Lịch báo cáo của Thôn Nà Pài (mẫu)", "15/03/2026", "chưa báo cáo"]),  # the quarter's cut-off
    ("staff", ["Lịch báo cáo của xã", "31/03/2026", "đơn vị chưa báo cáo", "28/02/2026"]),
])
async def test_lich_shows_upcoming_and_overdue_deadlines(app, recorder, clock, who, expected):
    clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=VN))
    user = ChatUser(app, recorder, who)
    pages = await every_page(user.say, (await user.say("/lich"))[0])  # a long list, turned with "0" as menus are
    assert all(len(page) <= MESSAGE_CHARS for page in pages), pages
    text = "\n".join(pages)
    assert all(part in text for part in expected), text
    assert (await user.say("/lich"))[0] == pages[0]
    if len(pages) > 1:
        assert "trước" not in pages[0] and "trước" in pages[1]  # «trước» only where a page comes before
        assert (await user.say("/lich 2"))[0] == pages[1]  # the shortcut still goes straight there


@pytest.mark.parametrize(("typed", "expected"), [
    ("/kyhop 15/12/2026", "Đã ghi kỳ họp HĐND ngày 15/12/2026"),
    ("/kyhop 20/11/2026", "(đã qua). Các buổi tiếp xúc cử tri"),  # a past session is recorded too
    ("/kyhop 15/01/2027", "không thuộc năm 2026"),
    ("/kyhop ngày mai", "ví dụ: /kyhop"),
    ("/kyhop 31/02/2026", "không có trong lịch"),
])
async def test_kyhop_adds_a_session_or_says_why_not(staff, typed, expected):
    answer = (await staff.say(typed))[0]
    assert expected.lower() in answer.lower(), answer


async def test_kyhop_lists_sessions_and_is_for_staff_only(staff, reporter):
    await staff.say("/kyhop 15/12/2026")
    assert "15/12/2026" in (await staff.say("ky hop"))[0]
    assert "15/12/2026" not in (await reporter.say("/kyhop 16/12/2026"))[0]


def test_plan_check_rejects_a_deadline_outside_the_plan_year():
    text = SHIPPED_PLAN.read_text(encoding="utf-8").replace('text: "Tháng 02/2026"}', 'text: "Tháng 02/2027"}', 1)
    with pytest.raises(PlanError, match=r"line \d+: .*I\.1: deadline 'Tháng 02/2027' is outside the plan year 2026"):
        parse_plan(text)
