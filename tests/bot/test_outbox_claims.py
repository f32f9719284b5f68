"""The runner claims only when a claim may find something (bot/outbox.ClaimWorth): one claim a message sent,
not three (each a statement and a commit: bench/bench_transactions.py) — and a reply queued for a chat while its
lane is busy still goes as soon as that lane ends, not at the next idle tick."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.outbox import OutboxWorker
from core.messages import Reply
from storage.db import Database

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
NEVER_IDLE = 3600.0  # the idle tick never comes within a test: only wake-ups and lanes ending move the loop


class Sender:
    channel = "zalo"

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.while_sending = None  # an async callable run during the first send

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        if self.while_sending is not None:
            during, self.while_sending = self.while_sending, None
            await during()
        self.sent.append((chat_id, reply.text))


async def _queue(db: Database, chat_id: str, text: str) -> None:
    async with db.transaction() as repos:
        await repos.outbox.enqueue(channel="zalo", chat_id=chat_id, dedupe_key=text, now=NOW,
                                   payload=Reply(text=text).to_payload())


async def _running(db: Database, sender: Sender, expected: int) -> int:
    """Runs the worker until `expected` rows are committed as sent and the loop had its turn after; its claims."""
    worker = OutboxWorker(db, {"zalo": sender}, lambda: NOW)
    claims, real = [], worker._claim

    async def counted(limit, busy):
        claims.append(busy)
        return await real(limit, busy)

    worker._claim = counted
    stop, wake = asyncio.Event(), asyncio.Event()
    sender.wake = wake
    wake.set()
    task = asyncio.create_task(worker.run(stop, wake, idle=NEVER_IDLE))
    async with asyncio.timeout(10):
        while True:
            async with db.transaction() as repos:
                if (await repos.outbox.counts()).get("sent", 0) >= expected:
                    break
            await asyncio.sleep(0.005)
    for _ in range(20):  # the loop's turns after the last lane ended: where the empty claims were made
        await asyncio.sleep(0)
    stop.set()
    wake.set()
    await task
    return len(claims)


async def test_one_message_is_one_claim(db):
    await _queue(db, "c1", "xin chào")
    sender = Sender()
    assert await _running(db, sender, expected=1) == 1
    assert sender.sent == [("c1", "xin chào")]


async def test_a_reply_queued_while_its_chats_lane_is_busy_goes_when_the_lane_ends(db):
    await _queue(db, "c1", "(1/2) Tên hoạt động?")
    sender = Sender()

    async def second_part_queued():
        await _queue(db, "c1", "(2/2) Ngày tổ chức?")
        sender.wake.set()  # as the pipeline's commit does

    sender.while_sending = second_part_queued
    claims = await _running(db, sender, expected=2)
    assert sender.sent == [("c1", "(1/2) Tên hoạt động?"), ("c1", "(2/2) Ngày tổ chức?")]
    assert claims == 3  # the first; at the wake-up, c1 busy (nothing); when c1's lane ended
