"""What the event loop's thread is doing while the loop lags (bench/bench_tonghop.py --why).

A watchdog thread looks every few milliseconds at when the loop last ran a tick (`beat`, set by the loop's lag
probe); once that is older than `threshold`, it takes the loop thread's stack (sys._current_frames) and counts it by
its innermost frames in our code. A stack ending in the selector means the loop was idle yet not woken on time:
the process was not given the CPU (the machine's load), not our work. Python switches threads every 5 ms, so
Python-level work on the loop is sampled; a C call that keeps the GIL shows when it returns.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = str(Path(__file__).resolve().parent.parent)
IDLE = "(waiting in the selector: the loop had nothing to do, the process was not scheduled)"


def where(frame) -> str:
    """The innermost frames of our code (and the library call they are in), most recent last."""
    stack = traceback.extract_stack(frame)
    if stack and stack[-1].filename.endswith("selectors.py"):
        return IDLE
    ours = [f for f in stack if f.filename.startswith(ROOT) and "/.venv/" not in f.filename]
    tail = [f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} {f.name}" for f in ours[-3:]]
    if stack and stack[-1] not in ours:
        tail.append(f"… {Path(stack[-1].filename).name}:{stack[-1].lineno} {stack[-1].name}")
    return " > ".join(tail) or f"{Path(stack[-1].filename).name} {stack[-1].name}"


class Probe:
    """The event loop's lag: how late a 10 ms sleep wakes, with the time it was measured; each tick is also the
    stall watch's heartbeat when there is one."""

    def __init__(self, watch: StallWatch | None = None) -> None:
        self.samples: list[tuple[float, float]] = []
        self.watch, self.running = watch, True

    async def run(self) -> None:
        while self.running:
            started = time.perf_counter()
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            self.samples.append((now, now - started - 0.01))
            if self.watch is not None:
                self.watch.beat = now

    def between(self, start: float, end: float) -> list[float]:
        return [lag for at, lag in self.samples if start <= at <= end]


class StallWatch(threading.Thread):
    def __init__(self, threshold: float = 0.02, every: float = 0.005) -> None:
        super().__init__(daemon=True, name="stall-watch")
        self.loop_thread = threading.get_ident()  # made on the loop's thread
        self.threshold, self.every = threshold, every
        self.beat = time.perf_counter()
        self.seen: Counter[str] = Counter()
        self.running = True

    def run(self) -> None:
        while self.running:
            time.sleep(self.every)
            if time.perf_counter() - self.beat > self.threshold:
                frame = sys._current_frames().get(self.loop_thread)
                if frame is not None:
                    self.seen[where(frame)] += 1

    def report(self, top: int = 8) -> list[str]:
        total = sum(self.seen.values())
        return [f"  {count:5} samples ({count * self.every * 1000:.0f} ms) {100 * count / total:3.0f} %  {place}"
                for place, count in self.seen.most_common(top)]
