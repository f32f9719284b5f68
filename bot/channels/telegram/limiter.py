"""Telegram's flood limits, enforced in-process: ≤ N calls/s overall, one message per interval per chat.

Every call that Telegram counts goes through here: sends, edits, callback answers, chat actions and
setMyCommands (`FloodLimiter.call`). Calls wait in a queue; whenever the overall rate allows one more, the
oldest waiter whose chat is ready goes, groups first (their interval is long, so they are the critical path
of any burst), background calls (menus) last. A 429 anywhere pauses every call for its retry_after: Telegram's
flood control is per bot, so the next chat's send would only earn another 429.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from telegram.error import RetryAfter

from bot.channels.telegram.api import retry_seconds

PRUNE_AT = 10_000  # forget per-chat times once this many chats are remembered
# Telegram (and the strict fake of issue 20) counts calls per second where they arrive: a send released on time but
# carried a few ms faster than the one before can make 31 in a second there. So no more than `per_second` calls
# are released in any WINDOW (1 s and a margin), and a chat's next message waits its interval and that margin too:
# ~97 % of the limit at most, never a 429 from the pacing's own catch-up after a late wake-up.
WINDOW_MARGIN = 0.03
EPSILON = 1e-6  # seconds: float rounding must not make a chat miss the slot it is due in
# While paused, look at the clock this often: the pause is measured on the app's clock, which tests move by hand.
PAUSE_RECHECK = 0.25
GROUP_RANK, PRIVATE_RANK, BACKGROUND_RANK = 0, 1, 2
T = TypeVar("T")


@dataclass(order=True)
class _Waiter:
    rank: tuple[int, int]
    chat_id: str | None = field(compare=False)  # None: counts only against the overall rate
    interval: float = field(compare=False)
    future: asyncio.Future = field(compare=False)


class FloodLimiter:
    """Spaces calls at ≥ 1/per_second overall and messages at ≥ the chat's interval per chat.

    `clock` (monotonic seconds) paces the slots; `now` (the app's clock) measures a pause after a 429, since
    Telegram's retry_after is wall time and the outbox schedules the refused message by the same clock.
    """

    def __init__(self, per_second: float, private_interval: float, group_interval: float,
                 clock: Callable[[], float] = time.monotonic, now: Callable[[], datetime] | None = None) -> None:
        self.spacing, self.private_interval, self.group_interval = 1 / per_second, private_interval, group_interval
        self.clock, self.now = clock, now
        self._paused_until: datetime | None = None
        self._next_any = 0.0
        self._released: collections.deque[float] = collections.deque()  # release times in the last window
        self._window_calls = max(1, int(per_second))
        self._next_chat: dict[str, float] = {}
        self._waiting: list[_Waiter] = []
        self._order = itertools.count()
        self._changed = asyncio.Event()
        self._dispatcher: asyncio.Task | None = None

    async def call(self, call: Callable[[], Awaitable[T]], *, chat_id: str | None = None, group: bool = False,
                   background: bool = False) -> T:
        """One API call once the limits allow it; a 429 pauses every call for its retry_after, then is raised
        (never retried here: the caller's caller decides, for a message the outbox)."""
        await self.acquire(chat_id, group=group, background=background)
        try:
            return await call()
        except RetryAfter as exc:
            self.pause(retry_seconds(exc))
            raise

    def pause(self, seconds: float) -> None:
        """Hold every call for `seconds` (Telegram said so: a 429's retry_after)."""
        if self.now is None:  # no app clock: pace only (unit tests of the slots)
            return
        until = self.now() + timedelta(seconds=seconds)
        if self._paused_until is None or until > self._paused_until:
            self._paused_until = until
        self._changed.set()

    def paused_for(self) -> float:
        """Seconds left of a pause after a 429 (0 when none)."""
        if self._paused_until is None or self.now is None:
            return 0.0
        return max(0.0, (self._paused_until - self.now()).total_seconds())

    async def acquire(self, chat_id: str | None, *, group: bool = False, background: bool = False) -> None:
        """Return when one more call may go (to this chat, when one is named: a message)."""
        rank = BACKGROUND_RANK if background else GROUP_RANK if group else PRIVATE_RANK
        waiter = _Waiter((rank, next(self._order)), chat_id,
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
        paused = self.paused_for()
        if paused > 0:
            return min(paused, PAUSE_RECHECK)
        if self._next_any > now:
            return self._next_any - now
        window = 1.0 + WINDOW_MARGIN
        while self._released and self._released[0] <= now - window:
            self._released.popleft()
        if len(self._released) >= self._window_calls:
            return self._released[0] + window - now
        ready = [w for w in self._waiting if w.chat_id is None or self._next_chat.get(w.chat_id, 0.0) <= now + EPSILON]
        if not ready:
            return min(self._next_chat[w.chat_id] for w in self._waiting if w.chat_id is not None) - now
        waiter = min(ready)
        self._waiting.remove(waiter)
        # The overall pace counts from the slot this send was due, so a late wake-up does not push every
        # later slot back (after an idle spell the slot is about now: no burst). A chat's next send counts
        # from when this one really went, less half a slot so it still catches the slot it is due in.
        slot = max(self._next_any, now - self.spacing / 2)
        self._next_any = slot + self.spacing
        self._released.append(now)
        if waiter.chat_id is not None:
            self._next_chat[waiter.chat_id] = now + waiter.interval * (1 + WINDOW_MARGIN)
        if len(self._next_chat) > PRUNE_AT:
            self._next_chat = {chat: at for chat, at in self._next_chat.items() if at > now}
        if not waiter.future.done():
            waiter.future.set_result(None)
        return 0.0
