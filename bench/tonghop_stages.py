"""Where a /tonghop's end-to-end time goes (bench/bench_tonghop.py --stages).

Wraps, on one app's instances only, the render job's steps in the bot's process (the claims, each call into the
render pool, queueing the text, storing the files) and, inside the worker, the function each pool call runs
(`in_worker` below, a module-level function the worker imports by name: it times the real one and sends its
wall and CPU seconds back with the result). `time.perf_counter` is CLOCK_MONOTONIC on Linux, one clock for every
process of the machine, so the worker's stamps line up with the bot's. Printed per /tonghop: each step's start
and length from the chair's message, and the gaps nobody's step covers (waiting for the CPU, the thread hops).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def in_worker(fn: Callable[..., Any], *args: Any) -> tuple[Any, float, float, float]:
    """`fn(*args)` in the worker, with when it started and ended there and the CPU seconds it took."""
    started, cpu = time.perf_counter(), time.process_time()
    result = fn(*args)
    return result, started, time.perf_counter(), time.process_time() - cpu


class Stages:
    def __init__(self) -> None:
        self.steps: list[tuple[str, float, float]] = []  # (name, start, end), perf_counter
        self.cpu: dict[str, float] = {}  # a worker step → its CPU seconds there

    def attach(self, app) -> None:
        jobs = app.render_jobs
        for name in ("_claim", "_claim_same", "_queue_text", "_deliver"):
            self._wrap(jobs, name, name.strip("_"))
        pool = jobs.pool
        if pool is None:
            return
        real_run_on = pool.run_on  # pool.run goes through it too

        async def run_on(slot, fn, *args):
            label = getattr(fn, "__name__", "call") + (f" @{slot}" if slot else "")  # @1: the second worker
            asked = time.perf_counter()
            result, started, ended, cpu = await real_run_on(slot, in_worker, fn, *args)
            returned = time.perf_counter()
            self.steps += [(f"to worker ({label})", asked, started), (f"worker: {label}", started, ended),
                           (f"back ({label})", ended, returned)]
            self.cpu[f"worker: {label}"] = cpu
            return result

        pool.run_on = run_on

    def _wrap(self, owner, attribute: str, label: str) -> None:
        real = getattr(owner, attribute)

        async def wrapper(*args, **kwargs):
            started = time.perf_counter()
            try:
                return await real(*args, **kwargs)
            finally:
                self.steps.append((label, started, time.perf_counter()))

        setattr(owner, attribute, wrapper)

    def between(self, start: float, end: float) -> list[tuple[str, float, float]]:
        return sorted((step for step in self.steps if start <= step[1] <= end), key=lambda step: step[1])

    def report(self, start: float, marks: dict[str, tuple[float, float]]) -> list[str]:
        """One line per step from `start` (the chair's message), with `marks` (the bench's own: handle, drain…)."""
        end = max(stop for _, stop in marks.values())
        steps = sorted([*self.between(start, end), *((name, a, b) for name, (a, b) in marks.items())],
                       key=lambda step: (step[1], -step[2]))
        lines = [f"    {'step':<34}{'from ms':>9}{'ms':>9}{'cpu ms':>9}"]
        for name, a, b in steps:
            cpu = f"{self.cpu[name] * 1000:>9.0f}" if name in self.cpu else ""
            lines.append(f"    {name:<34}{(a - start) * 1000:>9.1f}{(b - a) * 1000:>9.1f}{cpu}")
        covered = _covered([(a, b) for name, a, b in steps if name not in marks])
        lines.append(f"    {'(no step running)':<34}{'':>9}{(end - start - covered) * 1000:>9.1f}")
        return lines


def _covered(spans: list[tuple[float, float]]) -> float:
    total, reach = 0.0, float("-inf")
    for a, b in sorted(spans):
        if b > reach:
            total += b - max(a, reach)
            reach = b
    return total
