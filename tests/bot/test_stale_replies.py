"""A reply a crash interrupted comes back after the lease: dropped if the conversation moved on, else re-sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.app import ChatUser, attach_recorder

from bot.outbox import DROPPED_STALE, LEASE
from core.messages import Reply


async def _interrupted_reply(app, clock, text: str) -> int:
    """A reply row claimed by a worker that then died (claimed, never sent, no error)."""
    async with app.db.transaction() as repos:
        await repos.outbox.enqueue(channel="console", chat_id="reporter", payload=Reply(text=text).to_payload(),
                                   dedupe_key=f"reply:console:{text}:0", now=clock())
        claimed = await repos.outbox.claim_due(clock(), channels=("console",), limit=10, lease=LEASE)
    assert [row.payload["text"] for row in claimed] == [text]
    return claimed[0].id


@pytest.mark.parametrize(("moved_on", "stale_after", "outcome"), [
    (True, timedelta(minutes=2), "dropped"),  # "(2/7) Tổ chức ở đâu?" long after the person moved on
    (False, timedelta(minutes=2), "re-sent"),  # nobody wrote since: the person is still waiting for it
    (True, timedelta(minutes=10), "re-sent"),  # STALE_REPLY_SECONDS=600: not old enough to be out of context
])
async def test_an_interrupted_reply_is_dropped_only_when_stale_and_the_chat_moved_on(app, clock, moved_on,
                                                                                      stale_after, outcome):
    recorder = attach_recorder(app)
    app.outbox.stale_reply = stale_after
    row_id = await _interrupted_reply(app, clock, "(2/7) Tổ chức ở đâu?")
    clock.advance(seconds=30)
    if moved_on:  # the person wrote again and was answered while the old reply was stuck in its lease
        async with app.db.transaction() as repos:
            await repos.outbox.enqueue(channel="console", chat_id="reporter",
                                       payload=Reply(text="Đã hủy.").to_payload(), dedupe_key="reply:console:later:0",
                                       now=clock())
    clock.advance(seconds=LEASE.total_seconds())  # the dead worker's lease lapses: the row is due again
    await app.outbox.drain()
    texts = [reply.text for _, reply in recorder.sent]
    async with app.db.transaction() as repos:
        row = next(r for r in await repos.outbox.for_chat("console", "reporter") if r.id == row_id)
    if outcome == "dropped":
        assert "(2/7) Tổ chức ở đâu?" not in texts and row.status == "failed" and row.error == DROPPED_STALE
        assert app.outbox.dropped == 1 and texts == ["Đã hủy."]
    else:
        assert texts[0] == "(2/7) Tổ chức ở đâu?" and row.status == "sent" and app.outbox.resent == 1


async def test_a_reply_that_simply_waits_its_turn_is_never_dropped(app, clock):
    recorder = attach_recorder(app)
    reporter = ChatUser(app, recorder, "reporter")
    await app.handle(reporter.inbound("/lich"))
    await app.handle(reporter.inbound("/trogiup"))
    clock.advance(minutes=30)  # queued long ago but never claimed: not interrupted, so sent in order
    await app.outbox.drain()
    assert len(recorder.sent) >= 2 and app.outbox.dropped == 0
