"""Chats, stored conversations, the processed-update ledger and the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_duplicates, skip_locked
from storage.models import Chat, Conversation, Outbox, Person, ProcessedUpdate


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


class ConversationRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, channel: str, chat_id: str, sender_id: str) -> Conversation | None:
        query = select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id,
                                           Conversation.sender_id == sender_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def save(self, channel: str, chat_id: str, sender_id: str, flow: str, state: dict[str, Any],
                   now: datetime) -> None:
        row = await self.get(channel, chat_id, sender_id)
        if row is None:
            row = Conversation(channel=channel, chat_id=chat_id, sender_id=sender_id, flow=flow, state=state,
                               updated_at=now)
            self.session.add(row)
        else:
            row.flow, row.state, row.updated_at = flow, dict(state), now
        await self.session.flush()

    async def clear(self, channel: str, chat_id: str, sender_id: str) -> None:
        await self.session.execute(delete(Conversation).where(
            Conversation.channel == channel, Conversation.chat_id == chat_id, Conversation.sender_id == sender_id))


class LedgerRepo:
    """Processed platform updates, so a replayed update is handled once, also after a restart."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def claim(self, channel: str, external_id: str, now: datetime) -> bool:
        """True if this update is new (and now recorded), False if it was seen before."""
        return await insert_ignoring_duplicates(self.session, self.dialect, ProcessedUpdate.__table__, {
            "channel": channel, "external_id": external_id, "received_at": now})


class OutboxRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def enqueue(self, *, channel: str, chat_id: str, payload: dict[str, Any], dedupe_key: str,
                      now: datetime, priority: int = 0) -> bool:
        """Add a message to send; False (and nothing added) if its dedupe key is already there."""
        return await insert_ignoring_duplicates(self.session, self.dialect, Outbox.__table__, {
            "channel": channel, "chat_id": chat_id, "payload": payload, "dedupe_key": dedupe_key,
            "priority": priority, "status": "pending", "attempts": 0, "next_attempt_at": now,
            "created_at": now, "error": ""})

    async def claim_due(self, now: datetime, *, channels: tuple[str, ...], limit: int, lease: timedelta,
                        busy: Iterable[tuple[str, str]] = ()) -> list[Outbox]:
        """Claim due rows in one statement; a lapsed claim (a crashed worker) is due again; `busy` chats are left.

        UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]) RETURNING: one round trip, and concurrent
        workers on PostgreSQL take different rows; on SQLite the single statement runs under the one writer lock.
        """
        due = or_(Outbox.status == "pending", (Outbox.status == "sending") & (Outbox.claimed_until < now))
        ids = (select(Outbox.id).where(due, Outbox.next_attempt_at <= now, Outbox.channel.in_(channels))
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

    async def mark_retry(self, row_id: int, error: str, next_attempt_at: datetime) -> None:
        await self._set(row_id, status="pending", next_attempt_at=next_attempt_at, claimed_until=None,
                        error=error[:500])

    async def mark_failed(self, row_id: int, error: str) -> None:
        await self._set(row_id, status="failed", claimed_until=None, error=error[:500])

    async def _set(self, row_id: int, **values: Any) -> None:
        await self.session.execute(update(Outbox).where(Outbox.id == row_id).values(**values)
                                   .execution_options(synchronize_session=False))

    async def counts(self) -> dict[str, int]:
        query = select(Outbox.status, func.count()).group_by(Outbox.status)
        return {status: count for status, count in (await self.session.execute(query)).all()}

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
