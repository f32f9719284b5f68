"""/kiennghi: recording, listing with age, the lifecycle table through chat, overdue reminders, references."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, time

import pytest
from support.app import VN, ChatUser, attach_recorder, make_app
from support.menus import every_page

from plan import petition_lifecycle as life
from storage.models import Petition
from summaries.petitions import petition_share

S = life  # short names for the table below
EXPECTED_MOVES = {
    S.RECEIVED: {S.FORWARDED, S.NOT_COMPETENT},
    S.FORWARDED: {S.ANSWERED, S.RESOLVED, S.NOT_COMPETENT},
    S.ANSWERED: {S.RESOLVED},
    S.RESOLVED: set(),
    S.NOT_COMPETENT: set(),
}
PAIRS = [(current, target) for current in life.STATUSES for target in life.STATUSES]


def test_the_transition_table_allows_exactly_the_lifecycle():
    assert {(c, t) for c, t in PAIRS if life.allowed(c, t)} == {
        (c, t) for c, targets in EXPECTED_MOVES.items() for t in targets}
    assert not life.allowed("unknown", S.FORWARDED)


async def _add(repos, *, status=S.RECEIVED, received=date(2026, 11, 2), source="nhan_dan", unit_id=2,
               closed: date | None = None, now: datetime) -> Petition:
    return await repos.petitions.create(Petition(
        commune_id=1, unit_id=unit_id, person_id=3, year=received.year, number=0, source_kind=source,
        content="Đường liên thôn xuống cấp", received_on=received, status=status, closed_on=closed,
        created_at=now, updated_at=now))


async def test_every_transition_through_chat_is_done_or_refused_and_audited(app, staff, clock):
    async with app.db.transaction() as repos:
        items = {pair: await _add(repos, status=pair[0], now=clock()) for pair in PAIRS}
    for (current, target), item in items.items():
        ref = life.reference(item.year, item.number)
        label = app.translator.for_language("vi")(f"petition.status.{target}")
        answers = await staff.say(f"/kiennghi {ref} {label}")
        if target in EXPECTED_MOVES[current]:
            for reply in ("UBND xã" if target == S.FORWARDED else "hôm nay",
                          "hôm nay" if target == S.FORWARDED else "Đã trả lời bằng văn bản"):
                answers = await staff.say(reply)
            assert answers == [f"✅ Đã cập nhật {ref}: {label} (25/11/2026)."], (current, target)
        else:
            assert "Chưa thay đổi gì" in answers[0] or "không còn bước nào" in answers[0], (current, target)
        async with app.db.transaction() as repos:
            stored = await repos.petitions.get(item.id)
            audit = await repos.audit.for_entity("petition", item.id)
        moved = target in EXPECTED_MOVES[current]
        assert stored.status == (target if moved else current), (current, target)
        assert [a.action for a in audit] == (["status"] if moved else []), (current, target)
        if moved:
            assert audit[0].before["status"] == current and audit[0].after["status"] == target


async def test_status_update_by_menu_and_bad_references(app, staff, clock):
    async with app.db.transaction() as repos:
        item = await _add(repos, now=clock())
    assert "Không tìm thấy kiến nghị KN-2026-099" in (await staff.say("/kiennghi KN-2026-099"))[0]
    shown = (await staff.say("/kiennghi kn 2026 1"))[0]
    assert shown.startswith("KN-2026-001 — Tiếp nhận") and "(23 ngày trước)" in shown
    assert "1. Đã chuyển\n2. Không thuộc thẩm quyền" in shown
    assert "Xin gõ một số từ 1 đến 2" in (await staff.say("7"))[0]
    await staff.say("1")
    await staff.say("Hội đồng nhân dân xã")
    assert "trước ngày tiếp nhận (02/11/2026)" in (await staff.say("1/11"))[0]
    assert (await staff.say("hôm qua")) == ["✅ Đã cập nhật KN-2026-001: Đã chuyển (24/11/2026)."]
    async with app.db.transaction() as repos:
        stored = await repos.petitions.get(item.id)
    assert (stored.forwarded_to, stored.forwarded_on) == ("Hội đồng nhân dân xã", date(2026, 11, 24))


async def test_reporter_records_a_petition_and_lists_the_open_ones_of_their_unit(app, reporter, staff, clock):
    menu = (await reporter.say("/kiennghi"))[0]
    assert "Không có kiến nghị nào đang chờ" in menu and "1. Ghi kiến nghị mới" in menu
    sources = (await reporter.say("1"))[0]  # the sources in the one order of plan.petition_lifecycle
    assert "1. Sau giám sát\n2. Phản biện xã hội\n3. Tại buổi đối thoại\n4. Tiếp xúc cử tri\n5. Phản ánh của Nhân dân" \
        in sources
    await reporter.say("5")
    assert "tối đa 500" in (await reporter.say(" "))[0]  # empty content: asked again
    await reporter.say("Đề nghị sửa cầu tràn thôn Nà Pài")
    assert "chưa đến" in (await reporter.say("ngày mai"))[0]
    await reporter.say("hôm kia")
    confirm = (await reporter.say("bỏ qua"))[0]
    assert "- Ngày tiếp nhận: 23/11/2026" in confirm and "- Đã chuyển đến: (bỏ qua)" in confirm
    assert "Đã ghi kiến nghị KN-2026-001" in (await reporter.say("1"))[0]
    async with app.db.transaction() as repos:
        await _add(repos, unit_id=3, received=date(2026, 10, 1), now=clock())  # another village's item
        audit = await repos.audit.for_entity("petition", 1)
    assert audit[0].action == "create" and audit[0].after["reference"] == "KN-2026-001"
    mine = (await reporter.say("/kiennghi"))[0]
    assert "(1):\n- KN-2026-001 · 2 ngày · Thôn Nà Pài (mẫu) · Tiếp nhận: Đề nghị sửa cầu tràn" in mine
    assert "KN-2026-002" not in mine
    everyone = (await staff.say("/kiennghi"))[0]
    assert everyone.index("KN-2026-002 · 55 ngày") < everyone.index("KN-2026-001 · 2 ngày")
    assert "Không tìm thấy" in (await reporter.say("/kiennghi KN-2026-002"))[0]  # not their unit


async def test_staff_links_an_item_to_its_supervision_and_forwards_it_at_once(app, staff, clock):
    for text in ("bao cao", "1", "4", "1"):  # the commune committee: group 4 (giám sát…), its form 1 (giám sát)
        await staff.say(text)
    await staff.say("/huy")
    async with app.db.transaction() as repos:
        from storage.models import Report

        await repos.reports.add(Report(commune_id=1, unit_id=1, person_id=3, form_id="giam_sat",
                                       activity_date=date(2026, 11, 10), answers={"noi_dung": "Thu gom rác thải"},
                                       created_at=clock()))
    for text in ("/kiennghi moi", "1", "2", "Bãi rác gần trường học"):
        await staff.say(text)
    origin = (await staff.say("20/11"))[0]
    assert "1. 10/11/2026 Ủy ban MTTQ Việt Nam xã: Thu gom rác thải (số 1)" in origin, origin
    assert "2. Không gắn với cuộc nào" in origin
    await staff.say("1")
    await staff.say("UBND xã")
    assert "Đã ghi kiến nghị KN-2026-001" in (await staff.say("có"))[0]
    async with app.db.transaction() as repos:
        item = await repos.petitions.by_reference(1, 2026, 1)
    assert (item.status, item.forwarded_to, item.origin_report_id, item.source_kind) == (
        S.FORWARDED, "UBND xã", 1, "sau_giam_sat")


async def test_overdue_reminder_goes_to_staff_once_and_only_in_sending_hours(app, recorder, clock):
    for who in ("chair", "staff", "reporter"):
        await ChatUser(app, recorder, who).say("/trogiup")  # their console chats now exist
    async with app.db.transaction() as repos:
        late = await _add(repos, received=date(2026, 10, 25), now=clock())  # 31 days on 25/11
        await _add(repos, received=date(2026, 10, 26), now=clock())  # exactly 30 days: not yet
        await _add(repos, status=S.ANSWERED, received=date(2026, 9, 1), closed=date(2026, 9, 5), now=clock())
    before = len(recorder.sent)

    async def tick_at(*moments: datetime) -> list[tuple[str, str]]:
        start = len(recorder.sent)
        for moment in moments:
            clock.set(moment)
            await app.tick()
            await app.outbox.drain()
        return sorted((chat, r.text) for chat, r in recorder.sent[start:] if r.text.startswith("⏰ Kiến nghị"))

    day = datetime(2026, 11, 25, tzinfo=VN)
    assert await tick_at(day.replace(hour=6), day.replace(hour=20, minute=30)) == []  # outside sending hours
    first = await tick_at(day.replace(hour=9), day.replace(hour=10), day.replace(hour=19, minute=59))
    assert [chat for chat, _ in first] == ["chair", "staff"]
    assert first[0][1].startswith("⏰ Kiến nghị KN-2026-001 (Thôn Nà Pài (mẫu)) đã 31 ngày chưa có trả lời (hạn 30")
    second = await tick_at(day.replace(day=26, hour=8), day.replace(day=26, hour=9), day.replace(day=27, hour=9))
    assert [chat for chat, _ in second] == ["chair", "staff"] and "KN-2026-002" in second[0][1]
    assert len(recorder.sent) == before + 4
    async with app.db.transaction() as repos:
        keys = {r.dedupe_key for r in await repos.outbox.for_chat("console", "chair")}
    assert f"petition-overdue:{late.id}:console:chair" in keys


async def test_overdue_reminder_keeps_the_sending_hours_of_the_settings(sqlite_url, clock):
    """Petition notices go by the one sending calendar of the app, not a default one of their own."""
    app = await make_app(sqlite_url, clock, reminder_send_start=time(9, 30), reminder_send_end=time(16, 0),
                         reminder_skip_sundays=False)
    try:
        recorder = attach_recorder(app)
        await ChatUser(app, recorder, "staff").say("/trogiup")
        async with app.db.transaction() as repos:
            await _add(repos, received=date(2026, 10, 25), now=clock())  # 31 days on 25/11, 35 on Sunday 29/11

        async def notices_at(moment: datetime) -> int:
            clock.set(moment)
            await app.tick()
            await app.outbox.drain()
            return sum(1 for _, r in recorder.sent if r.text.startswith("⏰ Kiến nghị"))

        day = datetime(2026, 11, 25, tzinfo=VN)
        assert await notices_at(day.replace(hour=8)) == 0  # the default window (from 07:30) would send now
        assert await notices_at(day.replace(hour=16, minute=30)) == 0
        assert await notices_at(day.replace(day=29, hour=9, minute=29)) == 0  # a Sunday, before the window
        assert await notices_at(day.replace(day=29, hour=9, minute=30)) == 1  # Sundays allowed by the setting
    finally:
        await app.close()


@pytest.mark.parametrize(("label", "source", "start", "end", "expected"), [
    ("citizens, whole year", "nhan_dan", date(2026, 1, 1), date(2026, 12, 31), (2, 4)),
    ("citizens, Q1: one answered after the quarter", "nhan_dan", date(2026, 1, 1), date(2026, 3, 31), (1, 2)),
    ("after supervision", "sau_giam_sat", date(2026, 1, 1), date(2026, 12, 31), (1, 1)),
    ("social criticism: none", "phan_bien", date(2026, 1, 1), date(2026, 12, 31), (0, 0)),
    ("voters: not-competent items are left out", "cu_tri", date(2026, 1, 1), date(2026, 12, 31), (0, 1)),
])
def test_petition_share(label, source, start, end, expected):
    def item(source_kind, status, received, closed=None):
        return Petition(commune_id=1, unit_id=1, person_id=1, year=2026, number=1, source_kind=source_kind,
                        content="x", received_on=received, status=status, closed_on=closed)
    items = [
        item("nhan_dan", S.RESOLVED, date(2026, 2, 1), date(2026, 3, 1)),
        item("nhan_dan", S.ANSWERED, date(2026, 3, 20), date(2026, 4, 10)),
        item("nhan_dan", S.FORWARDED, date(2026, 5, 1)),
        item("nhan_dan", S.RECEIVED, date(2026, 6, 1)),
        item("nhan_dan", S.RESOLVED, date(2025, 12, 30), date(2026, 1, 5)),  # received last year
        item("sau_giam_sat", S.RESOLVED, date(2026, 7, 1), date(2026, 7, 9)),
        item("cu_tri", S.NOT_COMPETENT, date(2026, 8, 1), date(2026, 8, 2)),
        item("cu_tri", S.RECEIVED, date(2026, 8, 3)),
    ]
    assert petition_share(items, source, start, end) == expected, label


async def test_references_stay_unique_under_concurrent_creation(database_url, clock):
    app = await make_app(database_url, clock)
    attach_recorder(app)
    try:
        async def create(received: date) -> tuple[int, int]:
            async with app.db.transaction() as repos:
                item = await _add(repos, received=received, now=clock())
                return item.year, item.number
        days = [date(2026, 11, 1)] * 8 + [date(2025, 12, 1)] * 3
        made = await asyncio.gather(*(create(day) for day in days))
        assert sorted(made) == [(2025, n) for n in range(1, 4)] + [(2026, n) for n in range(1, 9)]
    finally:
        await app.close()


@pytest.mark.parametrize(("text", "expected"), [
    ("KN-2026-014", (2026, 14, "")), ("kn 2026 14", (2026, 14, "")), ("kn2026-14 đã trả lời", (2026, 14, "đã trả lời")),
    ("KN-2026", None), ("KN-2026-000", None), ("báo cáo", None)])
def test_parse_reference(text, expected):
    assert life.parse_reference(text) == expected


async def test_a_long_open_list_comes_a_page_at_a_time(app, staff, clock):
    """Issue 15.7: each message at most 300 characters; "0" shows the next page as in a long menu ("/kiennghi 2"
    goes straight there); nothing is lost; "1. Ghi kiến nghị mới" stays on every page."""
    async with app.db.transaction() as repos:
        for day in range(1, 13):
            await _add(repos, received=date(2026, 10, day), now=clock())
    pages = await every_page(staff.say, (await staff.say("/kiennghi"))[0])
    assert (await staff.say("/kiennghi 2"))[0] == pages[1]
    assert "trước" not in pages[0] and "trước" in pages[1]
    assert "Ý kiến, kiến nghị từ đâu?" in (await staff.say("1"))[0]  # page 2's "1. Ghi kiến nghị mới"
    assert len(pages) > 1 and all(len(page) <= 300 for page in pages), [len(p) for p in pages]
    listed = [ref for page in pages for ref in re.findall(r"^- (KN-2026-\d{3})", page, re.MULTILINE)]
    assert sorted(listed) == [f"KN-2026-{n:03d}" for n in range(1, 13)]
    assert all("1. Ghi kiến nghị mới" in page for page in pages)


async def test_an_answer_dated_before_the_item_was_received_is_refused_and_asked_again(app, staff, clock):
    """Issue 15, bad input: a petition answered before it was received; nothing changes until a real date."""
    async with app.db.transaction() as repos:
        item = await _add(repos, status=S.FORWARDED, now=clock())  # received 02/11/2026
    await staff.say("/kiennghi KN-2026-001 đã trả lời")
    refused = (await staff.say("30/10/2026"))[0]
    assert refused == "Ngày này trước ngày tiếp nhận (02/11/2026). Xin gõ lại ngày.", refused
    async with app.db.transaction() as repos:
        assert (await repos.petitions.get(item.id)).status == S.FORWARDED
    await staff.say("05/11/2026")
    assert "Đã cập nhật KN-2026-001: Đã trả lời" in (await staff.say("UBND xã đã trả lời bằng văn bản"))[0]
    async with app.db.transaction() as repos:
        stored = await repos.petitions.get(item.id)
    assert (stored.status, stored.closed_on) == (S.ANSWERED, date(2026, 11, 5))
