"""The petition-overdue ticker: tell a commune's staff, once, about each item unanswered past the deadline."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from core.i18n import Translator
from core.messages import PRIORITY_REMINDER, Reply
from plan import petition_lifecycle as life
from plan.calendar import SendingCalendar
from plan.periods import business_date
from storage.addressing import enqueue_each
from storage.db import Database
from storage.models import Petition
from storage.repositories import Repositories

log = logging.getLogger(__name__)
STAFF = ("admin", "chair", "staff")
BATCH = 200


class PetitionOverdueTicker:
    """Runs every scheduler tick; sends only inside sending hours, and each (item, chat) at most once."""

    __name__ = "petition_overdue"

    def __init__(self, db: Database, translator: Translator, calendar: SendingCalendar, answer_days: int) -> None:
        self.db, self.translator, self.calendar, self.answer_days = db, translator, calendar, answer_days

    async def __call__(self, now: datetime) -> int:
        """Queue the reminders due at `now`; returns how many outbox rows were added."""
        if not self.calendar.allows(now):
            return 0
        today = business_date(now, self.calendar.tz)
        received_before = today - timedelta(days=self.answer_days)  # received_on + days < today
        async with self.db.transaction() as repos:
            items = await repos.petitions.overdue_unnotified(received_before, BATCH)
            queued = 0
            for item in items:
                queued += await self._notify(repos, item, today, now)
        if queued:
            log.info("queued %d petition-overdue reminders for %d items", queued, len(items))
        return queued

    async def _notify(self, repos: Repositories, item: Petition, today, now: datetime) -> int:
        """One reminder per active private chat of the commune's staff; the item is then marked as told."""
        unit = await repos.directory.unit(item.unit_id)
        ref = life.reference(item.year, item.number)

        def notice(language: str) -> dict:
            t = self.translator.for_language(language)
            text = t("petition.overdue", ref=ref, days=(today - item.received_on).days, limit=self.answer_days,
                     unit=unit.name if unit else "", content=item.content,
                     status=t(f"petition.status.{item.status}"))
            return Reply(text=text, language=language).to_payload()

        queued = await enqueue_each(repos.outbox, await repos.addresses.of_roles(item.commune_id, STAFF), notice,
                                    key=f"petition-overdue:{item.id}", now=now, priority=PRIORITY_REMINDER)
        if not queued:
            log.warning("petition %s is overdue but its commune's staff have no chat to be told in", ref)
        await repos.petitions.update(item, now, overdue_notified_at=now)
        return queued
