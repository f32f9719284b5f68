"""Where a reply's time goes between `app.handle` and the platform (bench/bench_replies.py --stages).

Instruments one running app by wrapping, on the instances only, the outbox worker's `_deliver` (a lane takes the
row), the Telegram limiter's `acquire` (waiting for a slot) and the fake's sendMessage (the platform takes it). Each
message of the benchmark gets exactly one reply, in order per chat, so the n-th event of a kind in a chat belongs
to its n-th message. Stages of one reply:

    handle   the message's `app.handle` (its transaction: the reply is queued when it returns)
    queued   from there until a lane takes the row (claim, and waiting for a free lane)
    lane     from the lane taking it to asking the limiter for the message's slot (the previous question's
             buttons, the keyboard rows)
    limiter  waiting for the slot (the overall rate and the chat's interval)
    wire     from the slot to the platform taking the message (the HTTP request)

And the limiter's own view: every call it released per second (messages and the calls that are not messages:
edits taking buttons off, "typing…", menus), to tell a saturated limiter (releasing its limit every second,
the queue in the database) from one that idles while replies wait.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter, defaultdict

SAMPLE = 0.1  # seconds between looks at the lanes and the limiter
STAGES = ("handle", "queued", "lane", "limiter", "wire")


def _nth(times: list[float], index: int) -> float | None:
    return times[index] if index < len(times) else None


class Stages:
    def __init__(self) -> None:
        self.handled: dict[str, list[tuple[float, float]]] = defaultdict(list)  # (called, returned)
        self.taken: dict[str, dict[int, float]] = defaultdict(dict)  # row id → when a lane took it (the last time)
        self.asked: dict[str, list[float]] = defaultdict(list)  # of the send that reached the fake (not a 429's)
        self.slot: dict[str, list[float]] = defaultdict(list)
        self._latest: dict[str, tuple[float, float]] = {}  # the chat's latest (asked, slot)
        self.arrived: dict[str, list[float]] = defaultdict(list)
        self.releases: list[tuple[float, str]] = []  # (when, "message" | "other")
        self.delivering = 0  # rows in lanes right now
        self.samples: list[tuple[int, int, int]] = []  # every SAMPLE s: rows in lanes, limiter waiters, of them
        # waiting for their chat's interval
        self.backlog: list[int] = []  # every SAMPLE s: messages handled whose reply the platform has not taken
    def attach(self, app, limiter, fake) -> None:
        worker, acquire, answer = app.outbox, limiter.acquire, fake._m_sendMessage
        deliver = worker._deliver

        async def taken(row):
            self.taken[row.chat_id].pop(row.id, None)  # taken again after a 429: its latest attempt counts
            self.taken[row.chat_id][row.id] = time.monotonic()
            self.delivering += 1
            try:
                return await deliver(row)
            finally:
                self.delivering -= 1

        async def limited(chat_id, *, group=False, background=False):
            asked = time.monotonic()
            await acquire(chat_id, group=group, background=background)
            now = time.monotonic()
            self.releases.append((now, "other" if chat_id is None else "message"))
            if chat_id is not None:
                self._latest[chat_id] = (asked, now)

        async def arrived(params: dict, call) -> dict:  # when the fake took it, before any latency it adds
            chat = str(params.get("chat_id"))  # a chat's sends are one after another: its latest slot led here
            self.arrived[chat].append(time.monotonic())
            asked, slot = self._latest.get(chat, (0.0, 0.0))
            self.asked[chat].append(asked)
            self.slot[chat].append(slot)
            return await answer(params, call)

        worker._deliver, limiter.acquire, fake._m_sendMessage = taken, limited, arrived

    async def sample(self, limiter) -> None:
        """Until cancelled: how full the lanes are, and what the limiter's waiters wait for."""
        while True:
            now, due = limiter.clock(), limiter._next_chat
            chats = [w for w in limiter._waiting if w.chat_id is not None and due.get(w.chat_id, 0) > now]
            self.samples.append((self.delivering, len(limiter._waiting), len(chats)))
            self.backlog.append(sum(map(len, self.handled.values())) - self.replies())
            await asyncio.sleep(SAMPLE)

    def latencies(self) -> list[float]:
        return [arrived - called for chat, calls in self.handled.items()
                for (called, _), arrived in zip(calls, self.arrived.get(chat, []), strict=False)]

    def replies(self) -> int:
        return sum(map(len, self.arrived.values()))

    def breakdown(self) -> dict[str, list[float]]:
        spans: dict[str, list[float]] = {stage: [] for stage in STAGES}
        for chat, calls in self.handled.items():
            for n, (called, returned) in enumerate(calls):
                marks = [called, returned, _nth(list(self.taken[chat].values()), n), _nth(self.asked[chat], n),
                         _nth(self.slot[chat], n), _nth(self.arrived[chat], n)]
                if None in marks:
                    continue
                for stage, start, end in zip(STAGES, marks, marks[1:], strict=False):
                    spans[stage].append(end - start)
        return spans

    def per_second(self) -> tuple[list[int], list[int]]:
        """Calls the limiter released in each second from the first: messages, and the rest."""
        if not self.releases:
            return [], []
        first = self.releases[0][0]
        counts = Counter((int(at - first), kind) for at, kind in self.releases)
        seconds = range(int(self.releases[-1][0] - first) + 1)
        return [counts[s, "message"] for s in seconds], [counts[s, "other"] for s in seconds]

    def report(self) -> list[str]:
        lines = []
        for stage, spans in self.breakdown().items():
            if len(spans) >= 2:
                cuts = statistics.quantiles(spans, n=100)
                lines.append(f"  {stage:8} p50 {1000 * cuts[49]:7.0f} ms  p99 {1000 * cuts[98]:7.0f} ms  "
                             f"max {1000 * max(spans):7.0f} ms")
        if self.samples:
            lanes, waiters, chat_waits = zip(*self.samples, strict=True)
            full = 100 * sum(n >= max(lanes) for n in lanes) / len(lanes)
            lines.append(f"  sampled every {SAMPLE:g} s: rows in lanes mean {statistics.mean(lanes):.1f} "
                         f"(max {max(lanes)}, full {full:.0f} % of the time); limiter "
                         f"waiters mean {statistics.mean(waiters):.1f}, of them waiting for their chat's interval "
                         f"{statistics.mean(chat_waits):.1f}")
        messages, others = self.per_second()
        busy = [m + o for m, o in zip(messages, others, strict=True)]
        lines.append(f"  limiter released per second, messages + other calls (edits, typing…, menus): "
                     f"{' '.join(f'{m}+{o}' for m, o in zip(messages, others, strict=True))}")
        if busy:
            lines.append(f"  calls released: {sum(messages)} messages + {sum(others)} other; busiest second "
                         f"{max(busy)}, median second {statistics.median(busy):.0f}")
        return lines

    def timeline(self) -> list[str]:
        """Per second: the backlog (replies not yet at the platform) and the rows in lanes, both at most."""
        step = round(1 / SAMPLE)
        backlog = [max(self.backlog[i:i + step]) for i in range(0, len(self.backlog), step)]
        lanes = [max(sample[0] for sample in self.samples[i:i + step]) for i in range(0, len(self.samples), step)]
        return [f"  per second, backlog (max): {' '.join(map(str, backlog))}",
                f"  per second, rows in lanes (max): {' '.join(map(str, lanes))}"]
