"""The outbox worker: the only path by which anything leaves the bot.

Rows are claimed in batches (one statement), delivered in per-chat lanes that run side by side (at most `lanes`
chats at once, OUTBOX_LANES), and marked sent by a group commit: every lane that finished a send in the same moment
shares one UPDATE. Order within a chat is kept. A lane starts its next send only once the previous row's "sent" is
committed, so a crash can re-send at most the row each lane had in flight: platforms take no idempotency key, and
the window between the platform accepting a message and our commit cannot be closed. A lane is one chat, so a
crash re-sends at most one row to any chat (docs/reliability.md); the default of 8 lanes keeps up with a platform's
limit at a 200 ms round trip (issue 20, bench/bench_outbox_limit.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.channels.base import AfterSend, ChatGoneError, PermanentSendError, Sender, SendError
from core.messages import PRIORITY_REPLY, Reply
from storage.db import Database, is_database_fault, short_reason
from storage.models import Outbox

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=2)  # a claim older than this belonged to a worker that died
LANES = 8  # chats a worker serves at once (OUTBOX_LANES): a crash re-sends at most one row per lane, one per chat
BATCH = 100  # rows claimed per statement
# run() claims up to this many rows per free lane: the claim sorts every due row, so claiming one row per send made
# a long queue cost O(n) per message. A reply queued meanwhile waits behind at most this many rows per lane.
CLAIM_AHEAD = 8
# A reply a crash interrupted is dropped instead of re-sent when it is older than this and its chat has a later reply
# (STALE_REPLY_SECONDS); the lease alone makes it at least 2 minutes old when it comes back.
STALE_REPLY = timedelta(minutes=2)
DROPPED_STALE = "dropped: a reply interrupted by a crash, and the conversation has moved on"
ChatKey = tuple[str, str]


@dataclass
class SendOutcomes:
    """One channel's latest send results, for /healthz: when a send last went through, and the last failure."""

    last_ok: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str = ""


def backoff(attempts: int) -> timedelta:
    """Bounded exponential backoff: 2 s, 4 s, 8 s … capped at 10 minutes."""
    return timedelta(seconds=min(600, 2 ** max(1, attempts)))


def interrupted(row: Outbox) -> bool:
    """Claimed before, and neither sent, retried nor handed back: its worker died (or outlived its lease)."""
    return row.attempts > 1 and not row.error


def log_failure(what: str, exc: BaseException) -> None:
    """A database fault is one line (the operator's to fix, and it repeats until fixed); a bug is a traceback."""
    if is_database_fault(exc):
        log.warning("%s: database: %s", what, short_reason(exc))
    else:
        log.error("%s", what, exc_info=exc)


def by_chat(rows: list[Outbox]) -> dict[ChatKey, list[Outbox]]:
    """Claimed rows grouped per chat, each group in sending order."""
    groups: dict[ChatKey, list[Outbox]] = {}
    for row in rows:
        groups.setdefault((row.channel, row.chat_id), []).append(row)
    return groups


class SentMarks:
    """Group commit of "sent": lanes wait for one shared UPDATE instead of a transaction each.

    What a send asks to have written with its mark (a sender's `AfterSend`: Zalo's monthly count) is written in
    the same transaction: one commit per batch instead of one more per message (issue 21.3). If that extra write
    fails, the marks are committed without it (logged): a lost count is better than a message sent twice.
    """

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self.db, self.clock = db, clock
        self._waiting: list[tuple[int, AfterSend | None, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task | None = None

    async def mark(self, row_id: int, after: AfterSend | None = None) -> None:
        """Returns once the row is recorded as sent (raises if that could not be written)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((row_id, after, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        await future

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let every lane that finished in this turn of the loop join the batch
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._write(batch)
            except Exception as exc:  # the rows stay claimed and are re-sent when the lease lapses
                log_failure(f"could not record {len(batch)} sent outbox rows", exc)
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for _, _, future in batch:
                if not future.done():
                    future.set_result(None)

    async def _write(self, batch: list[tuple[int, AfterSend | None, asyncio.Future[None]]]) -> None:
        row_ids, afters = [row_id for row_id, _, _ in batch], [after for _, after, _ in batch if after is not None]
        if afters:
            try:
                async with self.db.transaction() as repos:
                    await repos.outbox.mark_sent_many(row_ids, self.clock())
                    for after in afters:
                        await after(repos)
                return
            except Exception as exc:
                log_failure("could not record what sends counted; recording them as sent without it", exc)
        async with self.db.transaction() as repos:
            await repos.outbox.mark_sent_many(row_ids, self.clock())


class ClaimWorth:
    """Whether the runner's next claim may find anything. Each claim is a statement and a commit; the loop used to
    claim again right after starting a lane and again when each lane ended, two empty claims for every message
    sent (bench/bench_transactions.py). A claim is worth it after a wake-up (something queued), an idle tick (rows
    come due, leases lapse), rows handed back, a claim that came back full, or — when the last claim skipped busy
    chats, whose new rows it could not take — a lane ending."""

    def __init__(self) -> None:
        self.worth, self._skipped_busy = True, False

    def claimed(self, asked: int, got: int, busy: tuple[ChatKey, ...]) -> None:
        self.worth, self._skipped_busy = got >= asked, bool(busy)

    def may_have_more(self) -> None:
        self.worth = True

    def lane_ended(self) -> None:
        if self._skipped_busy:
            self.worth = True


class OutboxWorker:
    def __init__(self, db: Database, senders: Mapping[str, Sender], clock: Callable[[], datetime], *,
                 lanes: int = LANES, batch: int = BATCH, stale_reply: timedelta = STALE_REPLY) -> None:
        self.db, self.senders, self.clock = db, dict(senders), clock
        self.lanes, self.batch, self.stale_reply = lanes, batch, stale_reply
        self._marks = SentMarks(db, clock)
        self._claims = ClaimWorth()
        self.dropped = self.resent = 0  # replies a crash interrupted: left out as out of context, or sent again
        self.outcomes: dict[str, SendOutcomes] = {}  # per channel, in memory (bot/liveness.py)

    async def deliver_due(self, limit: int | None = None) -> int:
        """One round: claim what is due now, deliver it (`lanes` chats side by side), return how many were sent."""
        rows = await self._claim(limit or self.batch, busy=())
        gate = asyncio.Semaphore(self.lanes)  # the same bound on sends in flight as run(), so the same crash bound

        async def lane(chat_rows: list[Outbox]) -> int:
            async with gate:
                return await self._lane(chat_rows)

        results = await asyncio.gather(*(lane(chat_rows) for chat_rows in by_chat(rows).values()))
        return sum(results)

    async def drain(self, max_rounds: int = 100) -> int:
        """Deliver until nothing more is due now (used by the console and by tests)."""
        total = 0
        for _ in range(max_rounds):
            sent = await self.deliver_due()
            total += sent
            if sent == 0:
                break
        return total

    async def run(self, stop: asyncio.Event, wake: asyncio.Event, idle: float = 1.0) -> None:
        """The runner's loop: keeps lanes busy, claiming a few rows ahead; with several lanes a slow chat never holds
        up the others (with one, the default, everything waits for it: the price of one duplicate per crash)."""
        active: dict[ChatKey, asyncio.Task] = {}
        waiting: dict[ChatKey, list[Outbox]] = {}  # claimed chats, in priority order, for the next free lane
        try:
            while not stop.is_set():
                if wake.is_set():
                    self._claims.may_have_more()
                wake.clear()  # before claiming, so a wake-up during the claim is not lost
                if await self._fill_lanes(active, waiting):
                    continue
                waiters = [asyncio.ensure_future(wake.wait()), *active.values()]
                done, _ = await asyncio.wait(waiters, timeout=idle, return_when=asyncio.FIRST_COMPLETED)
                if not done:  # the idle tick: retries and leases come due with no wake-up
                    self._claims.may_have_more()
                waiters[0].cancel()
        finally:
            for task in active.values():
                task.cancel()
            await asyncio.gather(*active.values(), return_exceptions=True)
            with contextlib.suppress(Exception):  # not sent yet: the next worker need not wait for the lease
                await self._release([row for rows in waiting.values() for row in rows])

    async def _fill_lanes(self, active: dict[ChatKey, asyncio.Task], waiting: dict[ChatKey, list[Outbox]]) -> int:
        """Start claimed chats on free lanes, claiming more (CLAIM_AHEAD rows per free lane) only when none are
        left; returns how many chats were started."""
        for key in [key for key, task in active.items() if task.done()]:
            task = active.pop(key)
            self._claims.lane_ended()
            if not task.cancelled() and task.exception() is not None:  # its rows come back when their lease lapses
                log_failure(f"outbox lane for {key[0]} chat {key[1]} stopped", task.exception())
        free = self.lanes - len(active)
        if free <= 0:
            return 0
        if not waiting:
            if not self._claims.worth:
                return 0
            asked, busy = min(self.batch, free * CLAIM_AHEAD), tuple(active)
            try:
                rows = await self._claim(asked, busy=busy)
            except Exception as exc:
                log_failure("outbox claim failed; retrying shortly", exc)
                return 0
            self._claims.claimed(asked, len(rows), busy)
            waiting.update(by_chat(rows))
        starting = list(waiting)[:free]
        for key in starting:
            active[key] = asyncio.create_task(self._lane(waiting.pop(key)))
        return len(starting)

    async def _claim(self, limit: int, busy: tuple[ChatKey, ...]) -> list[Outbox]:
        if not self.senders:
            return []
        async with self.db.transaction() as repos:
            return await repos.outbox.claim_due(self.clock(), channels=tuple(self.senders), limit=limit,
                                                lease=LEASE, busy=busy)

    async def _lane(self, rows: list[Outbox]) -> int:
        """One chat's rows in order; after a retry or a lapsing lease the rest go back unsent, still in order."""
        sent = 0
        for index, row in enumerate(rows):
            if self.clock() >= row.claimed_until - LEASE / 4:  # another worker may take them soon
                await self._release(rows[index:])
                break
            try:
                outcome = await self._deliver(row)
            except asyncio.CancelledError:  # a stop: the rows not started go back at once (the one in flight
                with contextlib.suppress(Exception):  # may have reached the platform: it waits for its lease)
                    await self._release(rows[index + 1:])
                raise
            if outcome == "sent":
                sent += 1
            elif outcome == "retry":
                await self._release(rows[index + 1:], after=row)
                break
            elif outcome == "unrecorded":  # the rest stay claimed; their lease brings them back
                break
        return sent

    async def _deliver(self, row: Outbox) -> str:
        """Send one row: "sent", "retry" (it waits for its next attempt), "done" (failed for good, or a stale reply
        dropped) or "unrecorded" (sent, but the database would not record it)."""
        if interrupted(row):
            if await self._out_of_context(row):
                self.dropped += 1
                log.info("outbox row %s: a reply a crash interrupted %s ago, and the chat has moved on: dropped",
                         row.id, self.clock() - row.created_at)
                async with self.db.transaction() as repos:
                    await repos.outbox.mark_failed(row.id, DROPPED_STALE)
                return "done"
            self.resent += 1
        try:
            after = await self.senders[row.channel].send(row.chat_id, Reply.from_payload(row.payload),
                                                         priority=row.priority, skip=row.parts_sent)
        except ChatGoneError as exc:
            self._outcome(row.channel, str(exc))
            await self._finish(row.id, failed=str(exc), gone=(row.channel, row.chat_id))
            return "done"
        except PermanentSendError as exc:
            self._outcome(row.channel, str(exc))
            await self._finish(row.id, failed=str(exc))
            return "done"
        except SendError as exc:
            self._outcome(row.channel, str(exc))
            row.parts_sent += exc.delivered
            return await self._retry(row, str(exc), exc.retry_after)
        except Exception as exc:  # a bug in a sender must not stop the queue
            self._outcome(row.channel, f"{type(exc).__name__}")
            log_failure(f"sender for {row.channel} failed unexpectedly", exc)
            return await self._retry(row, f"{type(exc).__name__}", None)
        self._outcome(row.channel)
        try:
            await self._marks.mark(row.id, after)
        except Exception:  # logged by the marker; this row is re-sent after its lease (a duplicate), so the lane
            return "unrecorded"  # sends nothing more that could not be recorded either
        return "sent"

    def _outcome(self, channel: str, error: str | None = None) -> None:
        outcome = self.outcomes.setdefault(channel, SendOutcomes())
        if error is None:
            outcome.last_ok = self.clock()
        else:
            outcome.last_error_at, outcome.last_error = self.clock(), error[:300]

    async def _out_of_context(self, row: Outbox) -> bool:
        """A reply older than STALE_REPLY_SECONDS whose chat got a later reply: "(2/7) Tổ chức ở đâu?" long after the
        person moved on would confuse more than it helps. Reminders and broadcasts are never out of context."""
        if row.priority != PRIORITY_REPLY or self.clock() - row.created_at < self.stale_reply:
            return False
        async with self.db.transaction() as repos:
            return await repos.replies.moved_on(row.channel, row.chat_id, row.id, row.priority)

    async def _retry(self, row: Outbox, error: str, retry_after: float | None) -> str:
        if row.attempts >= MAX_ATTEMPTS:
            await self._finish(row.id, failed=f"gave up after {row.attempts} attempts: {error}")
            return "done"
        delay = timedelta(seconds=retry_after) if retry_after is not None else backoff(row.attempts)
        row.next_attempt_at = self.clock() + delay
        async with self.db.transaction() as repos:
            await repos.outbox.mark_retry(row.id, error, row.next_attempt_at, row.parts_sent)
        return "retry"

    async def _release(self, rows: list[Outbox], after: Outbox | None = None) -> None:
        if rows:
            async with self.db.transaction() as repos:
                await repos.outbox.release([row.id for row in rows], after.next_attempt_at if after else None)
            self._claims.may_have_more()

    async def _finish(self, row_id: int, *, failed: str, gone: tuple[str, str] | None = None) -> None:
        log.warning("outbox row %s failed: %s", row_id, failed)
        async with self.db.transaction() as repos:
            await repos.outbox.mark_failed(row_id, failed)
            if gone is not None:
                await repos.chats.set_active(*gone, active=False)
