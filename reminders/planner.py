"""What is due when: a pure function of (plan, stored data, settings, now) → reminder occurrences.

Each occurrence has a unique key "rule|period|recipient|step"; the tick claims it in a ledger, so it is sent
once. Steps are planned per deadline (not per unit), so a tick only looks at units for the few steps whose
slot falls in (since, now].
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from plan.due import DueKind
from plan.periods import Period, deadlines, window_of
from plan.schema import Plan
from reminders.config import ReminderConfig
from reminders.rules import ReportIndex, UnitRef, done_mark, item_unit_kinds, quarterly_kinds

ITEM, QUARTER, INDICATOR, DIGEST = "item", "quarter", "indicator", "digest"


@dataclass(frozen=True)
class Snapshot:
    """The stored data of one commune that reminders depend on, loaded by the tick."""

    commune_id: int
    units: tuple[UnitRef, ...]
    reporters: Mapping[int, tuple[int, ...]]  # unit id → ids of the people who report for it
    chairs: tuple[int, ...] = ()  # person ids receiving the digests
    groups: tuple[int, ...] = ()  # registered group chats (Chat.id) receiving the digests
    reports: tuple[tuple[int, str, date], ...] = ()  # (unit id, form id, activity date) of live reports
    snoozes: Mapping[str, datetime] = field(default_factory=dict)  # key without its step → quiet until
    sessions: tuple[date, ...] = ()  # HĐND session dates
    claimed: frozenset[str] = frozenset()  # keys already in the ledger


@dataclass(frozen=True, slots=True)
class Step:
    """One rung of a ladder for one deadline: the same moment for every unit it concerns."""

    rule: str
    subject: str  # timeline item id, indicator id, or "" for the quarterly report
    period: str  # the deadline's period key: 2026-Q1, 2026-02, 2026, or a session date
    offset: int  # days from the deadline
    due: date  # the deadline (the cut-off for quarterly rules)
    slot: datetime  # when it may be sent: the offset day's first sending minute, moved past quiet days
    window: tuple[date, date]  # report dates that count as done
    form: str | None  # the activity that marks it done; None: any report
    kinds: frozenset[str]  # unit kinds it concerns
    mark: str | None = None  # what marks it done in the ReportIndex when not just `form` (a timeline filter)

    @property
    def done_by(self) -> str | None:
        return self.mark or self.form

    @property
    def base(self) -> str:
        return f"{self.rule}:{self.subject}|{self.period}" if self.subject else f"{self.rule}|{self.period}"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One message to one recipient; `action` is "send", or "skip" when it is too late after downtime."""

    key: str
    step: Step
    recipient: str  # "p<person id>" or "g<chat id>"
    unit_id: int | None  # the unit reminded (None for digests)
    slot: datetime
    action: str
    missing: tuple[int, ...] = ()  # digests: the units still missing


def schedule(plan: Plan, snapshot: Snapshot, config: ReminderConfig) -> list[Step]:
    """Every step of the plan year for this commune, in slot order."""
    steps = [*_item_steps(plan, snapshot, config), *_quarter_steps(plan, config)]
    return sorted(steps, key=lambda s: (s.slot, s.rule, s.subject, s.period, s.offset))


def _item_steps(plan: Plan, snapshot: Snapshot, config: ReminderConfig) -> Iterator[Step]:
    for item in plan.timeline:
        kinds = item_unit_kinds(plan, item)
        if not kinds:
            continue
        cutoff = plan.settings.period_cutoff
        # "Hằng quý" with no form of its own is the quarterly report: the `quarter` rule reminds its units,
        # so they get one quarterly deadline, not two; the chair still gets the digest of who is missing.
        ladder = () if item.due.kind is DueKind.EVERY_QUARTER and item.form is None else config.ladder
        for deadline in deadlines(item, plan.year, snapshot.sessions, cutoff):
            window = window_of(item, plan.year, deadline, snapshot.sessions, cutoff)
            for offset in (*ladder, config.digest_after_days):
                rule = DIGEST if offset == config.digest_after_days else ITEM
                yield Step(rule, item.id, deadline.period, offset, deadline.due,
                           _slot(config, deadline.due, offset), window, item.form, kinds, done_mark(item))


def _quarter_steps(plan: Plan, config: ReminderConfig) -> Iterator[Step]:
    lead = -config.quarter_lead_days
    coverage = [i for i in plan.indicators if i.aggregate.kind == "unit_coverage"]
    for number in range(1, 5):
        quarter = Period.quarter(plan.year, number, plan.settings.period_cutoff)
        cutoff = quarter.end  # the period's last day: its cut-off day, or the quarter's end
        slot = _slot(config, cutoff, lead)
        yield Step(QUARTER, "", quarter.key, lead, cutoff, slot, (quarter.start, quarter.end), None,
                   quarterly_kinds(plan))
        for indicator in coverage if number >= config.indicator_from_quarter else ():
            agg = indicator.aggregate
            yield Step(INDICATOR, indicator.id, quarter.key, lead, cutoff, slot, (date(plan.year, 1, 1), quarter.end),
                       agg.form, frozenset(k.value for k in agg.unit_kinds))


def _slot(config: ReminderConfig, due: date, offset: int) -> datetime:
    day = due + timedelta(days=offset)
    return config.calendar.next_slot(datetime.combine(day, config.calendar.start, tzinfo=config.calendar.tz))


def due(plan: Plan, snapshot: Snapshot, config: ReminderConfig, now: datetime,
        since: datetime | None = None, steps: list[Step] | None = None) -> list[Occurrence]:
    """Every unclaimed occurrence whose slot is in (since, now]; pass `steps` to reuse a schedule."""
    if not config.calendar.allows(now):
        return []  # nothing leaves in quiet hours; what is due waits for the next allowed tick
    steps = schedule(plan, snapshot, config) if steps is None else steps
    index = ReportIndex(snapshot.reports)
    by_kind: dict[str, list[UnitRef]] = {}
    for unit in snapshot.units:
        by_kind.setdefault(unit.kind, []).append(unit)
    found: list[Occurrence] = []
    for step in steps:
        if step.slot <= now and (since is None or step.slot > since):
            units = [u for kind in sorted(step.kinds) for u in by_kind.get(kind, ())]
            missing = [u for u in units if not index.reported(u.id, step.done_by, *step.window)]
            found.extend(_expand(step, missing, snapshot, config, now))
    found.extend(_snooze_repeats(steps, snapshot, index, config, now, since))
    return [o for o in found if o.key not in snapshot.claimed]


def _expand(step: Step, missing: list[UnitRef], snapshot: Snapshot, config: ReminderConfig,
            now: datetime) -> Iterator[Occurrence]:
    action = _action(step.slot, now, config)
    if step.rule == DIGEST:
        if missing:
            names = tuple(u.id for u in missing)
            for recipient in (*(f"p{p}" for p in snapshot.chairs), *(f"g{g}" for g in snapshot.groups)):
                yield Occurrence(f"{step.base}|{recipient}|{step.offset:+d}", step, recipient, None, step.slot,
                                 action, names)
        return
    for unit in missing:
        for person in snapshot.reporters.get(unit.id, ()):
            base = f"{step.base}|p{person}"
            quiet_until = snapshot.snoozes.get(base)
            if quiet_until is not None and step.slot < quiet_until:
                continue  # snoozed: the repeat after `quiet_until` replaces this step
            yield Occurrence(f"{base}|{step.offset:+d}", step, f"p{person}", unit.id, step.slot, action)


def _snooze_repeats(steps: list[Step], snapshot: Snapshot, index: ReportIndex, config: ReminderConfig,
                    now: datetime, since: datetime | None) -> Iterator[Occurrence]:
    """A snoozed reminder comes back once at the first slot after its snooze, unless it was done meanwhile."""
    by_base = {step.base: step for step in steps if step.rule != DIGEST}
    unit_of = {p: unit_id for unit_id, people in snapshot.reporters.items() for p in people}
    for base, until in snapshot.snoozes.items():
        step_base, _, recipient = base.rpartition("|")
        step, person = by_base.get(step_base), int(recipient[1:]) if recipient[1:].isdigit() else None
        slot = config.calendar.next_slot(until).astimezone(config.calendar.tz)
        if step is None or person not in unit_of or slot > now or (since is not None and slot <= since):
            continue
        if not index.reported(unit_of[person], step.done_by, *step.window):
            key = f"{base}|snooze{until.astimezone(config.calendar.tz):%Y%m%d%H%M}"
            yield Occurrence(key, step, recipient, unit_of[person], slot, _action(slot, now, config))


def _action(slot: datetime, now: datetime, config: ReminderConfig) -> str:
    return "skip" if now - slot > config.max_lateness else "send"


def next_moment(plan: Plan, snapshot: Snapshot, config: ReminderConfig, after: datetime,
                steps: list[Step] | None = None) -> datetime | None:
    """The first slot later than `after` at which something may become due (None: nothing left this year)."""
    steps = schedule(plan, snapshot, config) if steps is None else steps
    slots = [s.slot for s in steps if s.slot > after]
    slots += [slot for until in snapshot.snoozes.values() if (slot := config.calendar.next_slot(until)) > after]
    return min(slots, default=None)
