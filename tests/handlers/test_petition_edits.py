"""Editing or deleting a report that fed the petition register updates the items it made (issue 15.2: every
figure about recommendations comes from one register and agrees), through the console's /cuatoi, audited,
on SQLite and PostgreSQL. Items staff have moved along belong to the register then: kept, and said so."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from support.app import ChatUser, attach_recorder, make_app

from plan import petition_lifecycle as life
from plan.periods import Period
from storage.models import AuditLog, Petition
from summaries.compile import compile_summary
from summaries.load import load_snapshot

FIRST = "- Công khai thu chi quỹ\n- Sửa đường liên thôn\n- Lắp đèn ngõ 3"
YESTERDAY = date(2026, 11, 24)  # the default clock is 25/11/2026


async def file_supervision(user: ChatUser, recommendations: str) -> str:
    await user.say("bao cao")
    await user.say("Giám sát")
    for answer in ("hôm qua", "Việc sử dụng quỹ", "1", "1", "bỏ qua", recommendations, "bỏ qua"):
        await user.say(answer)
    return (await user.say("1"))[-1]  # confirm


async def edit(user: ChatUser, field_label: str, value: str) -> str:
    """/cuatoi → the report → Sửa → the field → the new value; returns the bot's answer to the value."""
    for typed in ("/cuatoi", "1", "Sửa", field_label):
        await user.say(typed)
    return (await user.say(value))[0]


async def register(app) -> dict[str, tuple[str, str, date]]:
    """Every item of the commune: reference -> (content, status, date received)."""
    async with app.db.transaction() as repos:
        items = await repos.petitions.in_commune(1, date(2025, 12, 1), date(2026, 12, 31))
    return {life.reference(p.year, p.number): (p.content, p.status, p.received_on) for p in items}


async def audit_trail(app) -> dict[str, list[str]]:
    """reference -> the petition audit actions, in order."""
    async with app.db.transaction() as repos:
        rows = list((await repos.session.execute(
            select(AuditLog).where(AuditLog.entity == "petition").order_by(AuditLog.id))).scalars())
    refs = {r.entity_id: r.after["reference"] for r in rows if r.action == "create"}
    trail: dict[str, list[str]] = {}
    for row in rows:
        trail.setdefault(refs[row.entity_id], []).append(row.action)
    return trail


async def received_in_summary(app, clock) -> int:
    async with app.db.transaction() as repos:
        snapshot = await load_snapshot(repos, 1, 2026)
    summary = compile_summary(app.plan, snapshot, Period(2026, "year"), clock())
    return sum(t.received for t in summary.petitions)


async def test_an_edited_report_updates_the_register_items_it_made(database_url, clock):
    app = await make_app(database_url, clock)
    reporter = ChatUser(app, attach_recorder(app), "reporter", "Trưởng ban")
    try:
        receipt = await file_supervision(reporter, FIRST)
        assert "KN-2026-001, KN-2026-002, KN-2026-003" in receipt, receipt
        async with app.db.transaction() as repos:  # staff forward the second one meanwhile
            forwarded = await repos.petitions.by_reference(1, 2026, 2)
            await repos.petitions.update(forwarded, clock(), status=life.FORWARDED, forwarded_to="UBND xã",
                                         forwarded_on=YESTERDAY)
            # and record one more with /kiennghi, naming the supervision it came from: the report's edits
            # never touch it (it was not read from the report's answers)
            await repos.petitions.create(Petition(
                commune_id=1, unit_id=forwarded.unit_id, person_id=1, year=2026, number=0, source_kind="sau_giam_sat",
                content="Công khai thu chi quỹ", received_on=YESTERDAY, origin_report_id=1, status=life.RECEIVED,
                created_at=clock(), updated_at=clock()))

        # one line kept, one reworded, one new; the forwarded one no longer named is kept and said so
        answer = await edit(reporter, "Kiến nghị sau giám sát", "- Công khai thu chi quỹ\n- Lắp đèn ngõ 3 và ngõ 5\n"
                                                                  "- Nạo vét mương")
        assert answer.splitlines()[0] == "Đã lưu thay đổi."
        assert "KN-2026-005" in answer and "KN-2026-003" in answer and "KN-2026-002" in answer, answer
        assert "KN-2026-004" not in answer, answer
        assert await register(app) == {
            "KN-2026-001": ("Công khai thu chi quỹ", life.RECEIVED, YESTERDAY),
            "KN-2026-002": ("Sửa đường liên thôn", life.FORWARDED, YESTERDAY),
            "KN-2026-003": ("Lắp đèn ngõ 3 và ngõ 5", life.RECEIVED, YESTERDAY),
            "KN-2026-004": ("Công khai thu chi quỹ", life.RECEIVED, YESTERDAY),
            "KN-2026-005": ("Nạo vét mương", life.RECEIVED, YESTERDAY)}
        assert await received_in_summary(app, clock) == 5  # the outputs read the register: they follow

        await edit(reporter, "Nội dung giám sát", "Việc sử dụng quỹ khuyến học")  # not about recommendations
        assert len(await register(app)) == 5

        answer = await edit(reporter, "Kiến nghị sau giám sát", "Công khai thu chi quỹ")  # two lines dropped
        assert "KN-2026-003, KN-2026-005" in answer, answer
        assert set(await register(app)) == {"KN-2026-001", "KN-2026-002", "KN-2026-004"}
        assert await received_in_summary(app, clock) == 3

        answer = await edit(reporter, "Ngày giám sát", "20/11/2026")  # the activity moves: its items follow
        assert "KN-2026-001" in answer and "KN-2026-002" in answer, answer
        items = await register(app)
        assert items["KN-2026-001"][2] == date(2026, 11, 20) and items["KN-2026-002"][2] == YESTERDAY
        assert items["KN-2026-004"][2] == YESTERDAY and "KN-2026-004" not in answer

        for typed in ("/cuatoi", "1", "Xóa"):
            await reporter.say(typed)
        answer = (await reporter.say("1"))[0]  # yes, delete it
        assert answer.startswith("Đã xóa báo cáo số 1.") and "KN-2026-001" in answer and "KN-2026-002" in answer
        assert set(await register(app)) == {"KN-2026-002", "KN-2026-004"}  # forwarded; recorded by staff

        assert await audit_trail(app) == {
            "KN-2026-001": ["create", "edit", "delete"], "KN-2026-002": ["create"],
            "KN-2026-003": ["create", "edit", "delete"], "KN-2026-005": ["create", "delete"]}
    finally:
        await app.close()
