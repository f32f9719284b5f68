"""/kiennghi notices a recommendation the register already holds — typically one a supervision report put there —
and asks (numbered, as on Zalo) whether it is the same one, so it is not counted twice (issue 15: one register)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from support.app import ChatUser, attach_recorder, invite_code, make_app
from support.fake_zalo import TEXT_LIMIT, FakeZalo
from support.zalo_harness import USER, ZaloUser, running, zalo_app

from core.menus import MESSAGE_CHARS
from plan import petition_lifecycle as life

NA_PAI = "Thôn Nà Pài (mẫu)"  # the sample reporter's village


@pytest.fixture
async def chat(database_url, clock):
    app = await make_app(database_url, clock)
    recorder = attach_recorder(app)
    reporter, staff = ChatUser(app, recorder, "reporter", "Trưởng ban"), ChatUser(app, recorder, "staff", "Cán bộ")
    await reporter.say("bao cao")  # a supervision of yesterday with two recommendations: KN-2026-001 and 002
    await reporter.say("Giám sát")
    for answer in ("hôm qua", "Việc sử dụng quỹ", "1", "1", "bỏ qua", "- Sửa đường liên thôn\n- Lắp đèn ngõ 3",
                   "bỏ qua"):
        await reporter.say(answer)
    assert "KN-2026-001, KN-2026-002" in (await reporter.say("1"))[-1]
    yield app, staff
    await app.close()


async def _record(staff: ChatUser, content: str, received: str, unit: str = NA_PAI) -> list[str]:
    """Staff's /kiennghi up to the date of receipt; returns the bot's answer to the date."""
    await staff.say("/kiennghi moi")
    units = (await staff.say("1"))[0]  # source: after a supervision
    number = re.search(rf"^(\d+)\. {re.escape(unit)}$", units, re.M)
    assert number, units
    await staff.say(number.group(1))
    await staff.say(content)
    return await staff.say(received)


async def _references(app) -> dict[str, str]:
    async with app.db.transaction() as repos:
        items = await repos.petitions.in_commune(1, date(2026, 1, 1), date(2026, 12, 31))
    return {life.reference(p.year, p.number): p.content for p in items}


async def test_the_same_recommendation_typed_again_is_asked_about_and_not_added(chat):
    app, staff = chat
    # without diacritics, other case, spacing and punctuation, received two days before the report's date
    asked = (await _record(staff, "  sua DUONG   lien thon. ", "22/11"))[0]
    assert asked.startswith("Sổ kiến nghị đã có KN-2026-001 của đơn vị này (từ báo cáo Giám sát"), asked
    assert "ngày 24/11/2026), nhận ngày 24/11/2026: “Sửa đường liên thôn”" in asked, asked
    assert "\n1. Là cùng một kiến nghị — không ghi thêm\n2. Là kiến nghị khác — ghi thêm\n" in asked, asked
    assert len(asked) <= MESSAGE_CHARS
    again = (await staff.say("3"))[0]  # a kind answer and the same question
    assert "Xin gõ một số từ 1 đến 2" in again and "1. Là cùng một kiến nghị" in again
    assert (await staff.say("1")) == ["Không ghi thêm, để kiến nghị không bị tính hai lần: nó đã có trong sổ là "
                                      "KN-2026-001. Gõ /kiennghi KN-2026-001 để xem hoặc cập nhật."]
    assert await _references(app) == {"KN-2026-001": "Sửa đường liên thôn", "KN-2026-002": "Lắp đèn ngõ 3"}
    assert "kiến nghị đang chờ trả lời (2):" in (await staff.say("/kiennghi"))[0]  # the flow is over


async def test_a_different_one_after_all_is_added(chat):
    app, staff = chat
    assert "KN-2026-002" in (await _record(staff, "Lắp đèn ngõ 3", "hôm nay"))[0]
    origin = (await staff.say("2"))[0]  # "a different one": recording goes on where it would have
    assert "Kiến nghị này từ cuộc giám sát / phản biện nào?" in origin, origin
    await staff.say("1")
    await staff.say("bỏ qua")
    assert "Đã ghi kiến nghị KN-2026-003" in (await staff.say("1"))[0]
    assert (await _references(app))["KN-2026-003"] == "Lắp đèn ngõ 3"


@pytest.mark.parametrize(("content", "received", "unit"), [
    ("Sửa đường liên thôn và cầu tràn", "hôm nay", NA_PAI),  # other words
    ("Sửa đường liên thôn", "10/11", NA_PAI),  # two weeks apart: a request made again is a new one
    ("Sửa đường liên thôn", "hôm nay", "Thôn Bản Quân (mẫu)"),  # another village
], ids=["other words", "two weeks apart", "another unit"])
async def test_no_question_when_it_is_not_the_same(chat, content, received, unit):
    _app, staff = chat
    answer = (await _record(staff, content, received, unit))[0]
    assert "Sổ kiến nghị đã có" not in answer and "Kiến nghị này từ cuộc giám sát" in answer, answer


async def test_on_zalo_the_question_is_numbered_text(sqlite_url, clock, tmp_path):
    """A village head on Zalo records the recommendation their supervision report already put in the register."""
    fake = await FakeZalo().start()
    app = await zalo_app(fake, sqlite_url, clock)
    try:
        async with running(app, tmp_path):
            head = ZaloUser(app, fake, USER)
            await head.say(f"/start {await invite_code(app)}")
            await head.say("bao cao")
            await head.say("Giám sát")
            for answer in ("hôm qua", "Việc sử dụng quỹ", "1", "1", "bỏ qua", "Sửa đường liên thôn", "bỏ qua"):
                await head.say(answer)
            assert "KN-2026-001" in "\n".join(await head.say("1"))
            for typed in ("/kiennghi moi", "1"):  # source: after a supervision
                await head.say(typed)
            await head.say("Sửa đường liên thôn")
            asked = await head.say("hôm nay")
            assert len(asked) == 1 and len(asked[0]) <= TEXT_LIMIT
            assert "KN-2026-001" in asked[0] and "\n1. Là cùng một kiến nghị — không ghi thêm\n2. Là" in asked[0]
            assert not [m for m in fake.sent if m.method not in ("sendMessage", "sendChatAction")]  # no buttons
            assert "không bị tính hai lần" in (await head.say("1"))[0]
        assert list(await _references(app)) == ["KN-2026-001"]
    finally:
        await app.close()
        await fake.stop()
