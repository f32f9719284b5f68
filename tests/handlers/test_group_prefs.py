"""/nhom: registered groups listed with what they receive (a page at a time when many); switching one kind off
changes groups_receiving."""

from __future__ import annotations

import re

from support.big_commune import add_groups
from support.menus import paged

from core.menus import MESSAGE_CHARS
from storage.models import Chat


async def _groups(repos, commune_id: int) -> None:
    for n, (channel, registered, active) in enumerate([("zalo", True, True), ("telegram", True, False),
                                                       ("zalo", False, True)]):
        await repos.directory.add(Chat(channel=channel, external_id=f"g{n}", kind="group", commune_id=commune_id,
                                       title=f"Nhóm {n}", registered=registered, active=active))


async def test_groups_receiving_follows_registration_activity_and_preferences(database_url, clock):
    from support.app import make_app

    app = await make_app(database_url, clock)
    try:
        async with app.db.transaction() as repos:
            await _groups(repos, 1)
            assert [c.external_id for c in await repos.groups.groups_receiving(1, "summaries")] == ["g0"]
            g0 = await repos.chats.get("zalo", "g0")
            await repos.groups.set_preference(g0.id, "summaries", False)
        async with app.db.transaction() as repos:
            assert await repos.groups.groups_receiving(1, "summaries") == []
            assert [c.external_id for c in await repos.groups.groups_receiving(1, "reminders")] == ["g0"]
            assert await repos.groups.groups_receiving(2, "reminders") == []  # another commune
    finally:
        await app.close()


async def test_staff_list_groups_and_switch_broadcasts_off(app, staff, reporter):
    assert "Chưa có nhóm chat nào đăng ký" in (await staff.say("/nhom"))[0]
    async with app.db.transaction() as repos:
        await _groups(repos, 1)
    listing = (await staff.say("/nhom"))[0]
    assert "1. Nhóm 0 (Zalo): tất cả" in listing
    assert "2. Nhóm 1 (Telegram) (bot đã bị xóa khỏi nhóm)" in listing and "Nhóm 2" not in listing
    prefs = (await staff.say("1"))[0]
    assert "3. Thông báo: BẬT" in prefs
    assert "3. Thông báo: TẮT" in (await staff.say("3"))[0]
    assert (await staff.say("xong")) == ["Đã lưu."]
    async with app.db.transaction() as repos:
        assert await repos.groups.groups_receiving(1, "broadcasts") == []
        assert len(await repos.groups.groups_receiving(1, "reminders")) == 1
    assert "không dùng được" in (await reporter.say("/nhom"))[0]


def page_numbers(menu: str) -> list[int]:
    return [int(n) for n in re.findall(r"^(\d+)\. ", menu, re.M)]


async def test_many_groups_come_as_a_paged_menu_of_short_messages(app, staff):
    names = await add_groups(app)
    first = await staff.say("/nhom")
    assert len(first) == 1 and len(first[0]) <= MESSAGE_CHARS and paged(first[0]), first
    assert "1. Nhóm MTTQ thôn Khuổi Luông Trên 1 (Zalo): tất cả" in first[0]
    assert len([n for n in page_numbers(first[0]) if n]) >= 3  # groups a page (option 0 aside)
    pages = [first[0]]
    while len(pages) < 20 and (len(pages) == 1 or pages[-1] != first[0]):  # round the pages, back to the first
        pages.append((await staff.say("0"))[0])
    assert pages[-1] == first[0] and all(len(page) <= MESSAGE_CHARS for page in pages)
    listed = sorted(n for menu in pages[:-1] for n in page_numbers(menu) if n)
    assert listed == list(range(1, len(names) + 1))  # every group on exactly one page
    prefs = (await staff.say("nhom mttq thon khuoi luong tren 14"))[0]  # its title typed, from another page
    assert prefs.startswith(f"{names[13]} (Zalo): tất cả") and "3. Thông báo: BẬT" in prefs
    assert (await staff.say("3"))[0].startswith(f"{names[13]} (Zalo): nhắc việc, tổng hợp\n")  # what is left on
