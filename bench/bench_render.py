"""Benchmark (not a test): the summary files, a commune's and a province-size year's (issue 20.4).

    .venv/bin/python bench/bench_render.py [--units 2000] [--reports-per-unit 50] [--commune-units 30] [--repeat 3]
                                           [--unique-texts]

Prints seconds (best of --repeat; wall clock and this process's CPU time, the fair figure on a busy host) for
the DOCX, the XLSX and the PNG chart of one commune's quarter and year (30 units × 50 reports a year) and of a
province-size year (2,000 units × 50 reports, one summary); the DOCX and XLSX of the province viewer's
side-by-side summary (--communes communes of 20 units); then a commune's three files together as the render job
makes them (summaries.service.render_files).
The synthetic reports all say "Nội dung hoạt động mẫu": their XLSX holds ~2,000 distinct strings. Real reports'
texts differ from one another; --unique-texts makes every text answer unique (~170,000 distinct strings in the
province-size XLSX), the harder case for the file's shared string table.
Targets (issue 20.4): province year DOCX ≤ 2 s, XLSX ≤ 1 s; a commune's three files together ≤ 1 s.
matplotlib's first import (~1 s) is paid before timing, as a render worker does once.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_summary import VN, dataset  # the same synthetic communes as bench_summary

from core.i18n import Translator
from plan.loader import SHIPPED_PLAN, load_plan
from plan.periods import Period
from plan.schema import FieldKind
from summaries.chart import render_chart
from summaries.compile import compile_summary
from summaries.docx import render_docx
from summaries.model import DocumentSettings
from summaries.province import compile_province
from summaries.render_province import render_province_docx, render_province_xlsx
from summaries.service import render_files
from summaries.xlsx import render_xlsx

LOCALES = Path(__file__).resolve().parent.parent / "locales"


def timed(label: str, call, repeat: int) -> float:
    """Best of `repeat`: prints wall and CPU seconds and the output's size; returns the best wall time."""
    best_wall = best_cpu = float("inf")
    size = 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        size = sum(len(part) for part in result) if isinstance(result, tuple) else len(result)
    print(f"{label:<48} {best_wall:7.2f} s wall {best_cpu:7.2f} s cpu {size / 1e6:8.2f} MB", flush=True)
    return best_wall


def unique_texts(plan, snapshot):
    """Every text answer different, as real reports' are: "… (báo cáo số N)"."""
    texts = {f.id for form in plan.forms for f in form.fields if f.kind is FieldKind.TEXT}
    reports = tuple(r._replace(answers={k: f"{v} (báo cáo số {r.id})" if k in texts else v
                                        for k, v in r.answers.items()}) for r in snapshot.reports)
    return dataclasses.replace(snapshot, reports=reports)


def _files(rendered) -> tuple[bytes, bytes, bytes]:
    return rendered.docx, rendered.xlsx, rendered.png


def side_by_side(plan, communes: int, units: int, per_unit: int, now: datetime):
    """The province viewer's summary: `communes` communes of `units` units each, one row per commune."""
    snapshots = [(n, dataclasses.replace(dataset(plan, units, per_unit, seed=n), commune_name=f"Xã số {n}"))
                 for n in range(1, communes + 1)]
    return compile_province(plan, lambda _commune: plan, "Tỉnh mẫu", snapshots, Period(2026, "year"), now, VN)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--reports-per-unit", type=int, default=50)
    parser.add_argument("--commune-units", type=int, default=30)
    parser.add_argument("--communes", type=int, default=100, help="communes side by side (20 units each)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--unique-texts", action="store_true", help="every report's text answers different")
    args = parser.parse_args()
    plan = load_plan(SHIPPED_PLAN)
    translator = Translator(LOCALES, "vi")
    t = translator.for_language("vi")
    settings = DocumentSettings()
    now, year, quarter = datetime(2026, 12, 20, 9, 0, tzinfo=VN), Period(2026, "year"), Period.quarter(2026, 4)
    commune = dataset(plan, args.commune_units, args.reports_per_unit)
    province = dataset(plan, args.units, args.reports_per_unit)
    if args.unique_texts:
        commune, province = unique_texts(plan, commune), unique_texts(plan, province)
    summaries = {"commune, Q4": compile_summary(plan, commune, quarter, now),
                 "commune, year": compile_summary(plan, commune, year, now),
                 "province-size, year": compile_summary(plan, province, year, now)}
    print(f"commune: {len(commune.units)} units, {len(commune.reports)} reports; province-size: "
          f"{len(province.units)} units, {len(province.reports)} reports "
          f"({len(summaries['province-size, year'].activities)} in the year)", flush=True)
    render_chart(summaries["commune, Q4"], t)  # matplotlib's import, once per worker
    for label, summary in summaries.items():
        timed(f"{label}: docx", lambda s=summary: render_docx(s, plan, t, settings), args.repeat)
        timed(f"{label}: xlsx", lambda s=summary: render_xlsx(s, plan, t), args.repeat)
        timed(f"{label}: png", lambda s=summary: render_chart(s, t), args.repeat)
    province_rows = side_by_side(plan, args.communes, 20, args.reports_per_unit, now)
    label = f"side by side, {args.communes} communes, year"
    timed(f"{label}: docx", lambda: render_province_docx(province_rows, plan, t), args.repeat)
    timed(f"{label}: xlsx", lambda: render_province_xlsx(province_rows, t), args.repeat)
    for label in ("commune, Q4", "commune, year"):
        timed(f"{label}: the three files (render_files)",
              lambda s=summaries[label]: _files(render_files(s, plan, translator, settings)), args.repeat)


if __name__ == "__main__":
    main()
