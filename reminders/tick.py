"""The reminder job: load a commune's data, ask the planner what is due, send each recipient one message.

One message per recipient per moment, and at most one a day: everything due for a person at a tick goes out
as one message listing the items. Exactly once: every occurrence's key goes into the ledger in the same
transaction as the message's outbox rows (with the day's key, "day|p4|2026-09-08"), so a second process (or
a re-run after a crash) finds the keys taken and sends nothing. A recipient in the middle of a conversation,
or who already had a reminder message that day, is not interrupted: the occurrences are claimed as
"pending" with the time to try again (bundles.py), and go out then with whatever else is due. The
scheduler only ticks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from core.i18n import Translator
from core.messages import PRIORITY_REMINDER
from core.roles import CHAIR, REPORTING_ROLES
from plan.book import PlanBook
from plan.schema import Plan
from reminders.answers import FLOW, item_of, offer
from reminders.bundles import BUSY_RETRY, PENDING, by_recipient, day_key, next_day_start, revive, shown
from reminders.config import ReminderConfig
from reminders.planner import Occurrence, Snapshot, due, next_moment, schedule
from reminders.rules import UnitRef, filtered_forms, filtered_marks
from reminders.texts import item_line, render_bundle
from storage.addressing import Target, enqueue_each
from storage.db import Database
from storage.models import Chat, Person
from storage.repositories import Repositories

log = logging.getLogger(__name__)
# A conversation idle this long is closed at its next message (HandlerSettings.conversation_ttl), so it no
# longer holds a reminder back.
BUSY_WINDOW = timedelta(hours=72)


@dataclass
class Loaded:
    """A snapshot plus what is needed to address and word the messages."""

    snapshot: Snapshot
    people: dict[int, Person]
    unit_names: dict[int, str]
    groups: dict[int, Chat]


@dataclass
class TickSummary:
    """What one tick did, for logs and tests."""

    sent: int = 0  # occurrences claimed and queued
    skipped: int = 0  # too late after downtime: recorded, not sent
    unreachable: int = 0  # the recipient has no chat the bot can write to
    taken: int = 0  # claimed by another run first
    deferred: int = 0  # waiting for a recipient busy in a conversation, or already reminded today
    dropped: int = 0  # waited, and was reported meanwhile
    messages: int = 0  # outbox rows written
    keys: list[str] = field(default_factory=list)


async def load_snapshot(repos: Repositories, plan: Plan, commune_id: int) -> Loaded:
    """Everything the planner reads for one commune, in one transaction."""
    units = await repos.directory.units(commune_id)
    people = await repos.reminders.active_people(commune_id)
    reporters: dict[int, list[int]] = {}
    for person in people:
        if person.unit_id is not None and person.role in REPORTING_ROLES:
            reporters.setdefault(person.unit_id, []).append(person.id)
    groups = await repos.groups.groups_receiving(commune_id, "reminders")
    year = (date(plan.year, 1, 1), date(plan.year, 12, 31))
    marks = await repos.reminders.report_marks(commune_id, *year)
    marks += filtered_marks(plan, await repos.reminders.answered_marks(commune_id, *year, filtered_forms(plan)))
    snapshot = Snapshot(
        commune_id=commune_id, units=tuple(UnitRef(u.id, u.name, u.kind) for u in units),
        reporters={unit: tuple(ids) for unit, ids in reporters.items()},
        chairs=tuple(p.id for p in people if p.role == CHAIR), groups=tuple(g.id for g in groups),
        reports=tuple(marks), snoozes=await repos.reminders.snoozes(commune_id),
        sessions=tuple(await repos.reminders.sessions(commune_id)),
        claimed=await repos.reminders.claimed_keys(commune_id))
    all_units = await repos.directory.units(commune_id, active_only=False)
    return Loaded(snapshot, {p.id: p for p in people}, {u.id: u.name for u in all_units}, {g.id: g for g in groups})


class ReminderTicker:
    """Registered in app.tickers; `on_claimed` lets tests stop a run half-way, as a crash would."""

    __name__ = "reminders"

    def __init__(self, db: Database, plans: Plan | PlanBook, translator: Translator, config: ReminderConfig,
                 on_claimed: Callable[[list[Occurrence]], None] | None = None) -> None:
        self.plans = PlanBook.of(plans)
        self.db, self.translator, self.config = db, translator, config
        self.on_claimed = on_claimed

    async def __call__(self, now: datetime) -> TickSummary:
        summary = TickSummary()
        async with self.db.transaction() as repos:
            communes = [c.id for c in await repos.directory.communes()]
        for commune_id in communes:
            await self._tick_commune(commune_id, now, summary)
        if summary.sent or summary.skipped:
            log.info("reminders: %s sent, %s skipped, %s unreachable", summary.sent, summary.skipped,
                     summary.unreachable)
        return summary

    @property
    def plan(self) -> Plan:
        """PLAN_FILE's plan (what a commune without a stored plan of the year uses)."""
        return self.plans.default

    def plan_of(self, commune_id: int, now: datetime) -> Plan:
        """The commune's plan of the year `now` falls in (plan/book.py): its forms, deadlines and wording."""
        return self.plans.for_day(commune_id, now.astimezone(self.config.calendar.tz).date())

    async def _tick_commune(self, commune_id: int, now: datetime, summary: TickSummary) -> None:
        plan = self.plan_of(commune_id, now)
        if not self.config.calendar.allows(now) or not await self._anything_new(commune_id, now, plan):
            return  # the cursor stays put: slots passed in quiet hours are planned at the next allowed tick
        async with self.db.transaction() as repos:
            loaded = await load_snapshot(repos, plan, commune_id)
            since = await repos.reminders.cursor(commune_id)
            waiting = [key for key, at in (await repos.reminders.pending(commune_id)).items() if at <= now]
        steps = schedule(plan, loaded.snapshot, self.config)
        occurrences = due(plan, loaded.snapshot, self.config, now, since, steps)
        await self._record_skipped([o for o in occurrences if o.action == "skip"], commune_id, now, summary)
        revived, gone = revive(loaded.snapshot, steps, waiting)
        await self._drop(gone, now, summary)
        sends = [o for o in occurrences if o.action == "send"] + revived
        if sends:
            async with self.db.transaction() as repos:
                people = sorted({int(o.recipient[1:]) for o in sends if o.recipient.startswith("p")})
                targets = await repos.addresses.of_people(people)
            for recipient, occs in by_recipient(sends).items():
                await self._deliver(recipient, occs, set(waiting), loaded,
                                    self._targets_of(recipient, loaded, targets), now, summary, plan)
        async with self.db.transaction() as repos:
            await repos.reminders.advance_cursor(commune_id, now)

    async def _anything_new(self, commune_id: int, now: datetime, plan: Plan) -> bool:
        """Whether a slot passed since the last run, or something waiting may go now: most ticks (one a minute)
        stop here after four small reads."""
        async with self.db.transaction() as repos:
            since = await repos.reminders.cursor(commune_id)
            if since is None:
                return True
            waiting = await repos.reminders.next_pending(commune_id)
            light = Snapshot(commune_id, (), {}, snoozes=await repos.reminders.snoozes(commune_id),
                             sessions=tuple(await repos.reminders.sessions(commune_id)))
        upcoming = next_moment(plan, light, self.config, since)
        return (upcoming is not None and upcoming <= now) or (waiting is not None and waiting <= now)

    async def _drop(self, keys: list[str], now: datetime, summary: TickSummary) -> None:
        """Waiting occurrences no longer needed (reported meanwhile): closed in the ledger, never sent."""
        if keys:
            async with self.db.transaction() as repos:
                for key in keys:
                    summary.dropped += await repos.reminders.take_pending(key, status="done", now=now)

    async def _record_skipped(self, skips: list[Occurrence], commune_id: int, now: datetime,
                              summary: TickSummary) -> None:
        """Too late after downtime: recorded in one go (nothing is sent, so no outbox row to pair with)."""
        if not skips:
            return
        async with self.db.transaction() as repos:
            for occ in skips:
                if await repos.reminders.claim(occ.key, commune_id=commune_id, status="skipped", due_at=occ.slot,
                                               now=now):
                    summary.skipped += 1

    def _targets_of(self, recipient: str, loaded: Loaded, targets: dict[int, list[Target]]) -> list[Target]:
        number = int(recipient[1:])
        if recipient.startswith("g"):
            chat = loaded.groups.get(number)
            language = self.translator.default_language
            return [Target(chat.channel, chat.external_id, language, group=True)] if chat is not None else []
        return targets.get(number, [])

    async def _deliver(self, recipient: str, occs: list[Occurrence], waiting: set[str], loaded: Loaded,
                       targets: list[Target], now: datetime, summary: TickSummary, plan: Plan) -> None:
        """One transaction: the keys, the day's key, the outbox rows and the answer state — or a later try."""
        commune_id = loaded.snapshot.commune_id
        language = self._language(recipient, loaded)
        t = self.translator.for_language(language)
        today = now.astimezone(self.config.calendar.tz).date()
        async with self.db.transaction() as repos:
            if targets and await self._busy(repos, targets, now):
                await self._wait(repos, occs, waiting, commune_id, now + BUSY_RETRY, now, summary)
                return
            if targets and not await repos.reminders.claim(day_key(recipient, today), commune_id=commune_id,
                                                           status="sent", due_at=now, now=now):
                await self._wait(repos, occs, waiting, commune_id, next_day_start(self.config, now), now, summary)
                return
            status = "sent" if targets else "unreachable"
            claimed = [occ for occ in occs if await self._claim(repos, occ, waiting, commune_id, status, now)]
            summary.taken += len(occs) - len(claimed)
            if not claimed:
                return
            listed = shown(claimed)
            reply = render_bundle(listed, plan, t, language, loaded.unit_names, today)
            reply = replace(reply, meta={"reminders": [o.key for o in claimed]})  # listed once, all covered
            items = [item_of(o.key, o.unit_id, o.step.form, item_line(o, plan, t, language, loaded.unit_names))
                     for o in listed if o.unit_id is not None]
            await enqueue_each(repos.outbox, targets, lambda _language: reply.to_payload(),
                               key=f"remind:{claimed[0].key}", now=now, priority=PRIORITY_REMINDER)
            for target in targets:
                if items and target.sender_id:
                    state = offer(items, self.config.snooze_days, t)
                    await repos.conversations.save(target.channel, target.chat_id, target.sender_id, FLOW,
                                                   state.to_row(), now)
        summary.sent += len(claimed) if targets else 0
        summary.unreachable += 0 if targets else len(claimed)
        summary.messages += len(targets)
        summary.keys += [o.key for o in claimed]
        if self.on_claimed is not None:
            self.on_claimed(claimed)

    @staticmethod
    async def _claim(repos: Repositories, occ: Occurrence, waiting: set[str], commune_id: int, status: str,
                     now: datetime) -> bool:
        if occ.key in waiting:
            return await repos.reminders.take_pending(occ.key, status=status, now=now)
        return await repos.reminders.claim(occ.key, commune_id=commune_id, status=status, due_at=occ.slot, now=now)

    @staticmethod
    async def _wait(repos: Repositories, occs: list[Occurrence], waiting: set[str], commune_id: int,
                    until: datetime, now: datetime, summary: TickSummary) -> None:
        """Claim the occurrences as pending (already pending: try them again at `until`)."""
        for occ in occs:
            if occ.key in waiting:
                await repos.reminders.postpone(occ.key, until)
            elif not await repos.reminders.claim(occ.key, commune_id=commune_id, status=PENDING, due_at=until,
                                                 now=now):
                summary.taken += 1
                continue
            summary.deferred += 1

    @staticmethod
    async def _busy(repos: Repositories, targets: list[Target], now: datetime) -> bool:
        """Whether the recipient is in the middle of another conversation (a report half-filled, a broadcast…)."""
        for target in targets:
            current = (await repos.conversations.get(target.channel, target.chat_id, target.sender_id)
                       if target.sender_id else None)
            if current is not None and current.flow != FLOW and current.updated_at + BUSY_WINDOW > now:
                return True
        return False

    def _language(self, recipient: str, loaded: Loaded) -> str:
        person = loaded.people.get(int(recipient[1:])) if recipient.startswith("p") else None
        return person.language if person is not None else self.translator.default_language
