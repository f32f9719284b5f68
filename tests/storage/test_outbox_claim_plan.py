"""The outbox claim walks ix_outbox_queue in order: with 80,000 queued rows it must not sort them all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from storage.db import Database

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


async def test_the_claim_reads_the_queue_index_without_sorting(sqlite_url):
    db = Database(sqlite_url)
    await db.upgrade()
    statements: list[tuple[str, tuple]] = []
    listener = lambda _c, _cur, sql, params, _ctx, _many: statements.append((sql, params))  # noqa: E731
    event.listen(db.engine.sync_engine, "before_cursor_execute", listener)
    async with db.transaction() as repos:
        await repos.outbox.claim_due(NOW, channels=("zalo", "telegram"), limit=8, lease=timedelta(minutes=2),
                                     busy=[("zalo", "c1")])
    event.remove(db.engine.sync_engine, "before_cursor_execute", listener)
    sql, params = next(item for item in statements if item[0].startswith("UPDATE outbox"))
    async with db.engine.connect() as connection:
        plan = " | ".join(row[-1] for row in await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "USING INDEX ix_outbox_queue" in plan and "TEMP B-TREE" not in plan, plan
    await db.dispose()
