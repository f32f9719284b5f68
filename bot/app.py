"""The app factory: builds every part of the bot from settings, and nothing exists before it runs."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from handlers.context import HandlerSettings
from handlers.i18n import Translator
from handlers.pipeline import Pipeline
from plan.loader import load_plan
from plan.schema import Plan
from storage.db import Database

from bot.channels.base import Sender
from bot.outbox import OutboxWorker
from bot.settings import Settings

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    db: Database
    plan: Plan
    translator: Translator
    pipeline: Pipeline
    outbox: OutboxWorker
    clock: Clock
    senders: dict[str, Sender] = field(default_factory=dict)

    def add_sender(self, sender: Sender) -> None:
        self.senders[sender.channel] = sender
        self.outbox.senders[sender.channel] = sender

    async def close(self) -> None:
        await self.db.dispose()


async def create_app(settings: Settings, *, clock: Clock = system_clock, migrate: bool = True) -> App:
    """Build the app: database (migrated), plan, translations, the message pipeline and the outbox worker."""
    plan = load_plan(settings.plan_file)
    db = Database(settings.database_url)
    if migrate:
        await db.upgrade()
    translator = Translator(settings.locales_dir, settings.default_language)
    handler_settings = HandlerSettings(
        default_language=settings.default_language,
        conversation_ttl=timedelta(hours=settings.conversation_ttl_hours),
        invite_ttl=timedelta(days=settings.invite_ttl_days))
    pipeline = Pipeline(db, plan, translator, handler_settings, settings.tz, clock)
    outbox = OutboxWorker(db, {}, clock)
    return App(settings=settings, db=db, plan=plan, translator=translator, pipeline=pipeline, outbox=outbox,
               clock=clock)
