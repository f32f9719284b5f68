"""Inbound → dedupe → handlers → outbox, in one transaction per message or per batch of messages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from core.flowstate import FlowState, StateUnreadable
from core.i18n import Translator
from core.messages import MEMBERSHIP_KINDS, PRIORITY_REPLY, PRIORITY_STRANGER, Inbound, NotRecorded, Reply
from core.sanitize import log_safe, one_line, strip_invisible
from handlers import router
from handlers.batching import Batcher
from handlers.commands import read_state
from handlers.context import Context, HandlerSettings, PhotoFetcher
from handlers.forms import awaits_photo
from handlers.rate import SenderRate, Verdict
from plan.book import PlanBook
from plan.periods import business_date
from plan.schema import Plan
from storage.arrivals import Arrival
from storage.db import Database, is_database_fault, short_reason
from storage.models import Conversation
from storage.repositories import Repositories

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


# A batch holds what queued while the previous one ran. SQLite has one writer, so one batch at a time;
# PostgreSQL runs two side by side (each its own transaction and connection): at 200 reporters flat out two
# gave 681 msg/s and four 508 (more batches at once only interleave on the one event loop).
MAX_BATCH = 32
PARALLEL_BATCHES = {"sqlite": 1, "postgresql": 2}


def reply_priority(ctx: Context) -> int:
    """A registered person's replies go first and always; a stranger's wait behind everything and come out of the
    part of Zalo's budget that is not reserved for registered people and reminders (bot/channels/zalo/quota.py)."""
    return PRIORITY_REPLY if ctx.person is not None else PRIORITY_STRANGER


def cleaned(inbound: Inbound) -> Inbound:
    """The platform's text without control, bidi-override, zero-width characters or NUL, before anything stores or
    echoes it (a NUL breaks PostgreSQL text; an override makes an echoed name read as something else)."""
    fields = {"chat_id": one_line(inbound.chat_id), "sender_id": one_line(inbound.sender_id),
              "message_id": one_line(inbound.message_id), "sender_name": one_line(inbound.sender_name),
              "chat_title": one_line(inbound.chat_title), "text": strip_invisible(inbound.text)}
    if inbound.choice is not None:
        fields["choice"] = one_line(inbound.choice)
    changed = {name: value for name, value in fields.items() if value != getattr(inbound, name)}
    return replace(inbound, **changed) if changed else inbound


class Pipeline:
    """Handles each inbound message exactly once and queues every reply in the same transaction."""

    def __init__(self, db: Database, plans: Plan | PlanBook, translator: Translator, settings: HandlerSettings,
                 tz: ZoneInfo, clock: Clock, *, inbound_per_minute: int = 0) -> None:
        self.plans = PlanBook.of(plans)
        self.db, self.translator, self.settings = db, translator, settings
        self.tz, self.clock = tz, clock
        self.rate = SenderRate(inbound_per_minute)
        self.after_commit: Callable[[set[str]], None] | None = None  # the app: wake what a commit queued
        self._batcher: Batcher[Inbound, bool | NotRecorded] = Batcher(self._handle_batch, max_batch=MAX_BATCH,
                                                         parallel=PARALLEL_BATCHES.get(db.dialect, 1))

    @property
    def plan(self) -> Plan:
        """PLAN_FILE's plan: whether a stored conversation waits for a photo is asked of it before the
        transaction (a form's photo questions keep their ids across plan versions)."""
        return self.plans.default

    async def process(self, inbound: Inbound, fetch_photo: PhotoFetcher | None = None) -> bool:
        """Handle one message; returns once it is committed; False when it was already handled (a replay).

        Raises NotRecorded when nothing about it could be committed (the database refuses writes).
        """
        inbound = cleaned(inbound)
        try:
            inbound = await self._with_photo(inbound, fetch_photo)
        except Exception as exc:
            if is_database_fault(exc):
                raise NotRecorded(f"update {inbound.channel}/{log_safe(inbound.message_id)} not recorded") from exc
            raise
        result = await self._batcher.submit((inbound.channel, inbound.chat_id, inbound.sender_id), inbound)
        if isinstance(result, NotRecorded):
            raise result
        return result

    async def _handle_batch(self, batch: list[Inbound]) -> list[bool | NotRecorded]:
        """Every message of the batch in one transaction; if anything fails, each again on its own."""
        if len(batch) == 1:
            return [await self._handle_alone(batch[0])]
        try:
            return await self._handle_together(batch)
        except Exception as exc:
            log.warning("a batch of %d messages failed (%s); handling each on its own", len(batch),
                        short_reason(exc))
            return [await self._handle_alone(inbound) for inbound in batch]

    async def _handle_together(self, batch: list[Inbound]) -> list[bool]:
        now = self.clock()
        handled, replies, woken = [], {PRIORITY_REPLY: [], PRIORITY_STRANGER: []}, set()
        async with self.db.transaction() as repos:
            fresh = await repos.ledger.claim_many([(m.channel, m.message_id) for m in batch], now)
            arrivals = await repos.arrivals.of_many([(m.channel, m.sender_id, m.chat_id) for m in batch])
            repos.conversations.defer_writes()  # one key per batch (see Batcher), so nobody reads a deferred write
            repos.audit.defer_writes()  # written after the batch's messages, in order, in the same transaction
            for inbound in batch:
                is_new = (inbound.channel, inbound.message_id) in fresh
                fresh.discard((inbound.channel, inbound.message_id))  # the same update twice: the first one counts
                if is_new:
                    ctx = await self._context(repos, inbound, now,
                                              arrivals[(inbound.channel, inbound.sender_id, inbound.chat_id)])
                    await self._route(ctx)
                    replies[reply_priority(ctx)] += self._outgoing(inbound, ctx.replies)
                    woken |= ctx.after_commit
                else:
                    log.info("skipping replayed update %s/%s", inbound.channel, log_safe(inbound.message_id))
                handled.append(is_new)
            await repos.conversations.write_deferred()
            await repos.audit.write_deferred()
            for priority, rows in replies.items():
                await repos.outbox.enqueue_many(rows, now, priority=priority)
        self._committed(woken)
        return handled

    async def _handle_alone(self, inbound: Inbound) -> bool | NotRecorded:
        now = self.clock()
        try:
            async with self.db.transaction() as repos:
                if not await repos.ledger.claim(inbound.channel, inbound.message_id, now):
                    log.info("skipping replayed update %s/%s", inbound.channel, log_safe(inbound.message_id))
                    return False
                ctx = await self._context(repos, inbound, now)
                await self._route(ctx)
                await self._queue(repos, inbound, ctx.replies, now, reply_priority(ctx))
            self._committed(ctx.after_commit)
            return True
        except Exception as exc:
            # The user must never meet silence: record the update and apologise in a fresh transaction.
            if is_database_fault(exc):  # not a bug of ours: one line, no traceback
                log.warning("could not handle update %s/%s: database: %s", inbound.channel,
                            log_safe(inbound.message_id), short_reason(exc))
            else:
                log.exception("failed to handle update %s/%s", inbound.channel, log_safe(inbound.message_id))
            return await self._apologise(inbound, now)

    async def _route(self, ctx: Context) -> None:
        """The router, unless the sender is over INBOUND_PER_MINUTE: then one "slow down" a minute (registered
        people only; strangers are silent anyway) and the message is recorded but not handled."""
        inbound = ctx.inbound
        if inbound.kind in MEMBERSHIP_KINDS:
            await router.handle(ctx)
            return
        verdict = self.rate.admit((inbound.channel, inbound.sender_id), ctx.now)
        if verdict is Verdict.ADMIT:
            await router.handle(ctx)
        elif verdict is Verdict.NOTICE and ctx.person is not None:
            ctx.say(ctx.t("rate.slow_down", per_minute=self.rate.per_minute))

    async def _context(self, repos: Repositories, inbound: Inbound, now: datetime,
                       arrival: Arrival | None = None) -> Context:
        if arrival is None:
            arrival = await repos.arrivals.of(inbound.channel, inbound.sender_id, inbound.chat_id)
        person = arrival.person if arrival.person is not None and arrival.person.active else None
        # the sender's commune's plan of this year (plan/book.py): its forms, questions and deadlines
        plan = self.plans.for_day(person.commune_id if person else None, business_date(now, self.tz))
        ctx = Context(inbound=inbound, repos=repos, plan=plan, now=now, tz=self.tz, translator=self.translator,
                      settings=self.settings, person=person, plans=self.plans)
        if person is not None and inbound.kind not in MEMBERSHIP_KINDS:  # the groups flow records those
            ctx.commune = arrival.commune
            # A registered group keeps its commune whoever speaks in it: a group shared by people of several
            # communes would otherwise move to the last speaker's, and its reminders and summaries with it.
            registered_group = inbound.chat_kind != "private" and arrival.chat is not None and arrival.chat.registered
            await repos.chats.remember_unless_current(
                arrival.chat, inbound.channel, inbound.chat_id, inbound.chat_kind,
                person_id=person.id if inbound.chat_kind == "private" else None,
                commune_id=None if registered_group else person.commune_id, title=inbound.chat_title or None)
            await self._resume_conversation(ctx, arrival.conversation)
        return ctx

    async def _resume_conversation(self, ctx: Context, row: Conversation | None) -> None:
        if row is None:
            return
        if row.updated_at + self.settings.conversation_ttl < ctx.now:
            await ctx.forget()
            ctx.say(ctx.t("conversation.expired", hours=int(self.settings.conversation_ttl.total_seconds() // 3600)))
            return
        state = _readable(row)
        if state is None:  # e.g. stored by an older version in a shape no flow reads any more
            log.warning("closing a stored %r conversation no flow can read", row.flow)
            await ctx.forget()
            ctx.say(ctx.t("conversation.unreadable"))
            return
        ctx.state = state

    async def _queue(self, repos: Repositories, inbound: Inbound, replies: list[Reply], now: datetime,
                     priority: int = PRIORITY_REPLY) -> None:
        await repos.outbox.enqueue_many(self._outgoing(inbound, replies), now, priority=priority)

    @staticmethod
    def _outgoing(inbound: Inbound, replies: list[Reply]) -> list[tuple[str, str, dict, str]]:
        """Outbox rows for the replies; the dedupe key ties each to the update, so a replay adds nothing."""
        return [(inbound.channel, inbound.chat_id, reply.to_payload(),
                 f"reply:{inbound.channel}:{inbound.message_id}:{number}") for number, reply in enumerate(replies)]

    async def _apologise(self, inbound: Inbound, now: datetime) -> bool | NotRecorded:
        """Record the update as handled with an apology; NotRecorded when even that cannot be committed."""
        try:
            async with self.db.transaction() as repos:
                if not await repos.ledger.claim(inbound.channel, inbound.message_id, now):
                    return False  # handled meanwhile (a redelivery raced us): its answer stands
                language = await self._language_of(repos, inbound)
                t = self.translator.for_language(language)
                await self._queue(repos, inbound, [Reply(text=t("err.internal"), language=language)], now)
        except Exception as exc:
            log.warning("could not record update %s/%s (%s); not acknowledging it", inbound.channel,
                        log_safe(inbound.message_id), short_reason(exc))
            return NotRecorded(f"update {inbound.channel}/{log_safe(inbound.message_id)} not recorded")
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
        state = _readable(row) if row is not None else None
        if state is not None and not (awaits_photo(self.plan, state) or state.takes_photos()):
            return inbound  # a photo sent first (no conversation) is kept too: it asks which report it is for
        try:
            content = await fetch_photo(inbound.photo)
        except Exception:
            log.warning("could not fetch photo for %s/%s", inbound.channel, inbound.message_id)
            content = None
        if content is None:
            return inbound
        return replace(inbound, photo=replace(inbound.photo, content=content))

    def _committed(self, woken: set[str]) -> None:
        """After the commit (never before: the work must see what the transaction wrote), wake what it queued."""
        if woken and self.after_commit is not None:
            self.after_commit(woken)


def _readable(row: Conversation) -> FlowState | None:
    """The row's typed state, or None when no flow can continue it."""
    try:
        return read_state(row.flow, row.state)
    except StateUnreadable:
        return None
