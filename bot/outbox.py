"""The outbox worker: the only path by which anything leaves the bot."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from bot.channels.base import ChatGoneError, PermanentSendError, Sender, SendError
from handlers.messages import Reply
from storage.db import Database

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=2)  # a claim older than this belonged to a worker that died


def backoff(attempts: int) -> timedelta:
    """Bounded exponential backoff: 2 s, 4 s, 8 s … capped at 10 minutes."""
    return timedelta(seconds=min(600, 2 ** max(1, attempts)))


class OutboxWorker:
    def __init__(self, db: Database, senders: Mapping[str, Sender], clock: Callable[[], datetime]) -> None:
        self.db, self.senders, self.clock = db, dict(senders), clock

    async def deliver_due(self, limit: int = 50) -> int:
        """Send what is due now; returns how many rows were sent."""
        if not self.senders:
            return 0
        async with self.db.transaction() as repos:
            rows = await repos.outbox.claim_due(self.clock(), channels=tuple(self.senders), limit=limit, lease=LEASE)
        by_chat: dict[tuple[str, str], list] = {}
        for row in rows:
            by_chat.setdefault((row.channel, row.chat_id), []).append(row)
        # Chats are served side by side (one slow or rate-limited chat must not hold up the others);
        # within a chat, messages keep their order.
        results = await asyncio.gather(*(self._deliver_in_order(chat_rows) for chat_rows in by_chat.values()))
        return sum(results)

    async def _deliver_in_order(self, rows: list) -> int:
        sent = 0
        for row in rows:
            sent += await self._deliver(row.id, row.channel, row.chat_id, row.payload, row.attempts, row.priority)
        return sent

    async def drain(self, max_rounds: int = 100) -> int:
        """Deliver until nothing more is due now (used by the console and by tests)."""
        total = 0
        for _ in range(max_rounds):
            sent = await self.deliver_due()
            total += sent
            if sent == 0:
                break
        return total

    async def _deliver(self, row_id: int, channel: str, chat_id: str, payload: dict, attempts: int,
                       priority: int) -> int:
        try:
            await self.senders[channel].send(chat_id, Reply.from_payload(payload), priority=priority)
        except ChatGoneError as exc:
            await self._finish(row_id, failed=str(exc), gone=(channel, chat_id))
            return 0
        except PermanentSendError as exc:
            await self._finish(row_id, failed=str(exc))
            return 0
        except SendError as exc:
            await self._retry(row_id, str(exc), attempts, exc.retry_after)
            return 0
        except Exception as exc:  # a bug in a sender must not stop the queue
            log.exception("sender for %s failed unexpectedly", channel)
            await self._retry(row_id, f"{type(exc).__name__}", attempts, None)
            return 0
        async with self.db.transaction() as repos:
            await repos.outbox.mark_sent(row_id, self.clock())
        return 1

    async def _retry(self, row_id: int, error: str, attempts: int, retry_after: float | None) -> None:
        if attempts >= MAX_ATTEMPTS:
            await self._finish(row_id, failed=f"gave up after {attempts} attempts: {error}")
            return
        delay = timedelta(seconds=retry_after) if retry_after is not None else backoff(attempts)
        async with self.db.transaction() as repos:
            await repos.outbox.mark_retry(row_id, error, self.clock() + delay)

    async def _finish(self, row_id: int, *, failed: str, gone: tuple[str, str] | None = None) -> None:
        log.warning("outbox row %s failed: %s", row_id, failed)
        async with self.db.transaction() as repos:
            await repos.outbox.mark_failed(row_id, failed)
            if gone is not None:
                await repos.chats.set_active(*gone, active=False)
