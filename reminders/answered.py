"""Which of a period's reminders were answered (issue 18.2: "reminders sent and answered this period").

A reminder goes only to a unit that has not reported what it asks for yet (reminders/planner.py), so it counts as
answered when the unit has reported it since — the planner's own test: its ReportIndex, the step's window and
mark — or when the village head asked for it later ("nhắc lại sau": a snooze of that reminder). Digests to the
chair are not answered by a report, and a reminder whose step is no longer in the plan cannot be judged: neither
is counted.
"""

from __future__ import annotations

from plan.schema import Plan
from reminders.config import ReminderConfig
from reminders.planner import DIGEST, schedule
from reminders.rules import ReportIndex
from reminders.tick import Loaded, load_snapshot
from storage.repositories import Repositories


async def answered_count(repos: Repositories, plan: Plan, config: ReminderConfig, commune_id: int,
                         sent_keys: list[str]) -> int:
    """How many of these sent reminders (ledger keys) were answered."""
    if not sent_keys:
        return 0
    loaded = await load_snapshot(repos, plan, commune_id)
    return count_answered(sent_keys, loaded, config, plan)


def count_answered(sent_keys: list[str], loaded: Loaded, config: ReminderConfig, plan: Plan) -> int:
    snapshot = loaded.snapshot
    steps = {step.base: step for step in schedule(plan, snapshot, config) if step.rule != DIGEST}
    unit_of = {person: unit for unit, people in snapshot.reporters.items() for person in people}
    index = ReportIndex(snapshot.reports)
    count = 0
    for key in sent_keys:
        base, recipient, _step = [*key.rsplit("|", 2), "", ""][:3]  # "rule|period|p<person>|<offset or snooze>"
        step = steps.get(base)
        person = int(recipient[1:]) if recipient[:1] == "p" and recipient[1:].isdigit() else None
        if step is None or person not in unit_of:
            continue
        later = f"{base}|{recipient}" in snapshot.snoozes
        count += later or index.reported(unit_of[person], step.done_by, *step.window)
    return count
