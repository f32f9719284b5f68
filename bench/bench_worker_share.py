"""Benchmark (not a test): the CPU a /tonghop's worker spends per step on a 2,000-village year, in CPU seconds.

    .venv/bin/python bench/bench_worker_share.py [--large 2000] [--per-unit 50] [--repeat 5] [--db PATH]

bench/bench_tonghop.py times /tonghop end to end, which on a shared machine mostly measures the neighbours (at
load 8 a worker gets a quarter of a core). This times, in this one process and in CPU time (`time.process_time`),
what the render worker does for one /tonghop năm: read the year beside the writer (`summaries.load.read_snapshot`),
compile it, the chat text, the DOCX, the XLSX and the chart; the cyclic collector paused as in the worker. The
database is the large commune of bench_tonghop.py (built once; `--db` keeps it for the next run). Prints the
median and the minimum of --repeat runs per step, so two trees can be compared: run it with PYTHONPATH=<other
tree> for the other one.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_tonghop import NOW, build, settings
from support.app import FakeClock

from bot.app import create_app
from plan.periods import Period
from summaries.compile import compile_summary
from summaries.load import read_snapshot
from summaries.render_text import text_before_files

STEPS = ("read", "compile", "text", "docx", "xlsx", "chart")


async def one_run(app, commune_id: int) -> dict[str, float]:
    from summaries.chart import render_chart
    from summaries.docx import render_docx
    from summaries.xlsx import render_xlsx

    plan, jobs = app.plan, app.render_jobs
    t = jobs.translator.for_language("vi")
    spent, started = {}, time.process_time()

    def lap(step: str) -> None:
        nonlocal started
        now = time.process_time()
        spent[step], started = now - started, now

    snapshot = await read_snapshot(app.db.reader, commune_id, plan.year)  # a thread: process_time counts it
    lap("read")
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


async def measure(url: str, repeat: int) -> list[dict[str, float]]:
    app = await create_app(settings(url, 0), clock=FakeClock(NOW))
    try:
        async with app.db.transaction() as repos:
            commune_id = (await repos.directory.communes())[0].id
        await one_run(app, commune_id)  # imports and first-use costs are not a /tonghop's
        runs = []
        for _ in range(repeat):
            gc.collect()
            gc.disable()  # as summaries/gc_pause.py does in the worker
            try:
                runs.append(await one_run(app, commune_id))
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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or f"{tmp}/large.db"
        url = f"sqlite+aiosqlite:///{path}"
        if not os.path.exists(path):
            units, reports = asyncio.run(build(url, args.large, args.per_unit, 0))
            print(f"({units} villages, {reports} reports)")
        load = os.getloadavg()[0]
        runs = asyncio.run(measure(url, args.repeat))
    print(f"CPU seconds per step, {args.repeat} runs (load average {load:.1f} → {os.getloadavg()[0]:.1f})")
    print(f"{'':<8}" + "".join(f"{step:>9}" for step in (*STEPS, "total")))
    for name, pick in (("median", statistics.median), ("min", min)):
        values = [pick([run[step] for run in runs]) for step in STEPS]
        totals = pick([sum(run.values()) for run in runs])
        print(f"{name:<8}" + "".join(f"{value:>9.2f}" for value in values) + f"{totals:>9.2f}")


if __name__ == "__main__":
    main()
