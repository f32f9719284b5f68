"""One message per recipient per moment: grouping what is due, and bringing back what had to wait.

Pure functions over the planner's occurrences. An occurrence that could not go out when due (its recipient
was in the middle of a report, or already had a reminder message that day) stays in the ledger as
"pending" with the time it may go; `revive` turns such keys back into occurrences at that time, or says
they are no longer needed (reported meanwhile, or the step left the plan).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from reminders.config import ReminderConfig
from reminders.planner import DIGEST, Occurrence, Snapshot, Step
from reminders.rules import ReportIndex

PENDING = "pending"  # ledger status: claimed, waiting for its recipient
BUSY_RETRY = timedelta(minutes=15)  # a recipient in the middle of a conversation is tried again this much later


def by_recipient(occurrences: Iterable[Occurrence]) -> dict[str, list[Occurrence]]:
    """What each recipient gets at this moment: items for their unit first (by deadline), then digests."""
    grouped: dict[str, list[Occurrence]] = {}
    for occ in occurrences:
        grouped.setdefault(occ.recipient, []).append(occ)
    return {recipient: sorted(occs, key=lambda o: (o.unit_id is None, o.step.due, o.key))
            for recipient, occs in sorted(grouped.items())}


def shown(occs: list[Occurrence]) -> list[Occurrence]:
    """The items a message lists: one per reminder (a step that waited and a later step of it show once)."""
    latest: dict[tuple[str, int | None], Occurrence] = {}
    for occ in occs:
        key = (occ.step.base, occ.unit_id)
        if key not in latest or occ.slot >= latest[key].slot:
            latest[key] = occ
    return [occ for occ in occs if latest[(occ.step.base, occ.unit_id)] is occ]


def day_key(recipient: str, day: date) -> str:
    """The ledger key that allows one reminder message per recipient per day (claimed with the message)."""
    return f"day|{recipient}|{day.isoformat()}"


def next_day_start(config: ReminderConfig, now: datetime) -> datetime:
    """The first sending minute after today: where a second message of the day is folded."""
    calendar = config.calendar
    tomorrow = now.astimezone(calendar.tz).date() + timedelta(days=1)
    return calendar.next_slot(datetime.combine(tomorrow, time(0, 0), tzinfo=calendar.tz))


def revive(snapshot: Snapshot, steps: list[Step], keys: Iterable[str]) -> tuple[list[Occurrence], list[str]]:
    """Pending keys → (occurrences still worth sending, keys no longer needed)."""
    by_offset = {(s.base, f"{s.offset:+d}"): s for s in steps}
    by_base = {s.base: s for s in steps if s.rule != DIGEST}
    unit_of = {person: unit for unit, people in snapshot.reporters.items() for person in people}
    units = {u.id: u for u in snapshot.units}
    index = ReportIndex(snapshot.reports)
    alive, gone = [], []
    for key in keys:
        base, recipient, last = key.rsplit("|", 2)
        step = by_base.get(base) if last.startswith("snooze") else by_offset.get((base, last))
        occ = _revived(key, step, recipient, unit_of, units, index) if step is not None else None
        (alive.append(occ) if occ is not None else gone.append(key))
    return alive, gone


def _revived(key: str, step: Step, recipient: str, unit_of: dict[int, int], units: dict, index: ReportIndex
             ) -> Occurrence | None:
    if step.rule == DIGEST:
        missing = tuple(u.id for u in units.values()
                        if u.kind in step.kinds and not index.reported(u.id, step.done_by, *step.window))
        return Occurrence(key, step, recipient, None, step.slot, "send", missing) if missing else None
    unit = unit_of.get(int(recipient[1:])) if recipient[1:].isdigit() else None
    # done_by, as the planner judges: a row with a `where` is done by the activity it names, not by its form alone
    if unit is None or index.reported(unit, step.done_by, *step.window):
        return None
    return Occurrence(key, step, recipient, unit, step.slot, "send")
