"""/nhom: registered groups listed with what they receive; switching one kind off changes groups_receiving."""

from __future__ import annotations

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
    assert "1. Nhóm 0 (Zalo): nhắc việc, tổng hợp, thông báo" in listing
    assert "2. Nhóm 1 (Telegram) (bot đã bị xóa khỏi nhóm)" in listing and "Nhóm 2" not in listing
    prefs = (await staff.say("1"))[0]
    assert "3. Thông báo: BẬT" in prefs
    assert "3. Thông báo: TẮT" in (await staff.say("3"))[0]
    assert (await staff.say("xong")) == ["Đã lưu."]
    async with app.db.transaction() as repos:
        assert await repos.groups.groups_receiving(1, "broadcasts") == []
        assert len(await repos.groups.groups_receiving(1, "reminders")) == 1
    assert "không dùng được" in (await reporter.say("/nhom"))[0]
