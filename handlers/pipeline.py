"""Inbound → dedupe → handlers → outbox, in one transaction per message."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers import router
from handlers.context import Context, HandlerSettings, PhotoFetcher
from handlers.forms import awaits_photo
from handlers.i18n import Translator
from handlers.messages import Inbound, Reply
from plan.schema import Plan
from storage.db import Database
from storage.repositories import Repositories

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


class Pipeline:
    """Handles each inbound message exactly once and queues every reply in the same transaction."""

    def __init__(self, db: Database, plan: Plan, translator: Translator, settings: HandlerSettings,
                 tz: ZoneInfo, clock: Clock) -> None:
        self.db, self.plan, self.translator, self.settings = db, plan, translator, settings
        self.tz, self.clock = tz, clock

    async def process(self, inbound: Inbound, fetch_photo: PhotoFetcher | None = None) -> bool:
        """Handle one message; False when it was already handled (a replayed update)."""
        inbound = await self._with_photo(inbound, fetch_photo)
        now = self.clock()
        try:
            async with self.db.transaction() as repos:
                if not await repos.ledger.claim(inbound.channel, inbound.message_id, now):
                    log.info("skipping replayed update %s/%s", inbound.channel, inbound.message_id)
                    return False
                ctx = await self._context(repos, inbound, now)
                await router.handle(ctx)
                await self._queue(repos, inbound, ctx.replies, now)
            return True
        except Exception:
            # The user must never meet silence: record the update and apologise in a fresh transaction.
            log.exception("failed to handle update %s/%s", inbound.channel, inbound.message_id)
            return await self._apologise(inbound, now)

    async def _context(self, repos: Repositories, inbound: Inbound, now: datetime) -> Context:
        person = await repos.directory.person_by_identity(inbound.channel, inbound.sender_id)
        if person is not None and not person.active:
            person = None
        ctx = Context(inbound=inbound, repos=repos, plan=self.plan, now=now, tz=self.tz,
                      translator=self.translator, settings=self.settings, person=person)
        if person is not None:
            ctx.commune = await repos.directory.commune(person.commune_id)
            await repos.chats.remember(inbound.channel, inbound.chat_id, inbound.chat_kind,
                                       person_id=person.id if inbound.chat_kind == "private" else None,
                                       commune_id=person.commune_id, title=inbound.chat_title or None)
            await self._load_conversation(ctx)
        return ctx

    async def _load_conversation(self, ctx: Context) -> None:
        inbound = ctx.inbound
        row = await ctx.repos.conversations.get(inbound.channel, inbound.chat_id, inbound.sender_id)
        if row is None:
            return
        if row.updated_at + self.settings.conversation_ttl < ctx.now:
            await ctx.forget()
            ctx.say(ctx.t("conversation.expired", hours=int(self.settings.conversation_ttl.total_seconds() // 3600)))
            return
        ctx.flow, ctx.state = row.flow, dict(row.state)

    async def _queue(self, repos: Repositories, inbound: Inbound, replies: list[Reply], now: datetime) -> None:
        for number, reply in enumerate(replies):
            await repos.outbox.enqueue(channel=inbound.channel, chat_id=inbound.chat_id, payload=reply.to_payload(),
                                       dedupe_key=f"reply:{inbound.channel}:{inbound.message_id}:{number}", now=now)

    async def _apologise(self, inbound: Inbound, now: datetime) -> bool:
        try:
            async with self.db.transaction() as repos:
                await repos.ledger.claim(inbound.channel, inbound.message_id, now)
                language = await self._language_of(repos, inbound)
                t = self.translator.for_language(language)
                await self._queue(repos, inbound, [Reply(text=t("err.internal"), language=language)], now)
        except Exception:
            log.exception("could not even record the failure of %s/%s", inbound.channel, inbound.message_id)
        return True

    async def _language_of(self, repos: Repositories, inbound: Inbound) -> str:
        """The sender's language (as Context.language decides it), so even the apology is understood."""
        person = await repos.directory.person_by_identity(inbound.channel, inbound.sender_id)
        if person is not None and person.active:
            return person.language
        return "en" if (inbound.language_hint or "").startswith("en") else self.settings.default_language

    async def _with_photo(self, inbound: Inbound, fetch_photo: PhotoFetcher | None) -> Inbound:
        """Download a photo before the transaction, and only when a form is waiting for one."""
        if inbound.photo is None or inbound.photo.content is not None or fetch_photo is None:
            return inbound
        async with self.db.transaction() as repos:
            row = await repos.conversations.get(inbound.channel, inbound.chat_id, inbound.sender_id)
        if row is None or not awaits_photo(self.plan, row.state):
            return inbound
        try:
            content = await fetch_photo(inbound.photo)
        except Exception:
            log.warning("could not fetch photo for %s/%s", inbound.channel, inbound.message_id)
            content = None
        if content is None:
            return inbound
        return replace(inbound, photo=replace(inbound.photo, content=content))
