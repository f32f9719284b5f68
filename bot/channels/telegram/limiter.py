"""Telegram's flood limits, enforced in-process: ≤ N messages/s overall, one per interval per chat.

Sends wait in a queue; whenever the overall rate allows one more, the oldest waiter whose chat is ready
goes, groups first (their interval is long, so they are the critical path of any burst).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

PRUNE_AT = 10_000  # forget per-chat times once this many chats are remembered
EPSILON = 1e-6  # seconds: float rounding must not make a chat miss the slot it is due in


@dataclass(order=True)
class _Waiter:
    rank: tuple[int, int]
    chat_id: str = field(compare=False)
    interval: float = field(compare=False)
    future: asyncio.Future = field(compare=False)


class FloodLimiter:
    """Spaces sends at ≥ 1/per_second overall and ≥ the chat's interval per chat."""

    def __init__(self, per_second: float, private_interval: float, group_interval: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.spacing, self.private_interval, self.group_interval = 1 / per_second, private_interval, group_interval
        self.clock = clock
        self._next_any = 0.0
        self._next_chat: dict[str, float] = {}
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()
        self._changed = asyncio.Event()
        self._dispatcher: asyncio.Task | None = None

    async def acquire(self, chat_id: str, *, group: bool) -> None:
        """Return when this chat may be sent one more message."""
        waiter = _Waiter((0 if group else 1, next(self._order)), chat_id,
                         self.group_interval if group else self.private_interval,
                         asyncio.get_running_loop().create_future())
        self._waiting.append(waiter)
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = asyncio.create_task(self._dispatch())
        self._changed.set()
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
            raise

    async def _dispatch(self) -> None:
        while self._waiting:
            delay = self._release_one(self.clock())
            if delay > 0:
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), delay)

    def _release_one(self, now: float) -> float:
        """Release the best ready waiter; otherwise return how long until one may be ready."""
        if self._next_any > now:
            return self._next_any - now
        ready = [w for w in self._waiting if self._next_chat.get(w.chat_id, 0.0) <= now + EPSILON]
        if not ready:
            return min(self._next_chat[w.chat_id] for w in self._waiting) - now
        waiter = min(ready)
        self._waiting.remove(waiter)
        # The overall pace counts from the slot this send was due, so a late wake-up does not push every
        # later slot back (after an idle spell the slot is about now: no burst). A chat's next send counts
        # from when this one really went, less half a slot so it still catches the slot it is due in.
        slot = max(self._next_any, now - self.spacing / 2)
        self._next_any = slot + self.spacing
        self._next_chat[waiter.chat_id] = now + waiter.interval - self.spacing / 2
        if len(self._next_chat) > PRUNE_AT:
            self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}
        if not waiter.future.done():
            waiter.future.set_result(None)
        return 0.0
