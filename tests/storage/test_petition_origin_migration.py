"""Migration 0017 finds which report field each existing register item was read from (so editing an older
report also updates its items), and leaves items recorded with /kiennghi that merely name a report alone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from support.app import ChatUser, attach_recorder, make_app
from support.migrations import migrate

from plan import petition_lifecycle as life
from storage.models import Petition


async def test_items_made_by_a_report_get_their_field_back_after_the_upgrade(database_url, clock):
    app = await make_app(database_url, clock)
    reporter = ChatUser(app, attach_recorder(app), "reporter", "Trưởng ban")
    try:
        await reporter.say("bao cao")
        await reporter.say("Giám sát")
        recommendations = "- Công khai quỹ\n- Sửa đường"
        for answer in ("hôm qua", "Việc sử dụng quỹ", "1", "1", "bỏ qua", recommendations, "bỏ qua", "1"):
            await reporter.say(answer)
        clock.advance(hours=1)
        async with app.db.transaction() as repos:  # staff record one more and name the supervision it came from
            await repos.petitions.create(Petition(
                commune_id=1, unit_id=1, person_id=1, year=2026, number=0, source_kind="sau_giam_sat",
                content="Công khai quỹ", received_on=date(2026, 11, 24), origin_report_id=1, status=life.RECEIVED,
                created_at=clock(), updated_at=clock()))
        async with app.db.engine.begin() as connection:
            await connection.run_sync(migrate, "downgrade", "0016_update_inbox")
            await connection.run_sync(migrate, "upgrade", "heads")
        async with app.db.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT number, origin_field FROM petition ORDER BY number"))).all()
        assert [tuple(row) for row in rows] == [(1, "kien_nghi"), (2, "kien_nghi"), (3, None)]
    finally:
        await app.close()
