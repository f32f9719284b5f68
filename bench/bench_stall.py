"""Benchmark (not a test): does a province-size `/tonghop năm` stall the bot? (issue 20.3)

    .venv/bin/python bench/bench_stall.py [--villages 2000] [--per-unit 50] [--reporters 200] [--think 4]
                                          [--repeat 3] [--processes 1] [--pg URL] [--nice 0,10] [--why]

The demo commune grown by --villages × --per-unit reports over the year (bench_tonghop's database), then for each
round, in one app: the event loop's lag (how late a 10 ms sleep wakes) measured (1) idle, nothing else running —
the machine's own noise, printed with the load average so a loaded machine shows; (2) with --reporters village
heads at a human pace (an exponential --think s before each message: reporters ÷ think msg/s); (3) the same while
the chair's `/tonghop năm` runs, from the request until its text and files are queued. In (2) and (3) also the
reporters' message latency (`app.handle`, which returns after the commit). --processes: RENDER_PROCESSES (0: a
thread in the bot); --nice: the render workers' niceness, several to alternate in each round; --why [MS]: what the
loop's thread was doing whenever it lagged more than MS (20) ms (bench/loop_stalls.py).
Targets (issue 20.3): during the render, lag ≤ 50 ms and message p99 ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_tonghop import NOW, build, inbound, p, reporter, settings
from loop_stalls import Probe, StallWatch
from support.app import FakeClock, attach_recorder
from support.pgdb import fresh_database

from bot.app import create_app

IDLE_SECONDS = 3.0


async def one_round(url: str, processes: int, reporters: int, think: float, why: float, nice: int | None) -> dict:
    app = await create_app(settings(url, processes), clock=FakeClock(NOW))
    attach_recorder(app)
    if nice is not None and app.render_jobs.pool is not None:
        app.render_jobs.pool.nice = nice
    watch = StallWatch(why / 1000) if why else None
    try:
        from summaries import chart, docx, xlsx  # noqa: F401  the renderers' imports (~1 s) are not the summary's
        if processes:
            await app.render_jobs.pool.run(os.getpid)  # the pool started, as after a first /tonghop
        probe, stop, latencies = Probe(watch), asyncio.Event(), []
        tasks = [asyncio.create_task(probe.run())]
        idle_from = time.perf_counter()
        await asyncio.sleep(IDLE_SECONDS)
        busy_from = time.perf_counter()
        tasks += [asyncio.create_task(reporter(app, f"r{n}", think, random.Random(n), stop, latencies))
                  for n in range(reporters)]
        await asyncio.sleep(max(2 * think, 3))
        started = time.perf_counter()
        if watch is not None:
            watch.beat = started
            watch.start()
        await app.handle(inbound("chair", "/tonghop năm"))
        await app.render_jobs.drain()  # waits for the run the commit woke, then anything left
        finished = time.perf_counter()
        if watch is not None:
            watch.running = False
        stop.set()
        probe.running = False
        await asyncio.gather(*tasks)
        return {"seconds": finished - started, "idle": probe.between(idle_from, busy_from),
                "busy": probe.between(busy_from + think, started), "during": probe.between(started, finished),
                "busy_msgs": [lat for at, lat in latencies if at < started],
                "during_msgs": [lat for at, lat in latencies if started <= at <= finished],
                "why": watch.report() if watch is not None else []}
    finally:
        await app.close()


def line(label: str, lags: list[float], messages: list[float] | None) -> str:
    text = f"    {label:<22} lag p99 {p(lags, 0.99):5.0f} ms, max {p(lags, 1.0):5.0f} ms"
    if messages is not None:
        text += f"; messages {len(messages):5}, p50 {p(messages, 0.5):5.0f} ms, p99 {p(messages, 0.99):5.0f} ms"
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--villages", type=int, default=2000)
    parser.add_argument("--per-unit", type=int, default=50)
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--think", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--processes", type=int, default=1, help="RENDER_PROCESSES (0: render in a thread)")
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (postgresql+asyncpg://…/db) instead of SQLite")
    parser.add_argument("--nice", default="", help="render workers' niceness to compare, e.g. 0,10 (default: the "
                        "bot's)")
    parser.add_argument("--why", type=float, nargs="?", const=20.0, default=0.0,
                        help="sample the loop's stack whenever it lags more than this many ms (20 when not given)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = asyncio.run(fresh_database(args.pg, "stall")) if args.pg else f"sqlite+aiosqlite:///{tmp}/stall.db"
        units, reports = asyncio.run(build(url, args.villages, args.per_unit, args.reporters))
        print(f"{'PostgreSQL' if args.pg else 'SQLite'}: {units} villages, {reports} reports; {args.reporters} "
              f"reporters at think {args.think:g} s (≈ {args.reporters / args.think:.0f} msg/s); RENDER_PROCESSES "
              f"{args.processes}; {os.cpu_count()} CPUs")
        nices = [int(n) for n in args.nice.split(",")] if args.nice else [None]
        for round_, nice in itertools.product(range(1, args.repeat + 1), nices):
            load = os.getloadavg()
            r = asyncio.run(one_round(url, args.processes, args.reporters, args.think, args.why, nice))
            print(f"  round {round_}{'' if nice is None else f', workers at nice {nice}'}: /tonghop năm "
                  f"{r['seconds']:.1f} s; load average {load[0]:.1f} → {os.getloadavg()[0]:.1f}")
            print(line("idle (the machine)", r["idle"], None))
            print(line("reporters", r["busy"], r["busy_msgs"]))
            print(line("reporters + /tonghop", r["during"], r["during_msgs"]))
            if r["why"]:
                print(f"    the loop's thread while it lagged > {args.why:g} ms:\n" + "\n".join(r["why"]))
    print("targets (issue 20.3): during /tonghop, lag ≤ 50 ms and message p99 ≤ 100 ms")


if __name__ == "__main__":
    main()
