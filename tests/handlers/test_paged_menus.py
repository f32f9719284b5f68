"""Long menus a page at a time (issue 15.7), through the console path, on a commune of 52 units: every message
at most 300 characters, numbers that mean the same unit on every page, "0"/"tiếp" and "trước" to turn pages,
a name typed without diacritics picked from any page, a button pressed on Telegram's option 0."""

from __future__ import annotations

import re

import pytest
from support.app import ChatUser, attach_recorder, make_app
from support.big_commune import add_villages, village_name
from support.menus import number_of

from core.menus import MESSAGE_CHARS, NEXT_PAGE


@pytest.fixture
async def app(sqlite_url, clock):
    app = await make_app(sqlite_url, clock)
    await add_villages(app)
    yield app
    await app.close()


@pytest.fixture
def staff(app):
    return ChatUser(app, attach_recorder(app), "staff", "Cán bộ")


def page_numbers(menu: str) -> list[int]:
    return [int(n) for n in re.findall(r"^(\d+)\. ", menu, re.M)]


async def test_the_unit_menu_comes_a_page_at_a_time_with_stable_numbers(staff):
    first = (await staff.say("/baocao"))[0]
    assert len(first) <= MESSAGE_CHARS and "0. ➡️ Xem tiếp (trang 2/" in first
    shown = page_numbers(first)
    assert shown[:-1] == list(range(1, len(shown))) and shown[-1] == 0
    second = (await staff.say("0"))[0]
    assert len(second) <= MESSAGE_CHARS and page_numbers(second)[0] == len(shown)  # 1…k-1, then k…
    assert (await staff.say("tiếp"))[0] != second  # a word turns it too
    assert (await staff.say("trước"))[0] == second  # and back
    pages = int(re.search(r"trang \d+/(\d+)", first)[1])
    seen = [first]
    for _ in range(pages):
        seen.append((await staff.say("0"))[0])
    assert seen[-1] == second and all(len(page) <= MESSAGE_CHARS for page in seen)  # round and round
    every = sorted(n for page in seen[1:] for n in page_numbers(page) if n)  # pages 3…, 1, 2
    assert every == list(range(1, 53))  # each unit on exactly one page


async def test_a_number_or_a_name_picks_from_the_whole_list_whatever_page_is_shown(staff):
    await staff.say("/baocao")
    menu = (await staff.say("thon khuoi luong tren xa nam cuong so 37"))[0]  # no diacritics, shown on a later page
    assert village_name(37) in menu and "Báo cáo việc gì?" in menu
    await staff.say("/huy")
    await staff.say("/baocao")
    assert village_name(40) in (await staff.say("52"))[0]  # the number the unit has on its own page


async def test_a_wrong_answer_shows_the_same_page_again_in_short_messages(staff):
    await staff.say("/baocao")
    second = (await staff.say("0"))[0]
    again = await staff.say("một chỗ nào đó")
    assert all(len(text) <= MESSAGE_CHARS for text in again)
    assert "từ 1 đến 52" in again[0] and page_numbers(again[-1]) == page_numbers(second)


async def test_a_button_on_option_0_turns_the_page(staff):
    first = (await staff.say("/baocao"))[0]
    second = (await staff.say(choice=NEXT_PAGE))[0]  # Telegram's button under "0. ➡️ Xem tiếp"
    assert second != first and "(trang 3/" in second


@pytest.mark.parametrize("command", ["/nguoi", "/chiso", "/moi", "/thongbao Họp", "/kiennghi moi"])
async def test_other_unit_menus_are_paged_too(staff, command):
    replies = await staff.say(command)
    if command == "/moi":
        replies = await staff.say(number_of(replies[0], "Người báo cáo"))
    elif command.startswith("/thongbao"):
        replies = await staff.say(number_of(replies[0], "một số đơn vị"))
    elif command == "/kiennghi moi":
        replies = await staff.say("1")
    assert all(len(text) <= MESSAGE_CHARS for text in replies), replies
    assert "0. ➡️ Xem tiếp" in replies[-1], replies


async def test_in_english_the_page_reads_and_turns_in_english(app, staff):
    async with app.db.transaction() as repos:
        person = await repos.directory.person_by_identity("console", "staff")
        await repos.directory_admin.change(person, language="en")
    first = (await staff.say("/baocao"))[0]
    assert "0. ➡️ More (page 2/" in first and first.endswith("Type a number or a name.") and len(first) <= 300
    second = (await staff.say("next"))[0]
    assert "(page 3/" in second and second.endswith('"prev": previous page.')
    assert (await staff.say("prev"))[0] == first
