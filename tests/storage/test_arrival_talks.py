"""A batch's chats and conversations come in one read (storage/arrivals.py), the state as the column stores it,
and the flow's state reads back from it: the bot's own, written as text, and an older release's shape alike."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import event
from support.app import VN

from handlers.commands import read_state
from handlers.flows.report import ReportState
from reminders.answers import ReminderAnswer
from storage.models import Commune, Identity, Person

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)


async def _people(db, *senders: str) -> None:
    async with db.transaction() as repos:
        commune = await repos.directory.add(Commune(name="Nam Cường", province="Thái Nguyên"))
        for sender in senders:
            person = await repos.directory.add(Person(commune_id=commune.id, name=f"Bà {sender}", role="reporter",
                                                      created_at=NOW))
            await repos.directory.add(Identity(person_id=person.id, channel="zalo", external_id=sender))


async def test_chats_and_conversations_of_a_batch_in_one_read_and_states_read_back(db):
    await _people(db, "u1", "u2", "u3")
    state = ReportState(step="field", unit_id=7, form="sinh_hoat", index=2, answers={"noi_dung": "Họp dân"},
                        options=[{"value": "a", "labels": ["Thôn Đông", "thon dong"]}])
    async with db.transaction() as repos:
        await repos.chats.remember("zalo", "u1", "private")
        await repos.chats.remember("zalo", "g9", "group", title="Nhóm thôn")
        await repos.conversations.save("zalo", "u1", "u1", state.FLOW, state.to_text(), NOW)
        # a reminder stored by an older release: one item at the top, no "items"
        await repos.conversations.save("zalo", "g9", "u2", "reminder",
                                       {"step": "answer", "key": "k|1", "unit_id": 3, "form": "f"}, NOW)
    statements: list[str] = []
    event.listen(db.engine.sync_engine, "before_cursor_execute",
                 lambda _c, _k, statement, *_a: statements.append(statement))
    async with db.transaction() as repos:  # a new transaction: what a restart would read
        arrivals = await repos.arrivals.of_many([("zalo", "u1", "u1"), ("zalo", "u2", "g9"), ("zalo", "u3", "u3"),
                                                 ("zalo", "nobody", "u4")])
    assert sum("FROM chat" in s or "JOIN chat" in s for s in statements) == 1
    assert sum("conversation" in s for s in statements) == 1
    mine, group, fresh, stranger = arrivals.values()
    assert (mine.chat.kind, mine.chat.active, group.chat.title, group.chat.registered) == (
        "private", True, "Nhóm thôn", False)
    assert read_state(mine.conversation.flow, mine.conversation.state) == state
    assert mine.conversation.updated_at == NOW
    old = read_state(group.conversation.flow, group.conversation.state)
    assert isinstance(old, ReminderAnswer) and [item.key for item in old.items] == ["k|1"]
    assert (fresh.chat, fresh.conversation, fresh.person.name) == (None, None, "Bà u3")
    assert stranger.person is None and stranger.conversation is None


def test_a_state_is_written_as_the_json_of_its_row_and_a_lone_surrogate_is_escaped():
    state = ReportState(step="field", unit_id=1, sentence="Họp dân")
    assert json.loads(state.to_text()) == state.to_row()
    assert "Họp dân" in state.to_text()  # UTF-8, not \u escapes
    broken = ReportState(step="form", unit_id=1, sentence="a\ud800b")
    assert json.loads(broken.to_text()) == broken.to_row()
    assert ReportState.from_row(broken.to_text()).sentence == "a\ud800b"
