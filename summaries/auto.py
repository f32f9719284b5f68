"""The quarter-end summary: on the first working day after each quarter's cut-off, sent once to the
chair(s) and to the commune's registered groups. Exactly-once comes from outbox dedupe keys."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from functools import cache

from core.i18n import Translator
from core.messages import PRIORITY_SUMMARY, Reply
from core.roles import CHAIR
from plan.book import PlanBook
from plan.calendar import SendingCalendar
from plan.periods import Period, business_date
from plan.schema import Plan
from storage.addressing import Target, dedupe_key, enqueue_each
from storage.db import Database
from storage.models import Commune
from storage.repositories import Repositories
from summaries.compile import compile_summary
from summaries.load import read_snapshot
from summaries.model import DocumentSettings
from summaries.service import DOCUMENT_LANGUAGE, file_replies, store_files
from summaries.text_util import period_label
from summaries.worker_jobs import SummaryReady, summary_ready

log = logging.getLogger(__name__)
# (commune id, plan, period, now, languages) -> the summary's texts and files (RenderJobs.ready)
Ready = Callable[[int, Plan, Period, datetime, tuple[str, ...]], Awaitable[SummaryReady]]
CATCH_UP = timedelta(days=7)  # a bot that was down on the day still sends within this many days


def summary_key(commune_id: int, period: Period) -> str:
    """Per chat, the text's dedupe key is this plus `:channel:chat` (storage.addressing.dedupe_key)."""
    return f"summary:{commune_id}:{period.key}"


def due_quarter(plan: Plan, calendar: SendingCalendar, today: date) -> Period | None:
    """The quarter whose summary is due today: from the first working day after the period's end (the plan's
    one definition: its cut-off day, or the quarter's last day), for a week — so the report covers every day."""
    for number in range(1, 5):
        quarter = Period.quarter(plan.year, number, plan.settings.period_cutoff)
        first_day = calendar.first_working_day_after(quarter.end)
        if first_day <= today < first_day + CATCH_UP:
            return quarter
    return None


class QuarterlySummaryTicker:
    """Called every minute with `now`; does work only in the sending window and only for unsent recipients."""

    def __init__(self, db: Database, plans: Plan | PlanBook, translator: Translator, calendar: SendingCalendar,
                 document: DocumentSettings, default_language: str = "vi", ready: Ready | None = None) -> None:
        self.plans = plans if isinstance(plans, PlanBook) else PlanBook(plans)
        self.db, self.translator, self.calendar = db, translator, calendar
        self.document, self.default_language = document, default_language
        # The app passes RenderJobs.ready: read, compiled and rendered in a render worker, one render at a time.
        self.ready = ready or self._ready_here
        self.__name__ = "quarterly_summary"

    async def __call__(self, now: datetime) -> int:
        """How many recipients were sent the summary in this tick."""
        if not self.calendar.allows(now):
            return 0
        today = business_date(now, self.calendar.tz)
        async with self.db.transaction() as repos:
            communes = await repos.directory.communes()
        sent = 0
        for commune in communes:
            # the plan of the quarter that ended: in January, last year's Quý IV (plan/book.py)
            for plan in dict.fromkeys((self.plans.for_year(commune.id, today.year - 1),
                                       self.plans.for_day(commune.id, today))):
                period = due_quarter(plan, self.calendar, today)
                if period is not None:
                    sent += await self.send(commune, period, now, plan)
        return sent

    @property
    def plan(self) -> Plan:
        return self.plans.default

    async def send(self, commune: Commune, period: Period, now: datetime, plan: Plan | None = None) -> int:
        """Compile and queue the summary for this commune's recipients that have not had it yet."""
        plan = plan or self.plans.for_year(commune.id, period.year)
        async with self.db.transaction() as repos:
            key = summary_key(commune.id, period)
            pending = [r for r in await self._recipients(repos, commune.id)
                       if not await repos.outbox.exists(dedupe_key(key, r))]
            if not pending:
                return 0
        # between the two transactions, off the event loop and beside the writer
        made = await self.ready(commune.id, plan, period, now, tuple(sorted({r.language for r in pending})))
        async with self.db.transaction() as repos:
            files = await store_files(repos, made, made.rendered, now)

            @cache
            def messages(language: str) -> list[dict]:
                """The text, then the DOCX, XLSX and PNG, in one language."""
                t = self.translator.for_language(language)
                intro = t("summary.auto_intro", period=period_label(t, period))
                text = Reply(text=intro + "\n" + made.texts[language], language=language)
                return [reply.to_payload() for reply in (text, *file_replies(self.translator, files, language))]

            for index, suffix in enumerate(("", ":docx", ":xlsx", ":png")):  # per chat in this order
                await enqueue_each(repos.outbox, pending, lambda language, i=index: messages(language)[i],
                                   key=key, suffix=suffix, now=now, priority=PRIORITY_SUMMARY)
        log.info("quarterly summary %s of %s queued for %d chats", period.key, commune.name, len(pending))
        return len(pending)

    async def _ready_here(self, commune_id: int, plan: Plan, period: Period, now: datetime,
                          languages: tuple[str, ...]) -> SummaryReady:
        """Without render jobs (a ticker made on its own): read beside the writer, compile and render in a thread."""
        snapshot = await read_snapshot(self.db.reader, commune_id, plan.year)
        summary = await asyncio.to_thread(compile_summary, plan, snapshot, period, now, self.calendar.tz)
        return await asyncio.to_thread(summary_ready, summary, plan, self.translator, self.document, languages,
                                       DOCUMENT_LANGUAGE)

    async def _recipients(self, repos: Repositories, commune_id: int) -> list[Target]:
        """The chairs' private chats, then the registered groups that receive summaries."""
        return [*await repos.addresses.of_roles(commune_id, (CHAIR,)),
                *await repos.addresses.groups(commune_id, "summaries", self.default_language)]
