"""When polled Zalo updates may be handled while the poller polls on (bot/channels/zalo/inflight.py).

Polling and handling share one event loop. When Zalo answers polls at once (a burst is queued there, and the
link is fast) each poll is CPU work on that loop, and so is handling: handling while the burst is polled would
take the burst off Zalo's ack-less queue only at the pipeline's pace. So handling waits while polls bring updates
at once, and runs whenever the loop would otherwise wait:
- a poll came back empty, or has been held 2 × HANDLE_GAP (Zalo has nothing more queued and holds the long poll);
  held HANDLE_GAP, a slice of HANDLE_SLICE updates is handled first (on a busy machine a poll answered at once can
  take that long: the process waited for a CPU, and the burst goes on);
- the link is slow: even the fastest of the last ROUND_TRIPS polls that brought an update took NETWORK_BOUND or
  more, so each poll leaves the loop idle for a round trip (a spike from a busy machine does not count: the
  fastest of several consecutive polls stays under a millisecond on loopback even at a load average of 9);
- handling has waited HANDLE_DELAY with updates waiting (a long burst: its first replies do not wait for all of it;
  at loopback speed that is a burst of ~2,000);
- the poller cannot go on (no room for another update, the database refuses to record) or the bot stops.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

HANDLE_GAP = 0.03
HANDLE_SLICE = 10
ROUND_TRIPS = 8
NETWORK_BOUND = 0.01
HANDLE_DELAY = 2.0


class HandlingGate:
    """Open: recorded updates are handled. Closed: they wait (recorded) while a burst is polled."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.monotonic = monotonic
        self._open = asyncio.Event()
        self._open.set()
        self._round_trips: deque[float] = deque(maxlen=ROUND_TRIPS)  # polls that brought an update
        self._sent_at = 0.0
        self._sent = 0  # polls sent so far: the last one is out while `_out`
        self._out = False
        self._sliced = -1  # the poll whose holding released a slice already
        # One timer looks at the poll out every HANDLE_GAP or so while the gate is closed, rather than one armed and
        # cancelled for each poll (at loopback speed that was a timer per half millisecond).
        self._held: asyncio.TimerHandle | None = None
        self._slice: int | None = None  # updates left in the slice; None: open (or closed) for good
        self._deadline: asyncio.TimerHandle | None = None  # opens it HANDLE_DELAY after it closed on waiting work
        self._overdue = False

    async def wait(self) -> None:
        while True:
            if not self._open.is_set():
                await self._open.wait()
            if self._slice is None:
                return
            if self._slice > 0:  # woken with others by the same slice: the first HANDLE_SLICE go
                self._slice -= 1
                if self._slice == 0:
                    self._open.clear()
                return

    def open(self) -> None:
        self._slice = None
        self._open.set()

    @property
    def network_bound(self) -> bool:
        return len(self._round_trips) == ROUND_TRIPS and min(self._round_trips) >= NETWORK_BOUND

    def poll_sent(self) -> None:
        self._sent_at = self.monotonic()
        self._sent += 1
        self._out = True
        if self._held is None and not self._open.is_set():
            self._held = asyncio.get_running_loop().call_later(HANDLE_GAP, self._look_at_poll_out)

    def _look_at_poll_out(self) -> None:
        """Held HANDLE_GAP: a slice goes; held twice as long: everything goes (HandlingGate's doc)."""
        self._held = None
        if not self._out or (self._open.is_set() and self._slice is None):
            return  # answered (the next poll arms the timer again), or open anyway
        held = self.monotonic() - self._sent_at
        if self._sliced != self._sent and held >= HANDLE_GAP:
            self._held_a_while()
        elif self._sliced == self._sent and held >= 2 * HANDLE_GAP:
            self.open()
            return
        due = HANDLE_GAP * (2 if self._sliced == self._sent else 1)
        self._held = asyncio.get_running_loop().call_later(max(0.0, due - held), self._look_at_poll_out)

    def _held_a_while(self) -> None:
        """The poll out is held HANDLE_GAP: a slice of the waiting updates is handled."""
        self._sliced = self._sent
        self._slice = HANDLE_SLICE
        self._open.set()

    def poll_brought_update(self) -> None:
        """Zalo answered with an update: more may be queued there; handle meanwhile only when the link is slow or
        handling is overdue."""
        self._out = False
        self._round_trips.append(self.monotonic() - self._sent_at)
        if self.network_bound or self._overdue:
            self.open()
            return
        self._slice = None
        self._open.clear()
        if self._deadline is None:
            self._deadline = asyncio.get_running_loop().call_later(HANDLE_DELAY, self._overdue_now)

    def all_handled(self) -> None:
        """Nothing recorded waits for handling: the next burst gets its own HANDLE_DELAY."""
        self._overdue = False
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _overdue_now(self) -> None:
        self._deadline = None
        self._overdue = True
        self.open()
