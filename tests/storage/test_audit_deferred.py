"""A batch's audit entries wait for the end of its messages and are then inserted in the order recorded; a read
of an entity's history in the same transaction sees them (storage/reports.AuditRepo)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event
from support.app import VN

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)


async def test_deferred_entries_are_written_in_order_in_one_statement(db):
    inserts: list[str] = []

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def _statement(_conn, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO auditlog"):
            inserts.append(statement)

    async with db.transaction() as repos:
        repos.audit.defer_writes()
        answers = {"so_nguoi": 120}
        await repos.audit.record(at=NOW, person_id=None, entity="report", entity_id=7, action="create", after=answers)
        answers["so_nguoi"] = 150  # changed after recording: the entry keeps what was recorded
        await repos.audit.record(at=NOW, person_id=None, entity="report", entity_id=7, action="edit",
                                 before={"so_nguoi": 120}, after=dict(answers))
        assert inserts == []
        await repos.audit.write_deferred()
    assert len(inserts) == 1
    async with db.transaction() as repos:
        entries = await repos.audit.for_entity("report", 7)
    assert [(e.action, e.before, e.after) for e in entries] == [
        ("create", None, {"so_nguoi": 120}), ("edit", {"so_nguoi": 120}, {"so_nguoi": 150})]
    assert entries[0].at == NOW


async def test_a_history_read_while_deferring_includes_what_was_recorded(db):
    async with db.transaction() as repos:
        repos.audit.defer_writes()
        await repos.audit.record(at=NOW, person_id=None, entity="petition", entity_id=3, action="create", after={})
        assert [e.action for e in await repos.audit.for_entity("petition", 3)] == ["create"]
        await repos.audit.record(at=NOW, person_id=None, entity="petition", entity_id=3, action="edit", after={})
        await repos.audit.write_deferred()
    async with db.transaction() as repos:
        assert [e.action for e in await repos.audit.for_entity("petition", 3)] == ["create", "edit"]
