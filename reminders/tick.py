"""The reminder job: load a commune's data, ask the planner what is due, claim each occurrence once.

Exactly once: an occurrence's key goes into the ledger in the same transaction as its outbox rows, so a
second process (or a re-run after a crash) finds the key taken and sends nothing. The scheduler only ticks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from core.i18n import Translator
from core.messages import PRIORITY_REMINDER
from core.roles import CHAIR, REPORTING_ROLES
from plan.schema import Plan
from reminders.answers import FLOW, offer
from reminders.config import ReminderConfig
from reminders.planner import Occurrence, Snapshot, due, next_moment
from reminders.rules import UnitRef
from reminders.texts import render
from storage.addressing import Target, enqueue_each
from storage.db import Database
from storage.models import Chat, Person
from storage.repositories import Repositories

log = logging.getLogger(__name__)


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
    marks = await repos.reminders.report_marks(commune_id, date(plan.year, 1, 1), date(plan.year, 12, 31))
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

    def __init__(self, db: Database, plan: Plan, translator: Translator, config: ReminderConfig,
                 on_claimed: Callable[[Occurrence], None] | None = None) -> None:
        self.db, self.plan, self.translator, self.config = db, plan, translator, config
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

    async def _tick_commune(self, commune_id: int, now: datetime, summary: TickSummary) -> None:
        if not self.config.calendar.allows(now) or not await self._anything_new(commune_id, now):
            return  # the cursor stays put: slots passed in quiet hours are planned at the next allowed tick
        async with self.db.transaction() as repos:
            loaded = await load_snapshot(repos, self.plan, commune_id)
            since = await repos.reminders.cursor(commune_id)
        occurrences = due(self.plan, loaded.snapshot, self.config, now, since)
        await self._record_skipped([o for o in occurrences if o.action == "skip"], commune_id, now, summary)
        sends = [o for o in occurrences if o.action == "send"]
        if sends:
            async with self.db.transaction() as repos:
                people = sorted({int(o.recipient[1:]) for o in sends if o.recipient.startswith("p")})
                targets = await repos.addresses.of_people(people)
            for occ in sends:
                await self._claim_and_queue(occ, loaded, self._targets_of(occ, loaded, targets), now, summary)
        async with self.db.transaction() as repos:
            await repos.reminders.advance_cursor(commune_id, now)

    async def _anything_new(self, commune_id: int, now: datetime) -> bool:
        """Whether a slot passed since the last run: most ticks (one a minute) stop here after three reads."""
        async with self.db.transaction() as repos:
            since = await repos.reminders.cursor(commune_id)
            if since is None:
                return True
            light = Snapshot(commune_id, (), {}, snoozes=await repos.reminders.snoozes(commune_id),
                             sessions=tuple(await repos.reminders.sessions(commune_id)))
        upcoming = next_moment(self.plan, light, self.config, since)
        return upcoming is not None and upcoming <= now

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

    def _targets_of(self, occ: Occurrence, loaded: Loaded, targets: dict[int, list[Target]]) -> list[Target]:
        number = int(occ.recipient[1:])
        if occ.recipient.startswith("g"):
            chat = loaded.groups.get(number)
            language = self.translator.default_language
            return [Target(chat.channel, chat.external_id, language, group=True)] if chat is not None else []
        return targets.get(number, [])

    async def _claim_and_queue(self, occ: Occurrence, loaded: Loaded, targets: list[Target], now: datetime,
                               summary: TickSummary) -> None:
        """One transaction: the ledger row, the outbox rows and the answer state, or none of them."""
        commune_id = loaded.snapshot.commune_id
        language = self._language(occ, loaded)
        reply = render(occ, self.plan, self.translator.for_language(language), language, loaded.unit_names)
        async with self.db.transaction() as repos:
            status = "sent" if targets else "unreachable"
            if not await repos.reminders.claim(occ.key, commune_id=commune_id, status=status, due_at=occ.slot,
                                               now=now):
                summary.taken += 1
                return
            await enqueue_each(repos.outbox, targets, lambda _language: reply.to_payload(), key=f"remind:{occ.key}",
                               now=now, priority=PRIORITY_REMINDER)
            for target in targets:
                if occ.unit_id is not None and target.sender_id:
                    await self._offer_answers(repos, occ, target, language, now)
        summary.sent += bool(targets)
        summary.unreachable += not targets
        summary.messages += len(targets)
        summary.keys.append(occ.key)
        if self.on_claimed is not None:
            self.on_claimed(occ)

    def _language(self, occ: Occurrence, loaded: Loaded) -> str:
        person = loaded.people.get(int(occ.recipient[1:])) if occ.recipient.startswith("p") else None
        return person.language if person is not None else self.translator.default_language

    async def _offer_answers(self, repos: Repositories, occ: Occurrence, target: Target, language: str,
                             now: datetime) -> None:
        """Let "1"/"đã làm" and "2"/"nhắc lại sau" reach the reminder flow, unless a conversation is under way."""
        channel, chat_id, sender_id = target.channel, target.chat_id, target.sender_id
        current = await repos.conversations.get(channel, chat_id, sender_id)
        if current is not None and current.flow != FLOW:
            return  # never clobber a half-filled report
        t = self.translator.for_language(language)
        state = offer(occ.key, occ.unit_id, occ.step.form, self.config.snooze_days, t)
        await repos.conversations.save(channel, chat_id, sender_id, FLOW, state.to_row(), now)
