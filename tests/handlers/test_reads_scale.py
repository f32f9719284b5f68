"""Every step of a conversation reads only what it shows (issue 21.2): a commune of 2,000 villages costs a
reporter's confirmation screen and /cuatoi exactly what the demo commune's dozen units cost.

Counted, not timed: the SQL statements the app runs and the rows SQLite hands back, for the same conversation on
the demo commune and on the demo commune grown by 2,000 villages.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import event, insert
from support.app import ChatUser, attach_recorder, make_app

import storage.inline_sqlite as inline_sqlite
from storage.models import Unit

CONVERSATION = [
    "hôm qua thôn tổ chức ngày hội đại đoàn kết ở nhà văn hóa có 150 người",
    "có",  # the one question the sentence left open: the confirmation screen follows
    "1",  # send
    "/cuatoi",
    "1",  # the report's detail
]


@dataclass
class Reads:
    statements: int = 0
    rows: int = 0


def count_reads(app, monkeypatch) -> Reads:
    """Statements through the engine, rows through the inline SQLite cursor's fetches."""
    reads = Reads()

    @event.listens_for(app.db.engine.sync_engine, "before_cursor_execute")
    def _statement(*_args):
        reads.statements += 1

    for name in ("fetchall", "fetchmany"):
        real = getattr(inline_sqlite.InlineCursor, name)

        async def counted(self, *args, _real=real):
            rows = await _real(self, *args)
            reads.rows += len(rows)
            return rows

        monkeypatch.setattr(inline_sqlite.InlineCursor, name, counted)
    real_one = inline_sqlite.InlineCursor.fetchone

    async def counted_one(self):
        row = await real_one(self)
        reads.rows += row is not None
        return row

    monkeypatch.setattr(inline_sqlite.InlineCursor, "fetchone", counted_one)
    return reads


async def conversation_reads(sqlite_url, clock, monkeypatch, extra_villages: int) -> tuple[list[Reads], list[str]]:
    app = await make_app(sqlite_url, clock)
    try:
        async with app.db.transaction() as repos:
            commune = (await repos.directory.communes())[0]
            if extra_villages:
                await repos.session.execute(insert(Unit), [
                    {"commune_id": commune.id, "name": f"Thôn số {n:04d}", "kind": "village", "active": True}
                    for n in range(extra_villages)])
        reporter = ChatUser(app, attach_recorder(app), "reporter", "Trưởng ban")
        steps, answers = [], []
        with monkeypatch.context() as patch:
            reads = count_reads(app, patch)
            for text in CONVERSATION:
                before = Reads(reads.statements, reads.rows)
                answers += await reporter.say(text)
                steps.append(Reads(reads.statements - before.statements, reads.rows - before.rows))
        return steps, answers
    finally:
        await app.close()


@pytest.mark.parametrize("extra", [2000])
async def test_a_conversation_costs_the_same_with_12_and_2000_units(tmp_path, clock, monkeypatch, extra):
    small, small_answers = await conversation_reads(f"sqlite+aiosqlite:///{tmp_path}/small.db", clock, monkeypatch, 0)
    large, large_answers = await conversation_reads(f"sqlite+aiosqlite:///{tmp_path}/large.db", clock, monkeypatch,
                                                    extra)
    assert any("Thôn Nà Pài" in answer for answer in small_answers)  # the confirmation named the reporter's unit
    assert small_answers == large_answers
    for text, few, many in zip(CONVERSATION, small, large, strict=True):
        assert many.statements == few.statements, text
        assert many.rows == few.rows, (text, few.rows, many.rows)
