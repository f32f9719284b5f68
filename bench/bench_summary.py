"""Benchmark (not a test): compile and render a province-sized summary and a one-commune summary.

    .venv/bin/python bench/bench_summary.py [--units 2000] [--reports-per-unit 50] [--repeat 3]

Targets (docs/summaries.md): compile < 1 s for the province, < 50 ms for one commune.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.i18n import Translator
from plan.loader import SHIPPED_PLAN, load_plan
from plan.periods import Period
from plan.schema import FieldKind, Plan
from summaries.chart import render_chart
from summaries.compile import compile_summary
from summaries.docx import render_docx
from summaries.model import DocumentSettings, ReportRow, Snapshot, UnitInfo
from summaries.render_text import render_text
from summaries.xlsx import render_xlsx

VN = ZoneInfo("Asia/Ho_Chi_Minh")
KINDS = ("village",) * 6 + ("organisation", "organisation", "party_cell", "board")  # a commune's mix


def dataset(plan: Plan, units: int, per_unit: int, seed: int = 7) -> Snapshot:
    """`units` units of a commune's mix, each with `per_unit` reports spread over the plan year."""
    rng = random.Random(seed)
    unit_rows = tuple(UnitInfo(n, f"Đơn vị số {n}", KINDS[n % len(KINDS)]) for n in range(1, units + 1))
    baselines = {}
    for unit in unit_rows:
        if unit.kind == "village":
            baselines[(unit.id, "poor_households")] = rng.randint(3, 20)
            baselines[(unit.id, "near_poor_households")] = rng.randint(2, 12)
    baselines[(1, "cadres_to_train")] = 40 * max(1, units // 30)
    reports, number = [], 0
    for unit in unit_rows:
        forms = plan.forms_for(unit.kind) or list(plan.forms)
        for _ in range(per_unit):
            number += 1
            form = rng.choice(forms)
            day = date(plan.year, 1, 1) + timedelta(days=rng.randrange(365))
            reports.append(ReportRow(number, unit.id, form.id, day, _answers(form, day, rng)))
    return Snapshot("Tỉnh mẫu", "Thái Nguyên", plan.year, unit_rows, baselines, tuple(reports))


def _answers(form, day: date, rng: random.Random) -> dict:
    answers: dict = {form.date_field: day.isoformat()}
    for field in form.fields:
        if field.kind is FieldKind.NUMBER:
            answers[field.id] = rng.randint(field.min or 0, min(field.max or 500, 500))
        elif field.kind is FieldKind.CHOICE:
            answers[field.id] = rng.choice(field.options).id
        elif field.kind is FieldKind.YESNO:
            answers[field.id] = rng.random() < 0.5
        elif field.kind is FieldKind.TEXT:
            answers[field.id] = "Nội dung hoạt động mẫu"
    return answers


def timed(label: str, call, repeat: int):
    """Best of `repeat` runs, wall clock and this process's CPU time (the CPU figure is fair on a busy host)."""
    best_wall = best_cpu = float("inf")
    result = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = call()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    print(f"{label:<44} {best_wall * 1000:10.1f} ms wall {best_cpu * 1000:10.1f} ms cpu")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--reports-per-unit", type=int, default=50)
    parser.add_argument("--commune-units", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    plan = load_plan(SHIPPED_PLAN)
    t = Translator(Path(__file__).resolve().parent.parent / "locales").for_language("vi")
    now, quarter = datetime(2026, 12, 20, 9, 0, tzinfo=VN), Period.quarter(2026, 4)
    province = dataset(plan, args.units, args.reports_per_unit)
    commune = dataset(plan, args.commune_units, args.reports_per_unit)
    print(f"province: {len(province.units)} units, {len(province.reports)} reports; "
          f"commune: {len(commune.units)} units, {len(commune.reports)} reports")
    timed("compile, one commune, Q4 (+ year to date)", lambda: compile_summary(plan, commune, quarter, now),
          args.repeat)
    big = timed("compile, province, Q4 (+ year to date)", lambda: compile_summary(plan, province, quarter, now),
                args.repeat)
    timed("compile, province, year", lambda: compile_summary(plan, province, Period(2026, "year"), now),
          args.repeat)
    small = compile_summary(plan, commune, quarter, now)
    for label, summary in (("commune", small), ("province", big)):
        timed(f"render text, {label}", lambda s=summary: render_text(s, t), args.repeat)
        timed(f"render docx, {label}", lambda s=summary: render_docx(s, plan, t, DocumentSettings()), 1)
        timed(f"render xlsx, {label}", lambda s=summary: render_xlsx(s, plan, t), 1)
        render_chart(small, t)  # the first call pays matplotlib's import
        timed(f"render png, {label}", lambda s=summary: render_chart(s, t), 1)


if __name__ == "__main__":
    main()
