"""Reports written as one message (issue 17.1, 17.3) on the console: filled from the sentence, only the missing
required questions asked, a numbered choice when the activity is unclear, two activities one after the other."""

from __future__ import annotations

from datetime import date

from support.app import ChatUser
from support.report_menu import open_form

ISSUE_SENTENCE = "hôm qua thôn tổ chức ngày hội đại đoàn kết ở nhà văn hóa có 150 người"


async def _reports(app) -> list:
    async with app.db.transaction() as repos:
        return await repos.reports.in_commune(1, date(2026, 1, 1), date(2026, 12, 31))


async def test_a_festival_from_one_sentence_in_three_messages(app, reporter):
    asked = await reporter.say(ISSUE_SENTENCE)
    assert len(asked) == 1  # what was understood and the one question left, in one message
    assert "Bot đã hiểu từ tin nhắn" in asked[0] and "- Số người tham gia: 150 người" in asked[0]
    assert "- Ngày tổ chức: 24/11/2026" in asked[0] and "(4/7) Có giám sát" in asked[0]
    summary = await reporter.say("có")
    assert "Xin kiểm tra lại báo cáo" in summary[0] and "- Địa điểm: nhà văn hóa" in summary[0]
    assert "Ghi chú:" not in summary[0]  # an optional question left blank is not listed in the check
    receipt = await reporter.say("1")
    assert "Đã ghi báo cáo số 1" in receipt[0]
    [report] = await _reports(app)
    assert report.form_id == "ngay_hoi" and report.activity_date == date(2026, 11, 24)
    assert report.answers == {"ngay": "2026-11-24", "dia_diem": "nhà văn hóa", "so_nguoi_tham_gia": 150,
                              "danh_gia_huong_uoc": True, "noi_dung": None, "anh": None, "ghi_chu": None}


async def test_everything_in_the_sentence_goes_straight_to_the_summary(app, reporter):
    summary = "\n".join(await reporter.say("ngay hoi hom qua tai nha van hoa thon, 200 nguoi, co danh gia huong uoc"))
    assert "Bot đã hiểu" in summary and "Xin kiểm tra lại báo cáo" in summary
    assert "Đã ghi báo cáo số 1" in (await reporter.say("gửi"))[0]


async def test_an_unclear_activity_is_offered_never_guessed(app, reporter):
    [choice] = await reporter.say("sáng nay họp góp ý về đường làng")
    assert "Đồng chí báo cáo hoạt động nào?" in choice
    assert "1. Góp ý chi ủy chi bộ, Trưởng thôn" in choice and "Hoạt động khác" in choice
    [question] = await reporter.say("1")
    assert "Ngày góp ý: 25/11/2026" in question and "(2/4) Góp ý cho ai?" in question
    assert await _reports(app) == []  # nothing saved until confirmed


async def test_another_activity_opens_the_whole_menu_and_keeps_the_sentence(app, reporter):
    [choice] = await reporter.say("hôm qua đọc loa phát thanh")
    assert "1. Quán triệt, tuyên truyền Đề án" in choice and "2. Hoạt động khác" in choice
    [menu] = await reporter.say("hoạt động khác")
    assert "Báo cáo việc gì?" in menu  # the groups first; a form's name still opens it
    [question] = await reporter.say("quán triệt, tuyên truyền đề án")
    assert "- Ngày tuyên truyền: 24/11/2026" in question and "(2/5)" in question


async def test_two_activities_one_after_the_other(app, reporter):
    [which] = await reporter.say("hôm qua tổ chức ngày hội ở nhà văn hóa 150 người và thăm 20 hộ nghèo")
    assert "nói đến 2 hoạt động" in which and "1. Ngày hội" in which and "2. Thăm hỏi" in which
    # the visits first: date and poor households are understood; the occasion, the near-poor households and the
    # first-time households (issue 15: no double counting) are asked
    for answer in ("2", "1", "0"):
        await reporter.say(answer)
    await reporter.say("20")
    [receipt] = await reporter.say("1")
    assert "Đã ghi báo cáo số 1" in receipt and "Tin nhắn còn nói đến: Ngày hội" in receipt
    [question] = await reporter.say("có")
    assert "- Số người tham gia: 150 người" in question and "(4/7)" in question
    await reporter.say("không")
    await reporter.say("1")
    visits, festival = await _reports(app)
    assert (visits.form_id, visits.answers["so_ho_ngheo"], festival.form_id) == ("tham_hoi_ho_ngheo", 20, "ngay_hoi")


async def test_bad_values_in_the_sentence_are_explained_and_asked_again(app, reporter):
    [asked] = await reporter.say("ngày hội ngày mai ở nhà văn hóa 50.000 người")
    assert "Ngày này chưa đến" in asked and "Số này lớn quá (nhiều nhất là 20000)" in asked
    assert "(1/7) Ngày tổ chức?" in asked
    [asked] = await reporter.say("hôm qua")
    assert "(3/7) Khoảng bao nhiêu người" in asked
    reason, asked = await reporter.say("5 triệu")
    assert "Đây là số tiền, không phải số lượng" in reason and "(3/7)" in asked


async def test_done_at_an_optional_question_goes_to_the_summary(app, reporter):
    await open_form(reporter.say)
    for text in ("hôm qua", "Nhà văn hóa thôn", "120 người", "có"):
        await reporter.say(text)
    summary = "\n".join(await reporter.say("xong"))
    assert "Xin kiểm tra lại báo cáo" in summary
    assert "Đã ghi báo cáo số 1" in (await reporter.say("1"))[0]


async def test_done_at_a_required_question_says_it_is_required(app, reporter):
    await open_form(reporter.say)
    reason, question = await reporter.say("gửi luôn")
    assert "Câu này bắt buộc" in reason and "(1/7)" in question


async def test_chatter_and_strangers_still_get_the_hint(app, recorder, reporter):
    assert "Chưa rõ ý đồng chí" in (await reporter.say("cảm ơn nhé"))[0]
    stranger = ChatUser(app, recorder, "guest-x", "Khách")
    assert "mã mời" in (await stranger.say("hôm qua thôn tổ chức ngày hội"))[0]


async def test_staff_pick_the_unit_first_and_the_sentence_is_kept(app, staff):
    [units] = await staff.say("thăm 12 hộ nghèo hôm qua, tổng 3 triệu")
    assert "Báo cáo cho đơn vị nào?" in units
    for answer in ("2", "1", "0"):  # the unit, then the occasion and the near-poor households the sentence lacks
        await staff.say(answer)
    summary = "\n".join(await staff.say("12"))  # households visited for the first time this year
    assert "- Số hộ nghèo được thăm: 12 hộ" in summary and "3.000.000 đồng" in summary
