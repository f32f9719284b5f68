"""Group commit for inbound messages: what arrives while one transaction runs is handled together in the next.

Under load most of a message's cost was the transaction around it (session, BEGIN, COMMIT) and statements
that can be shared (the ledger claim, the outbox insert). A batch pays for those once. Messages of one
conversation never share a batch, nor run in two batches at once, so each reads the state its predecessor
left; the caller of `submit` still returns only after its message is committed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Batcher(Generic[Item, Result]):
    """Queues items and runs `handle_batch` on up to `max_batch` of them, `parallel` batches at a time."""

    def __init__(self, handle_batch: Callable[[list[Item]], Awaitable[Sequence[Result]]], *,
                 max_batch: int, parallel: int) -> None:
        self._handle_batch = handle_batch
        self.max_batch, self.parallel = max_batch, parallel
        self._queue: deque[tuple[Hashable, Item, asyncio.Future[Result]]] = deque()
        self._busy: set[Hashable] = set()  # keys whose batch is running
        self._running: set[asyncio.Task] = set()

    async def submit(self, key: Hashable, item: Item) -> Result:
        """Handle `item` in a batch with no other item of the same `key`; returns its result once committed."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((key, item, future))
        self._start_batches()
        return await asyncio.shield(future)  # a cancelled caller does not cancel the others' batch

    def _start_batches(self) -> None:
        while len(self._running) < self.parallel:
            batch = self._take()
            if not batch:
                return
            task = asyncio.create_task(self._run(batch))
            self._running.add(task)

    def _take(self) -> list[tuple[Hashable, Item, asyncio.Future[Result]]]:
        """Up to max_batch items in arrival order, one per key, skipping keys already in a running batch."""
        batch, keys, kept = [], set(), deque()
        while self._queue and len(batch) < self.max_batch:
            entry = self._queue.popleft()
            if entry[0] in self._busy or entry[0] in keys:
                kept.append(entry)  # waits for the next batch, still ahead of later arrivals
            else:
                keys.add(entry[0])
                batch.append(entry)
        self._queue.extendleft(reversed(kept))
        self._busy |= keys
        return batch

    async def _run(self, batch: list[tuple[Hashable, Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._handle_batch([item for _, item, _ in batch])
            for (_, _, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
        except asyncio.CancelledError:  # shutting down: the callers are told, nothing new starts
            for _, _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # every waiting caller hears of it
            for _, _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        finally:
            self._busy -= {key for key, _, _ in batch}
            self._running.discard(asyncio.current_task())
        self._start_batches()
