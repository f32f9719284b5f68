"""Time the pure reminder planner for 80,000 units (the whole country's villages); target < 2 s.

Run: .venv/bin/python bench/bench_reminders.py [units]
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

from plan.calendar import SendingCalendar
from plan.loader import SHIPPED_PLAN, load_plan
from reminders.config import ReminderConfig
from reminders.planner import Snapshot, due, schedule
from reminders.rules import UnitRef

VN = ZoneInfo("Asia/Ho_Chi_Minh")
KINDS = ("village",) * 6 + ("organisation", "party_cell", "board", "commune")


def snapshot(units: int) -> Snapshot:
    """Every unit with one reporter; a third of them reported something in Quý I."""
    refs = tuple(UnitRef(i, f"Đơn vị {i}", KINDS[i % len(KINDS)]) for i in range(1, units + 1))
    reports = tuple((i, "tuyen_truyen", date(2026, 2, 10)) for i in range(1, units + 1, 3))
    return Snapshot(commune_id=1, units=refs, reporters={i: (i,) for i in range(1, units + 1)}, chairs=(1,),
                    reports=reports)


def main(units: int = 80_000) -> float:
    plan = load_plan(SHIPPED_PLAN)
    config = ReminderConfig.build(plan, SendingCalendar(VN))
    data = snapshot(units)
    # The busiest morning of Quý I: the quarter's deadline day (steps of I.2, I.3 and I.6 for every unit).
    now, since = datetime(2026, 3, 31, 7, 30, tzinfo=VN), datetime(2026, 3, 30, 20, 0, tzinfo=VN)
    started = time.perf_counter()
    steps = schedule(plan, data, config)
    occurrences = due(plan, data, config, now, since, steps)
    elapsed = time.perf_counter() - started
    print(f"planned {len(occurrences):,} reminders for {units:,} units in {elapsed:.2f} s (target < 2 s)")
    return elapsed


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 80_000)
