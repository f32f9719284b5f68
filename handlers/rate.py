"""Inbound rate limit per sender: one person (or one script) cannot hold up everyone else's replies.

In memory, per process: it guards the queue of this process, and a flood costs a dictionary look-up, not a
message. A sender over the limit gets one "slow down" notice per minute and is otherwise not handled.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from datetime import datetime, timedelta
from enum import Enum

WINDOW = timedelta(minutes=1)
SWEEP_EVERY = 1000  # admissions between sweeps of senders gone quiet (the table stays as small as the active set)


class Verdict(Enum):
    ADMIT = "admit"
    NOTICE = "notice"  # over the limit: tell them once, do not handle the message
    DROP = "drop"  # over the limit and already told


class SenderRate:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._seen: dict[Hashable, deque[datetime]] = {}
        self._noticed: dict[Hashable, datetime] = {}
        self._admissions = 0

    def admit(self, sender: Hashable, now: datetime) -> Verdict:
        """Whether a message from `sender` at `now` is handled; 0 per minute means no limit."""
        if self.per_minute <= 0:
            return Verdict.ADMIT
        self._admissions += 1
        if self._admissions % SWEEP_EVERY == 0:
            self._sweep(now)
        times = self._seen.setdefault(sender, deque())
        while times and times[0] <= now - WINDOW:
            times.popleft()
        if len(times) < self.per_minute:
            times.append(now)
            return Verdict.ADMIT
        noticed = self._noticed.get(sender)
        if noticed is not None and noticed > now - WINDOW:
            return Verdict.DROP
        self._noticed[sender] = now
        return Verdict.NOTICE

    def _sweep(self, now: datetime) -> None:
        for sender in [s for s, times in self._seen.items() if not times or times[-1] <= now - WINDOW]:
            del self._seen[sender]
        for sender in [s for s, at in self._noticed.items() if at <= now - WINDOW]:
            del self._noticed[sender]
