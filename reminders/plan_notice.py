"""In December, the commune's staff and chair are told once if next year's plan is not loaded yet.

Without it the bot would go on with this year's forms and deadlines from 1 January (plan/book.py), so the
people who can get it loaded hear about it in time. Once per commune and year: the occurrence key
`plan-missing:<commune>:<year>` is claimed in the reminder ledger like every reminder's.
"""

from __future__ import annotations

from datetime import datetime

from core.i18n import Translator
from core.messages import PRIORITY_REMINDER, Reply
from core.roles import ADMIN, CHAIR, STAFF
from plan.book import PlanBook
from plan.calendar import SendingCalendar
from plan.periods import business_date
from storage.addressing import enqueue_each
from storage.db import Database
from storage.models import Commune

NOTICE_MONTH = 12
TOLD = (CHAIR, STAFF, ADMIN)


def notice_key(commune_id: int, year: int) -> str:
    return f"plan-missing:{commune_id}:{year}"


class NextYearPlanNotice:
    """A ticker: does anything only in December, in sending hours, for communes without next year's plan."""

    __name__ = "plan_notice"

    def __init__(self, db: Database, plans: PlanBook, translator: Translator, calendar: SendingCalendar) -> None:
        self.db, self.plans, self.translator, self.calendar = db, plans, translator, calendar

    async def __call__(self, now: datetime) -> int:
        today = business_date(now, self.calendar.tz)
        if today.month != NOTICE_MONTH or not self.calendar.allows(now):
            return 0
        async with self.db.transaction() as repos:
            communes = [c for c in await repos.directory.communes() if not self.plans.has_year(c.id, today.year + 1)]
        told = 0
        for commune in communes:
            told += await self._tell(commune, today.year + 1, now)
        return told

    async def _tell(self, commune: Commune, year: int, now: datetime) -> int:
        key = notice_key(commune.id, year)
        current = self.plans.for_year(commune.id, year - 1).year
        async with self.db.transaction() as repos:
            targets = await repos.addresses.of_roles(commune.id, TOLD)
            if not targets or not await repos.reminders.claim(key, commune_id=commune.id, status="sent",
                                                               due_at=now, now=now):
                return 0  # nobody to tell yet (they may register later in December), or told already

            def payload(language: str) -> dict:
                text = self.translator.for_language(language)("plan_notice.next_year", year=year,
                                                              commune=commune.name, current=current)
                return Reply(text=text, language=language).to_payload()

            return await enqueue_each(repos.outbox, targets, payload, key=key, now=now, priority=PRIORITY_REMINDER)
