"""Benchmark (not a test): the CPU a /tonghop's worker spends per step on a 2,000-village year, in CPU seconds.

    .venv/bin/python bench/bench_worker_share.py [--large 2000] [--per-unit 50] [--repeat 5] [--db PATH]

bench/bench_tonghop.py times /tonghop end to end, which on a shared machine mostly measures the neighbours (at
load 8 a worker gets a quarter of a core). This times, in this one process and in CPU time (`time.process_time`),
what the render worker does for one /tonghop năm: read the year beside the writer (`summaries.load.read_snapshot`),
compile it, the chat text, the DOCX, the XLSX and the chart; the cyclic collector paused as in the worker. The
database is the large commune of bench_tonghop.py (built once; `--db` keeps it for the next run). Prints the
median and the minimum of --repeat runs per step, so two trees can be compared: run it with PYTHONPATH=<other
tree> for the other one.

The read is timed three ways each run, in this order (storage/report_cache.py): `read-old`, every report fetched
and decoded as before the cache; `read-cold`, through an emptied cache (a worker's first /tonghop); `read-warm`,
after --edits reports were edited (a later /tonghop: only those are fetched again). The later steps compile the
warm read's snapshot; "total" counts read-warm only. Also printed once: the cache's RSS for the whole year.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_tonghop import NOW, build, settings
from sqlalchemy import select
from support.app import FakeClock

from bot.app import create_app
from plan.periods import Period
from summaries.compile import compile_summary
from summaries.load import REPORTS, read_snapshot, snapshot_in
from summaries.render_text import text_before_files

STEPS = ("read-old", "read-cold", "read-warm", "compile", "text", "docx", "xlsx", "chart")
COUNTED = [step for step in STEPS if step not in ("read-old", "read-cold")]  # what a warm worker spends


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def edit_some(app, commune_id: int, count: int, rng: random.Random) -> None:
    """`count` reports of the year edited (their answers kept: only their revision moves), as between two
    /tonghop of a commune at work."""
    from storage.models import Report

    async with app.db.transaction() as repos:
        ids = (await repos.session.execute(select(Report.id).where(Report.commune_id == commune_id))).scalars().all()
        for report_id in rng.sample(list(ids), min(count, len(ids))):
            report = await repos.reports.get(report_id)
            await repos.reports.update_answers(report, dict(report.answers), report.activity_date, NOW)


async def timed_reads(app, commune_id: int, year: int, edits: int, rng: random.Random, spent: dict):
    started = time.process_time()
    old = await app.db.reader.run(lambda connection: snapshot_in(connection, commune_id, year))  # no cache
    spent["read-old"] = time.process_time() - started
    del old  # freeing the rows is not the read's (each timed step keeps its result)
    REPORTS.clear()
    started = time.process_time()
    cold = await read_snapshot(app.db.reader, commune_id, year)
    spent["read-cold"] = time.process_time() - started
    del cold
    await edit_some(app, commune_id, edits, rng)
    started = time.process_time()
    snapshot = await read_snapshot(app.db.reader, commune_id, year)
    spent["read-warm"] = time.process_time() - started
    return snapshot


async def one_run(app, commune_id: int, edits: int, rng: random.Random) -> dict[str, float]:
    from summaries.chart import render_chart
    from summaries.docx import render_docx
    from summaries.xlsx import render_xlsx

    plan, jobs = app.plan, app.render_jobs
    t = jobs.translator.for_language("vi")
    spent: dict[str, float] = {}
    snapshot = await timed_reads(app, commune_id, plan.year, edits, rng, spent)  # threads: process_time counts them
    started = time.process_time()

    def lap(step: str) -> None:
        nonlocal started
        now = time.process_time()
        spent[step], started = now - started, now

    summary = compile_summary(plan, snapshot, Period.parse_key(str(plan.year)), NOW, jobs.tz)
    lap("compile")
    text_before_files(summary, t, "vi")
    lap("text")
    render_docx(summary, plan, t, jobs.document)
    lap("docx")
    render_xlsx(summary, plan, t)
    lap("xlsx")
    render_chart(summary, t, "vi")
    lap("chart")
    return spent


async def measure(url: str, repeat: int, edits: int) -> list[dict[str, float]]:
    app = await create_app(settings(url, 0), clock=FakeClock(NOW))
    rng = random.Random(7)
    try:
        async with app.db.transaction() as repos:
            commune_id = (await repos.directory.communes())[0].id
        gc.collect()
        before = rss_mb()
        await read_snapshot(app.db.reader, commune_id, app.plan.year)
        gc.collect()
        print(f"cache: {sum(REPORTS.held().values())} reports, RSS +{rss_mb() - before:.0f} MB held after the read")
        await one_run(app, commune_id, edits, rng)  # imports and first-use costs are not a /tonghop's
        runs = []
        for _ in range(repeat):
            gc.collect()
            gc.disable()  # as summaries/gc_pause.py does in the worker
            try:
                runs.append(await one_run(app, commune_id, edits, rng))
            finally:
                gc.enable()
        return runs
    finally:
        await app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--large", type=int, default=2000)
    parser.add_argument("--per-unit", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--db", default="", help="an SQLite file to keep the commune in (built when missing)")
    parser.add_argument("--edits", type=int, default=20, help="reports edited between the cold and warm reads")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or f"{tmp}/large.db"
        url = f"sqlite+aiosqlite:///{path}"
        if not os.path.exists(path):
            units, reports = asyncio.run(build(url, args.large, args.per_unit, 0))
            print(f"({units} villages, {reports} reports)")
        load = os.getloadavg()[0]
        runs = asyncio.run(measure(url, args.repeat, args.edits))
    print(f"CPU seconds per step, {args.repeat} runs, {args.edits} edits before read-warm "
          f"(load average {load:.1f} → {os.getloadavg()[0]:.1f})")
    print(f"{'':<8}" + "".join(f"{step:>10}" for step in (*STEPS, "total")))
    for name, pick in (("median", statistics.median), ("min", min)):
        values = [pick([run[step] for run in runs]) for step in STEPS]
        totals = pick([sum(run[step] for step in COUNTED) for run in runs])
        print(f"{name:<8}" + "".join(f"{value:>10.3f}" for value in values) + f"{totals:>10.3f}")


if __name__ == "__main__":
    main()
