"""Chats, stored conversations, the processed-update ledger and the outbox."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, or_, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_duplicates, insert_or_ignore, skip_locked, upsert
from storage.models import OUTBOX_QUEUED, Chat, Conversation, Outbox, Person, ProcessedUpdate


class ChatRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, channel: str, external_id: str) -> Chat | None:
        query = select(Chat).where(Chat.channel == channel, Chat.external_id == external_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def remember(self, channel: str, external_id: str, kind: str, **fields: Any) -> Chat:
        """The chat row for an inbound message, created on first sight; reactivated when seen again."""
        chat = await self.get(channel, external_id)
        if chat is None:
            chat = Chat(channel=channel, external_id=external_id, kind=kind, **fields)
            self.session.add(chat)
        else:
            chat.active = True
            for name, value in fields.items():
                if value is not None:
                    setattr(chat, name, value)
        await self.session.flush()
        return chat

    async def remember_unless_current(self, known: Chat | None, channel: str, external_id: str, kind: str,
                                      **fields: Any) -> Chat:
        """`remember`, skipped when the row already read (`known`) says all of it: the usual case, no write."""
        if known is not None and known.active and all(
                value is None or getattr(known, name) == value for name, value in fields.items()):
            return known
        return await self.remember(channel, external_id, kind, **fields)

    async def set_active(self, channel: str, external_id: str, active: bool) -> None:
        await self.session.execute(update(Chat).where(Chat.channel == channel, Chat.external_id == external_id)
                                   .values(active=active))

    async def private_chats_of(self, person_id: int) -> list[Chat]:
        query = select(Chat).where(Chat.person_id == person_id, Chat.kind == "private").order_by(Chat.id)
        return list((await self.session.execute(query)).scalars())

    async def private_chats_with_roles(self, channel: str, roles: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """(chat id, role, language) of active private chats of people with one of `roles` (per-chat menus)."""
        query = (select(Chat.external_id, Person.role, Person.language).join(Person, Person.id == Chat.person_id)
                 .where(Chat.channel == channel, Chat.kind == "private", Chat.active, Person.active,
                        Person.role.in_(roles)).order_by(Chat.id))
        return [(chat_id, role, language) for chat_id, role, language in (await self.session.execute(query)).all()]


_CONVERSATION_KEY = ("channel", "chat_id", "sender_id")
_CONVERSATION_SET = ("flow", "state", "updated_at")


class ConversationRepo:
    """Stored conversations. While `deferring` (a batch of inbound messages) writes wait for `write_deferred`,
    which applies the last write of each conversation: one statement for all the saves and one for all the
    clears of the batch instead of one per message."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect
        self._deferred: dict[tuple[str, str, str], dict[str, Any] | None] | None = None  # None value: cleared

    async def get(self, channel: str, chat_id: str, sender_id: str) -> Conversation | None:
        key = (channel, chat_id, sender_id)
        if self._deferred is not None and key in self._deferred:
            return _unsaved(self._deferred[key])
        # populate_existing: `save` writes without the ORM, so a row already loaded in this session may be stale.
        query = (select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id,
                                            Conversation.sender_id == sender_id)
                 .execution_options(populate_existing=True))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def save(self, channel: str, chat_id: str, sender_id: str, flow: str, state: dict[str, Any],
                   now: datetime) -> None:
        """Create or overwrite the conversation in one statement (one per message of every conversation)."""
        row = {"channel": channel, "chat_id": chat_id, "sender_id": sender_id, "flow": flow, "state": dict(state),
               "updated_at": now}
        if self._deferred is not None:  # a copy as of now, as an immediate write would have stored
            self._deferred[(channel, chat_id, sender_id)] = {**row, "state": json.loads(json.dumps(state))}
            return
        await self.session.execute(upsert(Conversation.__table__, self.dialect, _CONVERSATION_KEY,
                                          _CONVERSATION_SET), row)

    async def clear(self, channel: str, chat_id: str, sender_id: str) -> None:
        if self._deferred is not None:
            self._deferred[(channel, chat_id, sender_id)] = None
            return
        await self.session.execute(_CLEAR_CONVERSATION, {"channel": channel, "chat_id": chat_id,
                                                         "sender_id": sender_id})

    def defer_writes(self) -> None:
        self._deferred = {}

    async def write_deferred(self) -> None:
        """Apply and stop deferring: the saves in one statement, the clears in another."""
        deferred, self._deferred = self._deferred or {}, None
        saves = [row for row in deferred.values() if row is not None]
        clears = [dict(zip(_CONVERSATION_KEY, key, strict=True)) for key, row in deferred.items() if row is None]
        if saves:
            await self.session.execute(upsert(Conversation.__table__, self.dialect, _CONVERSATION_KEY,
                                              _CONVERSATION_SET), saves)
        if clears:
            await self.session.execute(_CLEAR_CONVERSATION, clears)


_CLEAR_CONVERSATION = Conversation.__table__.delete().where(
    *(Conversation.__table__.c[name] == bindparam(name) for name in _CONVERSATION_KEY))


def _unsaved(row: dict[str, Any] | None) -> Conversation | None:
    return None if row is None else Conversation(**row)


class LedgerRepo:
    """Processed platform updates, so a replayed update is handled once, also after a restart."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def claim(self, channel: str, external_id: str, now: datetime) -> bool:
        """True if this update is new (and now recorded), False if it was seen before."""
        return await insert_ignoring_duplicates(self.session, self.dialect, ProcessedUpdate.__table__, {
            "channel": channel, "external_id": external_id, "received_at": now})

    async def claim_many(self, keys: list[tuple[str, str]], now: datetime) -> set[tuple[str, str]]:
        """The (channel, update id) pairs that are new, now recorded; in one statement for a batch of updates."""
        if not keys:
            return set()
        table = ProcessedUpdate.__table__
        claim = insert_or_ignore(table, self.dialect).returning(table.c.channel, table.c.external_id)
        rows = await self.session.execute(claim, [{"channel": channel, "external_id": external_id,
                                                   "received_at": now} for channel, external_id in keys])
        return {(channel, external_id) for channel, external_id in rows}

    async def purge_before(self, cutoff: datetime, limit: int) -> int:
        """Delete up to `limit` entries received before `cutoff` (retention); returns how many went.

        Bounded so the caller can loop in short transactions; DELETE … WHERE id IN (SELECT … LIMIT n) is
        the one form SQLite and PostgreSQL both accept (neither takes DELETE … LIMIT by default). SKIP LOCKED
        on PostgreSQL: processes purging at the same moment take different rows instead of deadlocking.
        """
        ids = skip_locked(select(ProcessedUpdate.id).where(ProcessedUpdate.received_at < cutoff).limit(limit),
                          self.dialect)
        result = await self.session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.id.in_(ids.scalar_subquery()))
                                            .execution_options(synchronize_session=False))
        return result.rowcount


class OutboxRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def enqueue(self, *, channel: str, chat_id: str, payload: dict[str, Any], dedupe_key: str,
                      now: datetime, priority: int = 0) -> bool:
        """Add a message to send; False (and nothing added) if its dedupe key is already there."""
        return await insert_ignoring_duplicates(self.session, self.dialect, Outbox.__table__,
                                                _pending(channel, chat_id, payload, dedupe_key, now, priority))

    async def enqueue_many(self, messages: list[tuple[str, str, dict[str, Any], str]], now: datetime,
                           priority: int = 0) -> None:
        """Several (channel, chat id, payload, dedupe key) in one statement; a dedupe key already there is skipped."""
        if messages:
            await self.session.execute(insert_or_ignore(Outbox.__table__, self.dialect), [
                _pending(channel, chat_id, payload, key, now, priority) for channel, chat_id, payload, key in messages])

    async def claim_due(self, now: datetime, *, channels: tuple[str, ...], limit: int, lease: timedelta,
                        busy: Iterable[tuple[str, str]] = ()) -> list[Outbox]:
        """Claim due rows in one statement; a lapsed claim (a crashed worker) is due again; `busy` chats are left.

        UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]) RETURNING: one round trip, and concurrent
        workers on PostgreSQL take different rows; on SQLite the single statement runs under the one writer lock.
        """
        due = or_(Outbox.status == "pending", (Outbox.status == "sending") & (Outbox.claimed_until < now))
        # Implied by `due`, but spelt out as the index's own text: SQLite uses a partial index only then.
        queued = text(OUTBOX_QUEUED)
        ids = (select(Outbox.id).where(queued, due, Outbox.next_attempt_at <= now, Outbox.channel.in_(channels))
               .order_by(Outbox.priority, Outbox.id).limit(limit))
        busy = list(busy)
        if busy:
            ids = ids.where(tuple_(Outbox.channel, Outbox.chat_id).not_in(busy))
        claim = (update(Outbox).where(Outbox.id.in_(skip_locked(ids, self.dialect).scalar_subquery()))
                 .values(status="sending", claimed_until=now + lease, attempts=Outbox.attempts + 1)
                 .returning(Outbox).execution_options(synchronize_session=False))
        rows = list((await self.session.execute(claim)).scalars())
        return sorted(rows, key=lambda row: (row.priority, row.id))

    async def mark_sent(self, row_id: int, now: datetime) -> None:
        await self.mark_sent_many([row_id], now)

    async def mark_sent_many(self, row_ids: list[int], now: datetime) -> None:
        """One UPDATE for a batch of delivered rows (the worker's group commit)."""
        if row_ids:
            await self.session.execute(update(Outbox).where(Outbox.id.in_(row_ids))
                                       .values(status="sent", sent_at=now, claimed_until=None, error="")
                                       .execution_options(synchronize_session=False))

    async def release(self, row_ids: list[int], next_attempt_at: datetime | None = None) -> None:
        """Hand claimed rows back unsent (not counted as an attempt), e.g. to keep a chat's order behind a retry."""
        if not row_ids:
            return
        values: dict[str, Any] = {"status": "pending", "claimed_until": None, "attempts": Outbox.attempts - 1}
        if next_attempt_at is not None:
            values["next_attempt_at"] = next_attempt_at
        await self.session.execute(update(Outbox).where(Outbox.id.in_(row_ids), Outbox.status == "sending")
                                   .values(**values).execution_options(synchronize_session=False))

    async def mark_retry(self, row_id: int, error: str, next_attempt_at: datetime, parts_sent: int = 0) -> None:
        """Back to pending until `next_attempt_at`; `parts_sent`: the reply's parts delivered so far, not to repeat."""
        await self._set(row_id, status="pending", next_attempt_at=next_attempt_at, claimed_until=None,
                        error=error[:500], parts_sent=parts_sent)

    async def mark_failed(self, row_id: int, error: str) -> None:
        await self._set(row_id, status="failed", claimed_until=None, error=error[:500])

    async def _set(self, row_id: int, **values: Any) -> None:
        await self.session.execute(update(Outbox).where(Outbox.id == row_id).values(**values)
                                   .execution_options(synchronize_session=False))

    async def counts(self) -> dict[str, int]:
        """Rows by status: reads the whole table (`mttq-bot status`); /healthz uses pending_count."""
        query = select(Outbox.status, func.count()).group_by(Outbox.status)
        return {status: count for status, count in (await self.session.execute(query)).all()}

    async def pending_count(self) -> int:
        """Rows waiting to be sent, counted from the queue index: 0.3 ms beside 500,000 sent rows (counts: 135 ms)."""
        query = select(func.count()).select_from(Outbox).where(text(OUTBOX_QUEUED), Outbox.status == "pending")
        return (await self.session.execute(query)).scalar_one()

    async def exists(self, dedupe_key: str) -> bool:
        """Whether a message with this dedupe key was ever queued (lets a ticker skip costly work)."""
        query = select(Outbox.id).where(Outbox.dedupe_key == dedupe_key).limit(1)
        return (await self.session.execute(query)).first() is not None

    async def for_chat(self, channel: str, chat_id: str) -> list[Outbox]:
        query = select(Outbox).where(Outbox.channel == channel, Outbox.chat_id == chat_id).order_by(Outbox.id)
        return list((await self.session.execute(query)).scalars())

    async def of_channel(self, channel: str) -> list[Outbox]:
        """Every row of one channel, oldest first (status pages and the crash harness's checks)."""
        query = select(Outbox).where(Outbox.channel == channel).order_by(Outbox.id)
        return list((await self.session.execute(query)).scalars())

    async def purge_finished_before(self, cutoff: datetime, limit: int) -> int:
        """Delete up to `limit` sent or failed rows that finished before `cutoff`; returns how many went.

        Pending and sending rows are never touched, however old: they are messages still owed to someone.
        A row's age counts from sent_at when it was delivered (a message held for weeks by Zalo's monthly
        quota keeps its full period after delivery, and its dedupe key outlives every producer's window),
        else from created_at: failed rows record no finish time, and their retries span about an hour.
        """
        finished_at = func.coalesce(Outbox.sent_at, Outbox.created_at)
        ids = skip_locked(select(Outbox.id).where(Outbox.status.in_(("sent", "failed")), finished_at < cutoff)
                          .limit(limit), self.dialect)  # as in LedgerRepo.purge_before
        result = await self.session.execute(delete(Outbox).where(Outbox.id.in_(ids.scalar_subquery()))
                                            .execution_options(synchronize_session=False))
        return result.rowcount


def _pending(channel: str, chat_id: str, payload: dict[str, Any], dedupe_key: str, now: datetime,
             priority: int) -> dict[str, Any]:
    return {"channel": channel, "chat_id": chat_id, "payload": payload, "dedupe_key": dedupe_key,
            "priority": priority, "status": "pending", "attempts": 0, "parts_sent": 0, "next_attempt_at": now,
            "created_at": now, "error": ""}
