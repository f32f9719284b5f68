"""Benchmark (not a test): `/tonghop năm` end to end on a real database, small commune vs 2,000 villages, and the
stall it causes for everyone else (issue 21.1 and 21.5; issue 20.3's loop lag).

    .venv/bin/python bench/bench_tonghop.py [--large 2000] [--per-unit 50] [--reporters 50] [--think 1] [--pg URL]
                                            [--modes 0,1] [--repeat 3]

For each commune size, in the same run: the demo commune grown to N villages × --per-unit reports over the year
(stored in a real SQLite file, or PostgreSQL with --pg), --reporters registered village heads filing reports
through `app.handle` at a human pace (each pauses an exponential --think seconds before each message), and the
chair asking `/tonghop năm` once they are all going. Timed: the chair's request to the text and the three files
queued (`app.handle`, then the render job woken by the commit, as in production); meanwhile the event loop's
lag (a 10 ms sleep's overshoot) and the reporters' per-message latency (their `app.handle`, which returns after
the commit), inside the /tonghop window and outside it ("out": the seconds before and after, the machine's own
noise). `--modes 0,1,2` runs each commune with RENDER_PROCESSES=0 (a thread), 1 (a worker process) and 2 (the
XLSX in a second worker meanwhile: summaries/parallel_files.py).
`--repeat N` builds the two databases once and runs N rounds of small then large on them, each round's ratio
printed with the load average before and after it. `--asks N` asks N times per round in the same bot (rows
"round.ask"): with a worker process, the first ask reads every report, the later ones only the changed ones
(storage/report_cache.py).
`--warm` runs the render warmer first, as the scheduler's first tick after a start would (summaries/warm.py):
the large commune's year is then in both workers' caches before the first ask; the small one is below its
threshold and read by the ask itself.
`--stages` prints where each /tonghop's time went (bench/tonghop_stages.py: each step from the chair's
message, the worker's calls with their CPU seconds).
Targets: large ≤ 2.5× small (issue 21.1); others' p99 ≤ 100 ms, loop lag ≤ 50 ms during it (issue 20.3).
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
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from loop_stalls import Probe
from sqlalchemy import insert
from support.app import VN, FakeClock, attach_recorder
from support.dashboard_data import answers_for
from support.pgdb import fresh_database
from tonghop_stages import Stages

from bot.app import create_app
from bot.demo import seed_demo
from bot.settings import Settings
from core.messages import Inbound
from storage.models import Identity, Person, Report, Unit

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)
CONVERSATION = ("bao cao", "ngay hoi dai doan ket toan dan toc",  # the form by name: ten messages, as before 15.7
                "hom qua", "Nha van hoa", "120 nguoi", "co", "bo qua", "bo qua", "bo qua", "1")
_ids = itertools.count(1)


def settings(url: str, processes: int) -> Settings:
    return Settings(_env_file=None, database_url=url, inbound_per_minute=0, render_processes=processes)


async def build(url: str, villages: int, per_unit: int, reporters: int) -> tuple[int, int]:
    app = await create_app(settings(url, 0), clock=FakeClock(NOW))
    async with app.db.transaction() as repos:
        commune = await seed_demo(repos, app.plan, NOW)
        staff = next(p for p in await repos.directory.people(commune.id) if p.role == "staff")
        demo_villages = [u for u in await repos.directory.units(commune.id) if u.kind == "village"]
        for n in range(reporters):
            person = await repos.directory.add(Person(commune_id=commune.id, unit_id=demo_villages[n % 2].id,
                                                      name=f"Trưởng thôn {n}", role="reporter", created_at=NOW))
            await repos.directory.add(Identity(person_id=person.id, channel="console", external_id=f"r{n}"))
        if villages:
            await repos.session.execute(insert(Unit), [{"commune_id": commune.id, "name": f"Thôn số {n:04d}",
                                                        "kind": "village", "active": True}
                                                       for n in range(villages)])
        units = [u for u in await repos.directory.units(commune.id) if u.kind == "village"]
    forms = [f for f in app.plan.forms if "village" in {str(k) for k in f.reporters}]
    rng = random.Random(5)
    rows = []
    for unit in units:
        for _ in range(per_unit):
            form = rng.choice(forms)
            day = date(app.plan.year, 1, 1) + timedelta(days=rng.randrange(0, 328))
            # change_seq 0: loaded before any reader saw the commune's report clock (as migration 0021 stamps
            # the reports already stored)
            rows.append({"commune_id": commune.id, "unit_id": unit.id, "person_id": staff.id, "form_id": form.id,
                         "activity_date": day, "created_at": NOW, "change_seq": 0,
                         "answers": answers_for(form, day, rng, unit_id=unit.id)})
    for start in range(0, len(rows), 5000):
        async with app.db.transaction() as repos:
            await repos.session.execute(insert(Report), rows[start:start + 5000])
    await app.close()
    return len(units), len(rows)


def timed(owner, name: str) -> list[float]:
    """Wrap owner.name (a coroutine method) to collect how long each call took."""
    spent, real = [], getattr(owner, name)

    async def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return await real(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    setattr(owner, name, wrapper)
    return spent


def inbound(sender: str, text: str) -> Inbound:
    return Inbound(channel="console", chat_id=sender, sender_id=sender, message_id=f"b{next(_ids)}",
                   received_at=NOW, kind="text", chat_kind="private", sender_name=sender, text=text)


async def reporter(app, name: str, think: float, rng: random.Random, stop: asyncio.Event,
                   latencies: list[tuple[float, float]]) -> None:
    while not stop.is_set():
        for text in CONVERSATION:
            await asyncio.sleep(rng.expovariate(1 / think))
            if stop.is_set():
                return
            started = time.perf_counter()
            await app.handle(inbound(name, text))
            latencies.append((started, time.perf_counter() - started))


async def scenario(url: str, processes: int, reporters: int, think: float, asks: int = 1,
                   stages: bool = False, warm: bool = False) -> list[dict]:
    app = await create_app(settings(url, processes), clock=FakeClock(NOW))
    attach_recorder(app)
    steps = Stages() if stages else None
    try:
        from summaries import chart, docx, xlsx  # noqa: F401  the renderers' imports (~1 s) are not the summary's
        if processes:
            for slot in range(processes):  # the pool's workers started, as after a first /tonghop
                await app.render_jobs.pool.run_on(slot, os.getpid)
        if warm:  # the scheduler's first tick after a start: large communes' years read by the workers ahead
            await app.render_jobs.warmer(app.clock())
            await app.render_jobs.warmer.settled()
        probe, stop, latencies = Probe(), asyncio.Event(), []
        rendering = timed(app.render_jobs, "render")  # the files' share of the time
        if steps is not None:
            steps.attach(app)
        tasks = [asyncio.create_task(probe.run())]
        tasks += [asyncio.create_task(reporter(app, f"r{n}", think, random.Random(n), stop, latencies))
                  for n in range(reporters)]
        await asyncio.sleep(max(2 * think, 2))  # everyone going
        windows = []
        for _ in range(asks):  # the first ask finds the worker's report cache empty (unless --warm), later ones full
            windows.append(await ask(app, rendering, steps))
            await asyncio.sleep(max(2 * think, 2))  # and after (the reporters file more reports meanwhile)
        stop.set()
        probe.running = False
        await asyncio.gather(*tasks)
        return [window_figures(window, latencies, probe) for window in windows]
    finally:
        await app.close()


async def ask(app, rendering: list[float], steps: Stages | None = None) -> dict:
    """The chair's /tonghop năm, until its text and three files are queued."""
    rendering.clear()
    started = time.perf_counter()
    await app.handle(inbound("chair", "/tonghop năm"))
    answered = time.perf_counter()
    await app.render_jobs.drain()  # waits for the run the commit woke, then anything left
    drained = time.perf_counter()
    async with app.db.transaction() as repos:
        queued = len(await repos.outbox.for_chat("console", "chair"))
    finished = time.perf_counter()
    stage_lines = [] if steps is None else steps.report(started, {
        "handle (the chair's message)": (started, answered), "drain": (answered, drained),
        "count the rows": (drained, finished)})
    return {"started": started, "answered": answered, "finished": finished, "queued": queued,
            "render": sum(rendering), "stages": stage_lines}


def window_figures(window: dict, latencies: list[tuple[float, float]], probe: Probe) -> dict:
    started, finished = window["started"], window["finished"]
    inside = [lat for at, lat in latencies if started <= at <= finished]
    outside = [lat for at, lat in latencies if not started <= at <= finished]
    lag_inside = [lag for at, lag in probe.samples if started <= at <= finished + 0.01]
    lag_outside = [lag for at, lag in probe.samples if not started <= at <= finished + 0.01]
    return {"total": finished - started, "handle": window["answered"] - started, "render": window["render"],
            "queued": window["queued"], "inside": inside, "outside": outside, "lag": lag_inside,
            "lag_out": lag_outside, "stages": window["stages"]}


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=20, help="villages added to the demo commune (small)")
    parser.add_argument("--large", type=int, default=2000, help="villages added to the demo commune (large)")
    parser.add_argument("--per-unit", type=int, default=50)
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--pg", default="", help="a PostgreSQL URL (postgresql+asyncpg://…/db) instead of SQLite")
    parser.add_argument("--modes", default="0,1", help="RENDER_PROCESSES values to compare (0: a thread)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds of small then large on the same databases")
    parser.add_argument("--asks", type=int, default=1,
                        help="/tonghop năm asked N times per round, one after the other in the same bot (round.ask: "
                             "the first finds the worker's cache of decoded reports empty, later ones warm)")
    parser.add_argument("--warm", action="store_true",
                        help="the render warmer run before the asks, as the scheduler's first tick after a start "
                             "(summaries/warm.py: a commune of 10,000 reports or more is read ahead; the small not)")
    parser.add_argument("--stages", action="store_true", help="where each /tonghop's time goes "
                                                                "(bench/tonghop_stages.py)")
    args = parser.parse_args()
    modes = [int(m) for m in args.modes.split(",")]
    results, loads = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        urls, sizes = {}, {}
        for label, villages in (("small", args.small), ("large", args.large)):
            urls[label] = (asyncio.run(fresh_database(args.pg, f"tonghop_{label}")) if args.pg
                           else f"sqlite+aiosqlite:///{tmp}/{label}.db")
            started = time.perf_counter()
            sizes[label] = asyncio.run(build(urls[label], villages, args.per_unit, args.reporters))
            print(f"({label}: {sizes[label][0]} villages, {sizes[label][1]} reports stored in "
                  f"{time.perf_counter() - started:.0f} s)")
        for round_ in range(1, args.repeat + 1):  # small and large alternate: the same load for both, roughly
            before = os.getloadavg()[0]
            for label in ("small", "large"):
                for mode in modes:
                    units, reports = sizes[label]
                    asked = asyncio.run(scenario(urls[label], mode, args.reporters, args.think, args.asks,
                                                 args.stages, args.warm))
                    for n, figures in enumerate(asked, 1):
                        results[(f"{round_}.{n}" if args.asks > 1 else str(round_), label, mode)] = {
                            "units": units, "reports": reports, **figures}
            loads[round_] = (before, os.getloadavg()[0])
    report(args, modes, results, loads)


def report(args, modes: list[int], results: dict, loads: dict) -> None:
    print(f"/tonghop năm, {'PostgreSQL' if args.pg else 'SQLite'}; {args.reporters} reporters at think "
          f"{args.think} s (≈ {args.reporters / args.think:.0f} msg/s offered); render: 0 = thread, N = processes")
    print(f"{'round':<6}{'commune':<8}{'render':>7}{'units':>7}{'reports':>9}{'e2e s':>8}{'render s':>9}"
          f"{'handle ms':>11}{'rows':>6}{'lag max ms':>12}{'lag p99':>9}{'max out':>9}{'others p50':>12}"
          f"{'p99 in':>8}{'max in':>8}{'p99 out':>9}")
    for (round_, label, mode), r in results.items():
        print(f"{round_:<6}{label:<8}{mode:>7}{r['units']:>7}{r['reports']:>9}{r['total']:>8.2f}{r['render']:>9.2f}"
              f"{r['handle'] * 1000:>11.1f}{r['queued']:>6}{max(r['lag'], default=0) * 1000:>12.0f}"
              f"{p(r['lag'], 0.99):>9.0f}{max(r['lag_out'], default=0) * 1000:>9.0f}"
              f"{p(r['inside'], 0.5):>12.1f}{p(r['inside'], 0.99):>8.0f}"
              f"{max(r['inside'], default=0) * 1000:>8.0f}{p(r['outside'], 0.99):>9.0f}")
    for (round_, label, mode), r in results.items():
        if r["stages"]:
            print(f"round {round_}, {label}, render {mode}: where the e2e time went")
            print("\n".join(r["stages"]))
    for key in dict.fromkeys((round_, mode) for round_, _, mode in results):
        round_, mode = key
        before, after = loads[int(round_.split(".")[0])]
        ratio = results[(round_, "large", mode)]["total"] / results[(round_, "small", mode)]["total"]
        print(f"round {round_}, render {mode}: large / small {ratio:.2f}× (target ≤ 2.5×); "
              f"load average {before:.1f} → {after:.1f}")


if __name__ == "__main__":
    main()
