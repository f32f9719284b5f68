"""OUTBOX_LANES: how many sends may be awaiting their "sent" commit at once, i.e. how many a crash can repeat.

Platforms take no idempotency key, so a message the platform accepted but the database had not yet recorded as
sent is sent again after a crash. With one lane (OUTBOX_LANES=1) a send starts only once the previous row is
committed as sent: a crash can repeat at most one row. The real SIGKILL runs are in tests/bot/test_crash_safety.py.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from support.app import FakeClock, make_app

from bot.outbox import OutboxWorker
from bot.settings import load_settings
from core.messages import Reply
from storage.db import Database
from storage.outbox import OutboxRepo

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
ROWS, CHATS = 24, 8


class WatchingSender:
    """At each send, counts sends in flight and reads from the database how many rows are committed as sent."""

    channel = "zalo"

    def __init__(self, db: Database) -> None:
        self.db = db
        self.done = self.in_flight = self.most_in_flight = 0
        self.unrecorded_at_start: list[int] = []  # per send: finished sends whose "sent" was not yet committed

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        async with self.db.transaction() as repos:
            recorded = (await repos.outbox.counts()).get("sent", 0)
        self.unrecorded_at_start.append(self.done - recorded)
        await asyncio.sleep(0.001)  # a network round trip: other lanes, if any, get their turn
        self.in_flight -= 1
        self.done += 1


async def _queue(db: Database) -> None:
    async with db.transaction() as repos:
        for n in range(ROWS):
            await repos.outbox.enqueue(channel="zalo", chat_id=f"c{n % CHATS}", dedupe_key=f"k{n}", now=NOW,
                                       payload=Reply(text=f"m{n}").to_payload())


async def _deliver(db: Database, worker: OutboxWorker, sender: WatchingSender, mode: str) -> None:
    if mode == "drain":
        await worker.drain()
        return
    stop, wake = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(worker.run(stop, wake, idle=0.01))
    async with asyncio.timeout(30):
        while sender.done < ROWS:
            await asyncio.sleep(0.005)
    stop.set()
    wake.set()
    await task


@pytest.mark.parametrize("mode", ["run", "drain"])
@pytest.mark.parametrize("lanes", [1, 4])
async def test_sends_awaiting_their_commit_never_exceed_the_lanes(sqlite_url, mode, lanes):
    db = Database(sqlite_url)
    try:
        await db.upgrade()
        await _queue(db)
        sender = WatchingSender(db)
        await _deliver(db, OutboxWorker(db, {"zalo": sender}, lambda: NOW, lanes=lanes), sender, mode)
        async with db.transaction() as repos:
            counts = await repos.outbox.counts()
    finally:
        await db.dispose()
    assert counts == {"sent": ROWS}
    assert sender.most_in_flight == lanes  # the setting is the bound, and it is used
    # Sent but not yet committed when another send starts: at most lanes − 1 others, so ≤ lanes repeatable at a crash.
    assert max(sender.unrecorded_at_start) <= lanes - 1, sender.unrecorded_at_start
    if lanes == 1:
        assert set(sender.unrecorded_at_start) == {0}


async def test_the_default_deployment_has_eight_lanes(sqlite_url, clock: FakeClock, monkeypatch):
    """Enough to keep up with Telegram's 30/s at a 200 ms round trip (issue 20); one chat per lane."""
    monkeypatch.delenv("OUTBOX_LANES", raising=False)
    assert load_settings(_env_file=None).outbox_lanes == 8
    app = await make_app(sqlite_url, clock, demo=False)
    try:
        assert app.outbox.lanes == 8
    finally:
        await app.close()
    app = await make_app(sqlite_url, clock, demo=False, outbox_lanes=1)
    try:
        assert app.outbox.lanes == 1
    finally:
        await app.close()


class HangingSender:
    channel = "zalo"

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        await asyncio.Event().wait()  # the platform never answers


@pytest.mark.parametrize("lanes", [1, 8])
async def test_stopping_hands_back_the_rows_claimed_ahead_but_not_the_one_in_flight(sqlite_url, lanes):
    db = Database(sqlite_url)
    try:
        await db.upgrade()
        await _queue(db)
        stop, wake = asyncio.Event(), asyncio.Event()
        worker = OutboxWorker(db, {"zalo": HangingSender()}, lambda: NOW, lanes=lanes)
        task = asyncio.create_task(worker.run(stop, wake, idle=0.01))
        await asyncio.sleep(0.2)
        stop.set()
        wake.set()
        await task
        async with db.transaction() as repos:
            counts = await repos.outbox.counts()
    finally:
        await db.dispose()
    # The one in flight per lane may have reached the platform: it waits for its lease (then is re-sent: at most one
    # duplicate per chat); the rest, its own chat's next rows included, are handed back at once.
    assert counts == {"sending": lanes, "pending": ROWS - lanes}


async def test_a_send_the_database_would_not_record_stops_the_lane(sqlite_url, monkeypatch):
    """Each send that cannot be recorded is a future duplicate: the lane stops at the first, not after all of them."""
    db = Database(sqlite_url)
    try:
        await db.upgrade()
        async with db.transaction() as repos:
            for n in range(3):
                await repos.outbox.enqueue(channel="zalo", chat_id="c0", dedupe_key=f"k{n}", now=NOW,
                                           payload=Reply(text=f"m{n}").to_payload())
        sender = WatchingSender(db)

        async def refuse(self, row_ids, now):
            raise RuntimeError("disk full")

        monkeypatch.setattr(OutboxRepo, "mark_sent_many", refuse)
        assert await OutboxWorker(db, {"zalo": sender}, lambda: NOW).deliver_due() == 0
        monkeypatch.undo()
        async with db.transaction() as repos:
            counts = await repos.outbox.counts()
    finally:
        await db.dispose()
    assert sender.done == 1 and counts == {"sending": 3}  # all three come back when their lease lapses
