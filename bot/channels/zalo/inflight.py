"""Several polled updates in flight: each is recorded in the update inbox first (group commits: whatever arrived
meanwhile shares one transaction), then handled while the poller already fetches the next one (when handling may
run: bot/channels/zalo/handling_gate.py); one chat's updates are handled in the order Zalo served them. Handled
updates leave the inbox; what a crash leaves there is handled at the next start (the ledger skips any that were
handled already), so a crash loses no recorded update, only what Zalo's ack-less API loses anyway (a poll whose
connection drops) and the few milliseconds of updates not yet committed to the inbox."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.channels.base import Transactions, not_recorded
from bot.channels.zalo.handling_gate import HandlingGate
from bot.channels.zalo.platform import CHANNEL
from storage.db import short_reason

log = logging.getLogger(__name__)
# Updates polled and not yet handled, at most (the poller waits for room beyond this). They are recorded, so the
# bound is memory, not safety: a burst of a few hundred (a village meeting writing at once) is taken off Zalo's
# queue at polling speed and handled at the pipeline's.
IN_FLIGHT = 5000
MAX_WAIT = 60.0
# Recording waits this long for more updates to share its transaction (or until the poll comes back empty, or
# RECORD_BATCH are queued): a transaction costs several polls' worth of CPU on the event loop, so one per update
# would hold the poller to the database's pace. It is also the window a crash can lose, like a dropped poll.
RECORD_WAIT = 0.02
RECORD_BATCH = 100
REMOVE_WAIT = 1.0  # handled updates leave the inbox with the next recording, or on their own after this
UpdateHandler = Callable[[dict[str, Any]], Awaitable[bool | None]]  # True: a new update, handled
Sleep = Callable[[float], Awaitable[object]]


def update_key(update: dict[str, Any]) -> str:
    """Zalo's message id, or (a malformed update) a digest of the payload: the inbox's key."""
    message = update.get("message")
    message_id = message.get("message_id") if isinstance(message, dict) else None
    if isinstance(message_id, str | int) and str(message_id):
        return str(message_id)[:80]
    return "sha:" + hashlib.sha256(json.dumps(update, sort_keys=True, default=str).encode()).hexdigest()[:40]


def chat_of(update: dict[str, Any]) -> str:
    message = update.get("message")
    chat = message.get("chat") if isinstance(message, dict) else None
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    return str(chat_id) if chat_id is not None else "?"


class InFlight:
    """Built by the Zalo channel for its poller; `admit` takes an update from a poll and returns at once."""

    def __init__(self, transaction: Transactions, clock: Callable[[], datetime], on_update: UpdateHandler, *,
                 limit: int = IN_FLIGHT, min_wait: float = 1.0, sleep: Sleep = asyncio.sleep) -> None:
        self.transaction, self.clock, self.on_update = transaction, clock, on_update
        self.min_wait, self.sleep = min_wait, sleep
        self._room = asyncio.Semaphore(limit)
        self._to_record: list[tuple[str, dict[str, Any]]] = []
        self._recorder: asyncio.Task | None = None
        self._recording_ok = asyncio.Event()  # cleared while the database refuses to record: the poller holds
        self._recording_ok.set()
        self._flush_now = asyncio.Event()  # the poll came back empty, or a batch is full: record at once
        self.gate = HandlingGate()
        # chat → its recorded updates not handled yet, in Zalo's order, and the one task handling them (a task per
        # chat with work, not per update: a burst of thousands waits as list entries, not as tasks)
        self._queues: dict[str, deque[tuple[str, dict[str, Any]]]] = {}
        self._workers: dict[str, asyncio.Task] = {}
        self._handled: list[str] = []
        self._remover: asyncio.Task | None = None
        self.stopping = False

    @property
    def unrecorded(self) -> int:
        """Polled updates not yet committed to the inbox."""
        return len(self._to_record)

    async def ready(self) -> None:
        """Returns once another update may be polled: there is room, and recording works."""
        if self._room.locked() or not self._recording_ok.is_set():
            self.gate.open()  # the poller waits anyway: handling (which makes room) uses the time
        await self._recording_ok.wait()
        await self._room.acquire()
        self._room.release()

    async def admit(self, update: dict[str, Any]) -> None:
        """Record (group commit) then handle `update`; returns as soon as it is queued."""
        if self._room.locked():
            self.gate.open()
        await self._room.acquire()
        self._to_record.append((update_key(update), update))
        if len(self._to_record) >= RECORD_BATCH:
            self._flush_now.set()
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record())

    def idle(self) -> None:
        """The poll came back empty: Zalo has nothing more queued, so record and handle without waiting."""
        self._flush_now.set()
        self.gate.open()

    def polling(self) -> None:
        self.gate.poll_sent()

    def polled(self) -> None:
        self.gate.poll_brought_update()

    async def resume(self) -> int:
        """Handle what a previous run recorded and did not handle (a crash, a stop with the database down)."""
        try:
            async with self.transaction() as repos:
                waiting = await repos.inbox.waiting(CHANNEL)
        except Exception as exc:
            log.warning("zalo: could not read the update inbox (%s); its updates wait for the next start",
                        short_reason(exc))
            return 0
        if waiting:
            log.info("zalo: handling %s updates recorded before the last stop", len(waiting))
        for key, update in waiting:
            await self._room.acquire()
            self._start(key, update)
        return len(waiting)

    async def drain(self) -> None:
        """On a stop: record what is queued (one try), let every handling end, clear the inbox of what was."""
        self.stopping = True
        self._flush_now.set()
        self.gate.open()
        if self._recorder is not None:
            with contextlib.suppress(Exception):
                await self._recorder
        if self._to_record:
            log.error("zalo: stopping with %s polled updates the database would not record; they are lost",
                      len(self._to_record))
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)
        if self._remover is not None:  # a lazy one may be waiting REMOVE_WAIT: clear the inbox now instead
            self._remover.cancel()
            await asyncio.gather(self._remover, return_exceptions=True)
        await self._remove()

    async def _record(self) -> None:
        wait = self.min_wait
        while self._to_record:
            # Let the next polls' updates join the batch; again for those polled while the last batch committed,
            # or the transactions shrink to an update or two each and hold the poller to their pace.
            if not self._flush_now.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._flush_now.wait(), RECORD_WAIT)
            if not self.stopping:
                self._flush_now.clear()
            batch, handled = list(self._to_record), list(self._handled)
            try:
                async with self.transaction() as repos:
                    await repos.inbox.record_many(CHANNEL, batch, self.clock())
                    await repos.inbox.remove_many(CHANNEL, handled)  # the same transaction clears what is done
            except Exception as exc:
                if not not_recorded(exc) or self.stopping:
                    if not not_recorded(exc):
                        log.exception("zalo: recording polled updates failed")
                    return
                self._recording_ok.clear()
                log.warning("zalo: %s polled updates not recorded (database: %s); holding them, polling nothing "
                            "more, retrying in %.1f s", len(batch), short_reason(exc), wait)
                await self.sleep(wait)
                wait = min(MAX_WAIT, wait * 2)
                continue
            self._recording_ok.set()
            del self._to_record[:len(batch)]
            del self._handled[:len(handled)]
            for key, update in batch:
                self._start(key, update)

    def _start(self, key: str, update: dict[str, Any]) -> None:
        chat = chat_of(update)
        queue = self._queues.get(chat)
        if queue is None:
            queue = self._queues[chat] = deque()
        queue.append((key, update))
        if chat not in self._workers:
            self._workers[chat] = asyncio.create_task(self._work(chat, queue))

    async def _work(self, chat: str, queue: deque[tuple[str, dict[str, Any]]]) -> None:
        """Handles one chat's updates one after the other, then ends (the next update of the chat starts another)."""
        try:
            while queue:
                await self.gate.wait()
                key, update = queue[0]
                try:
                    if await self._handle(update):
                        self._handled.append(key)
                finally:
                    queue.popleft()
                    self._room.release()
                if self._remover is None or self._remover.done():
                    self._remover = asyncio.create_task(self._remove(REMOVE_WAIT))
        finally:
            del self._workers[chat]
            del self._queues[chat]
            if not self._workers:
                self.gate.all_handled()

    async def _handle(self, update: dict[str, Any]) -> bool:
        """Handles `update`; False when it stays in the inbox (the database went away during a stop)."""
        wait = self.min_wait
        while True:
            try:
                await self.on_update(update)
            except Exception as exc:
                if not not_recorded(exc):
                    log.exception("zalo: handling an update failed; skipping it")
                elif self.stopping:  # it stays in the inbox: handled at the next start
                    return False
                else:
                    log.warning("zalo: update not handled (database unavailable); retrying in %.1f s", wait)
                    await self.sleep(wait)
                    wait = min(MAX_WAIT, wait * 2)
                    continue
            return True

    async def _remove(self, after: float = 0.0) -> None:
        """Clear handled updates from the inbox: in the next recording's transaction when polls keep coming,
        else on its own after `after` seconds (not urgent: the ledger skips a handled update found there)."""
        await self.sleep(after) if after else await asyncio.sleep(0)
        while self._handled:
            batch, self._handled = self._handled, []
            try:
                async with self.transaction() as repos:
                    await repos.inbox.remove_many(CHANNEL, batch)
            except Exception as exc:  # they are handled (the ledger knows): a later start skips them
                log.warning("zalo: could not clear %s handled updates from the inbox (%s)", len(batch),
                            short_reason(exc))
                return
