"""Rough edges users met, through the console path a village head or the commune's chair chats on (as on Zalo:
no buttons, numbered text): a command's spaced name with words after it ("tong hop quy 1"), one way to page long
lists (/lich, /kiennghi: "0. ➡️ Xem tiếp" as in menus), supervisions told apart in /kiennghi, and yes/no menus
that look and read the same in every flow."""

from __future__ import annotations

from datetime import date

import pytest
from support.app import ChatUser
from support.menus import number_of

from core.messages import PhotoIn
from storage.models import Report

YES_NO = "\n1. Có\n2. Không\n"


@pytest.mark.parametrize(("typed", "slashed"), [
    ("tong hop quy 1", "/tonghop quý 1"),
    ("Tổng hợp quý 1", "/tonghop quý 1"),
    ("Tổng hợp: quý 1", "/tonghop quý 1"),  # as a heading is written
    ("Tonghop: quy 1", "/tonghop quý 1"),
    ("bao cao tong hop 6 thang", "/tonghop 6 tháng"),
    ("Kiến nghị mới", "/kiennghi mới"),
    ("ky hop 15/12/2026", "/kyhop 15/12/2026"),
])
async def test_a_spaced_command_name_with_words_after_it_is_that_command(app, recorder, typed, slashed):
    """The help says the slash may be left out; a phone's keyboard types "tổng hợp" as two words."""
    chair, again = ChatUser(app, recorder, "chair", "Chủ tịch"), ChatUser(app, recorder, "chair", "Chủ tịch")
    first = await chair.say(typed)
    await chair.say("/huy")
    if slashed.startswith("/kyhop"):  # the first added the session: the second hears it exists
        assert first[0].startswith("Đã ghi kỳ họp HĐND ngày 15/12/2026") and "đã có" in (await again.say(slashed))[0]
        return
    assert first == await again.say(slashed)


async def test_a_free_text_answer_starting_with_a_commands_words_stays_the_answer(app, staff):
    """Mid-form, "Kỳ họp HĐND khóa XII" answers "before which session?" and "Kiến nghị sửa đường …" is the
    petition's content: neither becomes /kyhop or /kiennghi."""
    for text in ("/baocao", "1", "tiep xuc cu tri", "hôm qua"):
        question = (await staff.say(text))[-1]
    assert question.startswith("(2/5) Trước kỳ họp HĐND nào?")
    assert (await staff.say("Kỳ họp HĐND khóa XII lần 3"))[0].startswith("(3/5)")
    await staff.say("/huy")
    await staff.say("/kiennghi moi")
    await staff.say("1")
    await staff.say("1")
    assert (await staff.say("Kiến nghị sửa đường liên thôn"))[0] == "Ngày tiếp nhận? (ví dụ 15/3 hoặc hôm nay)"


async def test_a_spaced_name_from_someone_it_is_not_for_or_in_a_group_is_ordinary_text(app, recorder, reporter):
    """A village head's "tổng hợp ý kiến bà con …" is not a refused /tonghop; a group's chatter is not for the bot."""
    assert parse_ok(await reporter.say("tổng hợp ý kiến bà con thôn"))
    chair_in_group = ChatUser(app, recorder, "chair", "Chủ tịch", chat_kind="group", chat_id="zalo-group-1")
    assert await chair_in_group.say("tong hop quy 1") == []
    assert await chair_in_group.say("tonghop quy 1") != []  # the joined name is a command anywhere


async def test_a_sentence_typed_after_photos_stays_theirs_though_it_begins_like_a_command(app, reporter):
    """Photos first, as in the village's Zalo group, then a sentence: "kiến nghị …" is read with the photos
    (a report, or the same question again), never /kiennghi dropping them."""
    photo = PhotoIn(file_id="photo-1", content=b"\xff\xd8\xff\xe0 a small jpeg", mime="image/jpeg")
    assert "Ảnh này thuộc báo cáo nào?" in (await reporter.say(photo=photo))[0]
    replies = await reporter.say("kiến nghị của bà con về sửa đường liên thôn")
    assert not any("/kiennghi" in reply for reply in replies), replies
    async with app.db.transaction() as repos:
        kept = await repos.conversations.get("console", "reporter", "reporter")
    assert kept is not None and kept.flow in ("photos", "report"), kept


def parse_ok(replies: list[str]) -> bool:
    return bool(replies) and not any("lệnh này dành cho" in reply for reply in replies)


async def test_lich_pages_like_a_menu_and_any_other_message_closes_it(app, staff):
    first = (await staff.say("/lich"))[0]
    assert "0. ➡️ Xem tiếp (trang 2/" in first and "trước" not in first
    second = (await staff.say("xem tiếp"))[0]
    assert "(trang 3/" in second and second == (await staff.say("/lich 2"))[0]
    assert (await staff.say("trước"))[0] == first
    assert (await staff.say("bao cao"))[0].startswith("Báo cáo cho đơn vị nào?")  # the list closed; the form opened
    assert (await staff.say("0"))[0] != first  # "0" now answers the unit menu: its next page, not the deadlines


async def test_lich_during_a_form_keeps_the_forms_question(app, staff):
    await staff.say("/baocao")
    await staff.say("1")
    listed = (await staff.say("/lich"))[0]
    assert "còn tiếp: gõ /lich 2" in listed and "0. " not in listed  # pages by the shortcut, "0" stays the form's
    assert "1. Ngày hội Đại đoàn kết toàn dân tộc" in (await staff.say("1"))[0]  # the form goes on


async def test_supervisions_alike_read_apart_by_unit_and_number(app, staff, clock):
    async with app.db.transaction() as repos:
        units = await repos.directory.units(1)
        for unit in units[:2]:  # the same day and topic, by two units
            await repos.reports.add(Report(commune_id=1, unit_id=unit.id, person_id=3, form_id="giam_sat",
                                           activity_date=date(2026, 11, 10), answers={"noi_dung": "Thu gom rác"},
                                           created_at=clock()))
    for text in ("/kiennghi moi", "1", "2", "Bãi rác gần trường học"):
        await staff.say(text)
    origin = (await staff.say("20/11"))[0]
    assert f"1. 10/11/2026 {units[1].name}: Thu gom rác (số 2)" in origin, origin  # latest first
    assert f"2. 10/11/2026 {units[0].name}: Thu gom rác (số 1)" in origin, origin
    await staff.say("2")
    await staff.say("bỏ qua")
    await staff.say("1")
    async with app.db.transaction() as repos:
        assert (await repos.petitions.by_reference(1, 2026, 1)).origin_report_id == 1


async def _file_a_report(reporter: ChatUser) -> str:
    """The Ngày hội form to its yes/no question (photos?); returns that question."""
    for text in ("bao cao", "1", "1", "hôm qua", "Nhà văn hóa"):
        await reporter.say(text)
    return (await reporter.say("120"))[0]


@pytest.mark.parametrize(("typed", "kept"), [("1", True), ("co", True), ("Có", True), ("yes", True), ("ừ", True),
                                             ("2", False), ("khong", False), ("Không", False), ("no", False)])
async def test_yes_no_menus_look_and_read_the_same_in_a_form_and_a_confirmation(app, reporter, typed, kept):
    question = await _file_a_report(reporter)
    assert YES_NO in question, question
    assert not (await reporter.say(typed))[0].startswith("Xin")  # the form's answer taken: the next question
    for text in ("-", "-", "-", "1", "/cuatoi", "1"):
        detail = (await reporter.say(text))[-1]
    confirm = (await reporter.say(number_of(detail, "Xóa")))[0]
    assert YES_NO in confirm, confirm
    await reporter.say(typed)
    async with app.db.transaction() as repos:
        report = await repos.reports.get(1)
    assert report.answers["danh_gia_huong_uoc"] is kept
    assert (report.deleted_at is not None) == kept
