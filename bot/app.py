"""The app factory: builds every part of the bot from settings, and nothing exists before it runs."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from pydantic import SecretStr

from bot.channels.base import ChannelHost, Sender
from bot.channels.health import ChannelHealth
from bot.links import link_secret
from bot.outbox import OutboxWorker
from bot.plans import PlanStore, with_answer_days
from bot.retention import RetentionTicker
from bot.settings import Settings
from bot.web import WebServer
from bot.working import WorkingSignal
from core.i18n import Translate, Translator
from core.messages import MEMBERSHIP_KINDS, Inbound
from handlers.commands import menu_commands
from handlers.context import HandlerSettings, PhotoFetcher
from handlers.pipeline import Pipeline
from plan.book import PlanBook
from plan.loader import load_plan_cached
from plan.periods import business_date
from plan.schema import Plan
from reminders.config import ReminderConfig, config_from_settings
from reminders.petition_overdue import PetitionOverdueTicker
from reminders.plan_notice import NextYearPlanNotice
from reminders.tick import ReminderTicker
from storage.db import Database, DatabaseUnwritable, is_database_fault, short_reason
from summaries.auto import QuarterlySummaryTicker
from summaries.jobs import WAKE as RENDER_JOBS
from summaries.jobs import RenderJobs
from summaries.render_pool import RenderPool

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
Ticker = Callable[[datetime], Awaitable[object]]
SectionT = TypeVar("SectionT")


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    db: Database
    plan: Plan  # PLAN_FILE's: the plan the demo and a first commune start with
    translator: Translator
    pipeline: Pipeline
    outbox: OutboxWorker
    clock: Clock
    web: WebServer
    render_jobs: RenderJobs  # /tonghop's files, rendered after the message's commit (summaries/jobs.py)
    reminder_config: ReminderConfig  # its calendar is the one every ticker sends by
    senders: dict[str, Sender] = field(default_factory=dict)
    tickers: list[Ticker] = field(default_factory=list)  # run every minute by the scheduler with `now`
    plans: PlanBook | None = None  # each commune's plan of each year (plan/book.py), PLAN_FILE's as the default
    plan_store: PlanStore | None = None  # keeps `plans` as stored (`mttq-bot plan load`)
    outbox_wake: asyncio.Event = field(default_factory=asyncio.Event)
    channel_health: dict[str, ChannelHealth] = field(default_factory=dict)  # the running channels' (bot/liveness.py)
    working: WorkingSignal = field(init=False)  # "typing…" while a reply is slow or a summary renders

    def __post_init__(self) -> None:
        self.working = WorkingSignal(self.senders, after=self.settings.working_indicator_seconds)
        self.render_jobs.busy = functools.partial(self.working.shown, after=0)  # a render is slow: say so at once

    def speech(self) -> Translate:
        """What the command line says, in the deployment's language (DEFAULT_LANGUAGE), like the bot's answers."""
        return self.translator.for_language(self.settings.default_language)

    async def handle(self, inbound: Inbound, fetch_photo: PhotoFetcher | None = None) -> bool:
        """Run one inbound message through the pipeline and wake the outbox to send the replies."""
        shown = self.working.shown(inbound.channel, inbound.chat_id) if _answered(inbound) else contextlib.nullcontext()
        async with shown:
            handled = await self.pipeline.process(inbound, fetch_photo)
        self.outbox_wake.set()
        return handled

    async def tick(self) -> None:
        """One scheduler tick: every ticker, with the same `now`; one failing ticker does not stop the rest."""
        now = self.clock()
        await self._prepare_holidays(now)
        for ticker in self.tickers:
            try:
                await ticker(now)
            except Exception as exc:
                name = getattr(ticker, "__name__", type(ticker).__name__)
                if is_database_fault(exc):  # the operator's to fix; one line a tick, no traceback
                    log.warning("ticker %s failed: database: %s", name, short_reason(exc))
                else:
                    log.exception("ticker %s failed", name)
        self.outbox_wake.set()

    def channel_host(self, section: SectionT) -> ChannelHost[SectionT]:
        """What a channel adapter gets of the app: the narrow port, with its own settings section."""
        return ChannelHost(handle=self.handle, transaction=self.db.transaction, clock=self.clock,
                           translator=self.translator, tz=self.settings.tz, settings=section, web=self.web,
                           max_photo_bytes=self.pipeline.settings.max_photo_bytes, commands=menu_commands())

    async def _prepare_holidays(self, now: datetime) -> None:
        """This year's and next year's holidays, computed in a thread the first time: the `holidays` package
        takes about 0.5 s to import, which would otherwise hold up the messages of the first tick's loop."""
        year = business_date(now, self.settings.tz).year
        holidays = self.reminder_config.calendar.holidays
        for missing in holidays.missing(year, year + 1):
            await asyncio.to_thread(holidays.of_year, missing)

    def add_sender(self, sender: Sender) -> None:
        self.senders[sender.channel] = sender
        self.outbox.senders[sender.channel] = sender

    def committed(self, woken: set[str]) -> None:
        """The pipeline's after-commit hook: start the background work a message queued, without waiting for it."""
        if RENDER_JOBS in woken:
            self.render_jobs.wake()

    async def close(self) -> None:
        await self.render_jobs.close()
        await self.db.dispose()


async def create_app(settings: Settings, *, clock: Clock = system_clock, migrate: bool = True) -> App:
    """Build the app: database (migrated), plan, translations, the message pipeline and the outbox worker."""
    plan = with_answer_days(load_plan_cached(str(settings.plan_file)), settings.petition_answer_days)
    db = await open_database(settings.database_url, clock, migrate=migrate)
    plans = PlanBook(plan)
    plan_store = PlanStore(db, plans, settings.petition_answer_days)
    await plan_store.refresh()
    translator = Translator(settings.locales_dir, settings.default_language)
    handler_settings = HandlerSettings(
        default_language=settings.default_language,
        conversation_ttl=timedelta(hours=settings.conversation_ttl_hours),
        invite_ttl=timedelta(days=settings.invite_ttl_days),
        public_base_url=settings.public_base_url)
    pipeline = Pipeline(db, plans, translator, handler_settings, settings.tz, clock,
                        inbound_per_minute=settings.inbound_per_minute)
    outbox = OutboxWorker(db, {}, clock, lanes=settings.outbox_lanes,
                          stale_reply=timedelta(seconds=settings.stale_reply_seconds))
    web = WebServer(db, clock, host=settings.web_host, port=settings.web_port,
                    public_base_url=settings.public_base_url,
                    link_secret=link_secret(_secret(settings.file_link_secret), _secret(settings.webhook_secret)))
    document = settings.document_settings()
    pool = RenderPool(plan, translator, document, locales_dir=settings.locales_dir,
                      processes=settings.render_processes, timeout=settings.render_timeout_seconds)
    render_jobs = RenderJobs(db, plans, translator, document, settings.tz, clock, pool=pool)
    calendar = settings.sending_calendar()  # one for every ticker: sending hours, holidays, Sundays
    reminder_config = config_from_settings(settings, plan, calendar)
    app = App(settings=settings, db=db, plan=plan, translator=translator, pipeline=pipeline, outbox=outbox,
              clock=clock, web=web, render_jobs=render_jobs, reminder_config=reminder_config, plans=plans,
              plan_store=plan_store)
    render_jobs.on_queued = app.outbox_wake.set
    _add_dashboard(app)
    _add_liveness(app)
    pipeline.after_commit = app.committed
    app.tickers.append(plan_store)  # first: a plan loaded since the last tick is what the others use
    app.tickers.append(PetitionOverdueTicker(db, translator, calendar, settings.petition_answer_days))
    app.tickers.append(ReminderTicker(db, plans, translator, reminder_config))
    app.tickers.append(NextYearPlanNotice(db, plans, translator, calendar))
    app.tickers.append(QuarterlySummaryTicker(db, plans, translator, calendar, document, settings.default_language,
                                              ready=render_jobs.ready))
    app.tickers.append(render_jobs)  # what a crash left between a message's commit and its render
    if render_jobs.warmer is not None:  # large communes' reports read by the render workers before a /tonghop
        app.tickers.append(render_jobs.warmer)
    app.tickers.append(RetentionTicker(db, settings.tz, outbox_days=settings.outbox_retention_days,
                                       ledger_days=settings.ledger_retention_days))
    return app


def _add_liveness(app: App) -> None:
    """/healthz's per-channel report, and the admins told when a channel is down and when it is back."""
    from bot.liveness import OutageNotices, liveness

    app.web.liveness = lambda: liveness(app)
    app.tickers.append(OutageNotices(app))


def _answered(inbound: Inbound) -> bool:
    """Whether the person may be waiting for an answer: a message in a private chat, or one addressed to the bot
    in a group (not a membership change, nor group chatter the bot ignores)."""
    return inbound.kind not in MEMBERSHIP_KINDS and (inbound.chat_kind == "private" or inbound.mentioned)


def _add_dashboard(app: App) -> None:
    """The read-only web dashboard's routes on the same web server (bot/dashboard/)."""
    from bot.dashboard import register
    from bot.dashboard.routes import Dashboard, secure_cookie_for

    settings, web = app.settings, app.web

    def photo_link(file_id: int, name: str) -> str | None:
        url = web.file_url(file_id, name, ttl=PHOTO_LINK_TTL)
        return url and url.removeprefix(settings.public_base_url or "")  # same origin: relative links

    dashboard = Dashboard(
        db=app.db, plan=app.plan, translator=app.translator, tz=settings.tz, clock=app.clock,
        session_ttl=timedelta(hours=settings.web_session_hours),
        secure_cookie=secure_cookie_for(settings.public_base_url), render_files=app.render_jobs.files_of,
        file_link=photo_link, petition_answer_days=settings.petition_answer_days,
        zalo_quota=settings.zalo_monthly_quota, plans=app.plans, reminder_config=app.reminder_config)
    register(web.app, dashboard)
    if settings.public_base_url:  # the dashboard is reachable: keep province viewers' rows warm
        from bot.dashboard.province_cache import ProvinceWarmer

        app.tickers.append(ProvinceWarmer(app.db, dashboard.plans, dashboard.province_rows, settings.tz,
                                          dashboard.current_period))


PHOTO_LINK_TTL = timedelta(hours=1)  # a photo link on a dashboard page outlives the page view, not the session


async def open_database(url: str, clock: Clock, *, migrate: bool) -> Database:
    """The database, migrated, and proven to take a write: a read-only file, an unwritable folder or a server that
    is down stops start-up here with DatabaseUnwritable (one line from the CLI), not at the first message."""
    db = None
    try:
        db = Database(url)
        if migrate:
            await db.upgrade()
        await db.heartbeat(clock())
    except Exception as exc:
        if db is not None:
            await db.dispose()
        if isinstance(exc, DatabaseUnwritable) or is_database_fault(exc):
            raise DatabaseUnwritable(short_reason(exc)) from None
        raise
    return db


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None
