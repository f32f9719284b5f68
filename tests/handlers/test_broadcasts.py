"""/thongbao: audience selection, preview, exactly-once delivery across a crash, blocked chats, status, bad input."""

from __future__ import annotations

import asyncio

import pytest
from support.app import ChatUser, attach_recorder, make_app
from support.broadcast_data import ChannelRecorder, populate

from core.messages import PRIORITY_BROADCAST
from handlers.flows import broadcast_audience as aud

BROADCAST = "Họp Ban công tác Mặt trận toàn xã"


async def _resolved(app, audience: dict) -> set[tuple[str, str]]:
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        recipients = await aud.resolve(repos, commune.id, audience, "vi")
    return {(t.channel, t.chat_id) for t in recipients.targets}


async def test_audiences_resolve_to_the_right_chats(app, clock):
    async with app.db.transaction() as repos:
        pop = await populate(repos, clock(), reporters=24, channels=("zalo", "telegram"), groups=2, without_chat=3)
        units = {u.name: u.id for u in await repos.directory.units(pop.commune_id)}
        staff = await repos.directory.people(pop.commune_id)
        await repos.chats.remember("zalo", "chair-z", "private", person_id=staff[1].id, commune_id=pop.commune_id)
        await repos.chats.remember("zalo", "gone-1", "private", person_id=staff[2].id, commune_id=pop.commune_id)
        await repos.chats.set_active("zalo", "gone-1", False)  # blocked the bot: never a recipient
    reporters = pop.chats_by_role["reporter"]
    na_pai, ban_quan = units["Thôn Nà Pài (mẫu)"], units["Thôn Bản Quân (mẫu)"]
    table = [
        ("all reporters", {"kind": "reporters"}, reporters),
        ("two units", {"kind": "units", "unit_ids": [na_pai, ban_quan]},
         pop.chats_by_unit[na_pai] | pop.chats_by_unit[ban_quan]),
        ("villages", {"kind": "unit_kind", "unit_kind": "village"}, pop.chats_by_kind["village"]),
        ("organisations", {"kind": "unit_kind", "unit_kind": "organisation"}, pop.chats_by_kind["organisation"]),
        ("the commune committee has no reporters", {"kind": "unit_kind", "unit_kind": "commune"}, set()),
        ("chairs", {"kind": "role", "role": "chair"}, {("zalo", "chair-z")}),
        ("staff whose chat is gone", {"kind": "role", "role": "staff"}, set()),
        ("groups", {"kind": "groups"}, pop.groups),
        ("everything", {"kind": "all"}, reporters | pop.groups | {("zalo", "chair-z")}),
    ]
    for label, audience, expected in table:
        assert await _resolved(app, audience) == expected, label
    assert len(reporters) == 24 and len(pop.chats_by_kind["village"]) == 12


async def test_a_group_that_opted_out_of_broadcasts_is_not_a_recipient(app, clock):
    async with app.db.transaction() as repos:
        pop = await populate(repos, clock(), reporters=0, groups=3)
        quiet = await repos.chats.get("zalo", "g1")
        await repos.groups.set_preference(quiet.id, "broadcasts", False)
    assert await _resolved(app, {"kind": "groups"}) == pop.groups - {("zalo", "g1")}


@pytest.mark.parametrize("role", ["reporter", "viewer"])
async def test_only_staff_may_broadcast(app, recorder, role):
    user = ChatUser(app, recorder, role)
    answer = await user.say("/thongbao Họp Ban công tác Mặt trận")
    assert answer == ["Xin lỗi, lệnh này dành cho cán bộ Ủy ban MTTQ Việt Nam xã; tài khoản của đồng chí "
                      "không dùng được."]
    async with app.db.transaction() as repos:
        assert await repos.broadcasts.latest(1) == []


async def test_chair_previews_counts_per_channel_and_sends_to_each_chat_once(app, chair, clock):
    zalo, telegram = ChannelRecorder("zalo"), ChannelRecorder("telegram")
    app.add_sender(zalo)
    app.add_sender(telegram)
    async with app.db.transaction() as repos:
        await populate(repos, clock(), reporters=9, channels=("zalo", "zalo", "telegram"), without_chat=2)
    assert "nội dung thông báo" in (await chair.say("/thongbao"))[0]
    menu = (await chair.say("Kế hoạch tổ chức Ngày hội Đại đoàn kết toàn dân tộc năm 2026"))[0]
    assert "1. Tất cả người báo cáo" in menu and "6. Tất cả (mọi người và các nhóm)" in menu
    preview = (await chair.say("1"))[0]
    assert "Sẽ gửi 9 tin (Telegram: 3, Zalo: 6) tới 12 người và 0 nhóm." in preview
    assert "3 người chưa nhắn tin với bot" in preview and "1. Gửi ngay" in preview
    assert "Đã xếp thông báo số 1 để gửi tới 9 nơi" in (await chair.say("1"))[0]
    assert len(zalo.sent) == 6 and len(telegram.sent) == 3
    assert len({chat for chat, _ in zalo.sent + telegram.sent}) == 9
    assert zalo.sent[0][1].text.startswith(
        "📢 Thông báo từ Chủ tịch Ủy ban MTTQ Việt Nam xã (mẫu):\n\nKế hoạch tổ chức Ngày hội")
    async with app.db.transaction() as repos:
        rows = await repos.outbox.for_chat("zalo", "p000")
    assert [(r.priority, r.dedupe_key) for r in rows] == [(PRIORITY_BROADCAST, "broadcast:1:zalo:p000")]
    status = (await chair.say("/thongbao trạng thái"))[0]
    assert "Số 1 (25/11 09:00) “Kế hoạch tổ chức Ngày hội Đại đoàn kết" in status
    assert "đã gửi 9, đang chờ 0, lỗi 0" in status


async def test_several_units_picked_by_number(app, chair, clock):
    app.add_sender(zalo := ChannelRecorder("zalo"))
    async with app.db.transaction() as repos:
        pop = await populate(repos, clock(), reporters=22)
    await chair.say("/thongbao Họp Ban công tác Mặt trận thôn, 8 giờ sáng thứ Hai")
    units_menu = (await chair.say("2"))[0]
    assert "2. Thôn Nà Pài (mẫu)" in units_menu
    assert "Xin gõ các số từ 1 đến 12" in (await chair.say("2, 99"))[0]  # a number outside the menu
    assert "Sẽ gửi 6 tin" in (await chair.say("2, 3 và 7"))[0]  # two villages and Hội Nông dân: 2 + 2 + 2
    await chair.say("gửi ngay")
    async with app.db.transaction() as repos:
        units = await repos.directory.units(pop.commune_id)
    wanted = set().union(*(pop.chats_by_unit[units[i].id] for i in (1, 2, 6)))
    assert {("zalo", chat) for chat, _ in zalo.sent} == wanted


async def test_bad_input_is_answered_and_nothing_is_sent(app, chair, clock):
    app.add_sender(zalo := ChannelRecorder("zalo"))
    async with app.db.transaction() as repos:
        await populate(repos, clock(), reporters=3)
    await chair.say("/thongbao")
    empty = await chair.say("   ")
    assert empty[0] == "Thông báo đang trống, chưa gửi được." and "nội dung thông báo" in empty[1]
    await chair.say("Họp khẩn")
    nobody = await chair.say("5")  # registered groups: there are none
    assert "Không có ai nhận được thông báo" in nobody[0] and "Gửi thông báo này tới ai?" in nobody[1]
    await chair.say("3")
    assert "Không có ai nhận được" in (await chair.say("1"))[0]  # the commune committee has no reporters
    assert "Xin gõ một số từ 1 đến 6" in (await chair.say("mười bảy"))[0]
    await chair.say("1")
    assert (await chair.say("3")) == ["Đã hủy. Thông báo chưa được gửi."]
    assert zalo.sent == []
    async with app.db.transaction() as repos:
        assert await repos.broadcasts.latest(1) == []


async def test_a_ten_thousand_character_broadcast_arrives_whole_on_the_console(app, chair, recorder):
    text = ("Kế hoạch tổ chức Ngày hội Đại đoàn kết. " * 300)[:10_000].strip()
    reporter = ChatUser(app, recorder, "reporter")
    await reporter.say("/trogiup")  # the reporter's console chat exists once they have talked to the bot
    await chair.say("/thongbao")
    await chair.say(text)
    assert f"({len(text)} ký tự)" in (await chair.say("1"))[0] and len(text) >= 9_990
    await chair.say("1")
    received = [r.text for chat, r in recorder.sent if chat == "reporter"][-1]
    assert received.endswith(text) and len(received) > 10_000
    too_long = await chair.say("/thongbao " + text)  # 10 010 characters: over the router's limit
    assert too_long[0].startswith("Tin nhắn dài quá (tối đa 10000 ký tự)")


async def test_crash_half_way_then_restart_delivers_each_recipient_exactly_once(database_url, clock):
    app = await make_app(database_url, clock)
    gone = frozenset({"p008", "p042"})  # zalo chats (even numbers) that blocked the bot
    zalo, telegram = _Crashing("zalo", gone=gone, after=60), ChannelRecorder("telegram")
    app.add_sender(zalo)
    app.add_sender(telegram)
    console = attach_recorder(app)
    chair = ChatUser(app, console, "chair")
    async with app.db.transaction() as repos:
        await populate(repos, clock(), reporters=200, channels=("zalo", "telegram"), groups=4)
    for text in ("/thongbao", BROADCAST, "6"):
        await chair.say(text)
    await app.handle(chair.inbound("1"))  # confirm: 205 outbox rows (200 people, 4 groups, the chair)
    drain = asyncio.create_task(app.outbox.drain())
    await zalo.crashed.wait()
    await _settle(app, zalo, [telegram, console])
    drain.cancel()  # the process dies: claimed rows stay "sending" until their lease runs out
    await asyncio.gather(drain, return_exceptions=True)
    await app.close()

    clock.advance(minutes=3)
    app = await make_app(database_url, clock, demo=False)
    zalo2, telegram2 = ChannelRecorder("zalo", gone=gone), ChannelRecorder("telegram")
    app.add_sender(zalo2)
    app.add_sender(telegram2)
    recorder = attach_recorder(app)
    try:
        await app.outbox.drain()
        delivered = [("zalo", c) for c, _ in zalo.sent + zalo2.sent]
        delivered += [("telegram", c) for c, _ in telegram.sent + telegram2.sent]
        assert len(zalo.sent) == 60 and len(zalo2.sent) > 30  # the crash really was half-way
        assert len(delivered) == len(set(delivered)) == 204 - len(gone)
        async with app.db.transaction() as repos:
            assert await repos.broadcasts.delivery_counts(1) == {"sent": 203, "failed": 2}
            assert [(await repos.chats.get("zalo", chat)).active for chat in sorted(gone)] == [False, False]
        status = await ChatUser(app, recorder, "chair").say("/thongbao trang thai")
        assert "đã gửi 203, đang chờ 0, lỗi 2" in status[0]
        assert "Người 008 (Zalo) — đã chặn bot hoặc rời nhóm" in status[0] and "Người 042" in status[0]
        clock.advance(hours=1)
        assert await app.outbox.drain() == 0  # the blocked chats are not retried
    finally:
        await app.close()


class _Crashing(ChannelRecorder):
    """Delivers `after` messages, then hangs like a process frozen mid-send (until it is killed)."""

    def __init__(self, channel: str, *, gone: frozenset[str], after: int) -> None:
        super().__init__(channel, gone)
        self.after, self.crashed, self.hanging = after, asyncio.Event(), 0

    async def send(self, chat_id, reply, *, priority: int = 0, skip: int = 0) -> None:
        if len(self.sent) >= self.after:
            self.crashed.set()
            self.hanging += 1
            await asyncio.Event().wait()
        await super().send(chat_id, reply, priority=priority)


async def _settle(app, sender: _Crashing, others: list) -> None:
    """Wait until a send hangs and every message delivered so far is marked sent (the rest of what the worker
    claimed stays "sending", waiting behind the frozen send or beside it: OUTBOX_LANES)."""
    for _ in range(500):
        async with app.db.transaction() as repos:
            counts = await repos.broadcasts.delivery_counts(1)
        delivered = len(sender.sent) + sum(r.text.endswith(BROADCAST) for o in others for _, r in o.sent)
        if sender.hanging and counts.get("sent", 0) == delivered:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"outbox did not settle: {counts}, {sender.hanging} hanging")
