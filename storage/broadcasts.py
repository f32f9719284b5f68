"""Broadcasts, how their deliveries went, and what each registered group chat receives (who a message
reaches is storage/addressing.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Broadcast, Chat, GroupPreference, Outbox, Person

GROUP_KINDS = ("reminders", "summaries", "broadcasts")


@dataclass(frozen=True, slots=True)
class FailedDelivery:
    channel: str
    chat_id: str
    name: str  # the person's name or the group's title, "" when the chat is unknown
    chat_active: bool  # False: the bot was blocked or removed, so it will not be retried
    error: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """Unsent outbox rows that already failed or were held once, by the reason their last attempt gave."""

    reason: str  # the sender's error text (core.messages.HELD_* when a budget held them)
    count: int
    next_attempt_at: datetime  # the earliest of them


def message_key(broadcast_id: int) -> str:
    """Its outbox rows' dedupe keys are this plus `:channel:chat` (storage.addressing.dedupe_key)."""
    return f"broadcast:{broadcast_id}"


def dedupe_prefix(broadcast_id: int) -> str:
    return message_key(broadcast_id) + ":"


class BroadcastRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, broadcast: Broadcast) -> Broadcast:
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def latest(self, commune_id: int, limit: int = 5) -> list[Broadcast]:
        query = (select(Broadcast).where(Broadcast.commune_id == commune_id)
                 .order_by(Broadcast.id.desc()).limit(limit))
        return list((await self.session.execute(query)).scalars())

    async def delivery_counts(self, broadcast_id: int) -> dict[str, int]:
        """Outbox rows of one broadcast by status: pending, sending, sent, failed."""
        query = (select(Outbox.status, func.count()).where(Outbox.dedupe_key.startswith(dedupe_prefix(broadcast_id)))
                 .group_by(Outbox.status))
        return {status: count for status, count in (await self.session.execute(query)).all()}

    async def waiting(self, broadcast_id: int | None = None) -> list[Waiting]:
        """Why unsent rows wait (one broadcast's, or every row's) and until when, most rows first."""
        query = (select(Outbox.error, func.count(), func.min(Outbox.next_attempt_at))
                 .where(Outbox.status.in_(("pending", "sending")), Outbox.error != "").group_by(Outbox.error))
        if broadcast_id is not None:
            query = query.where(Outbox.dedupe_key.startswith(dedupe_prefix(broadcast_id)))
        rows = [Waiting(reason, count, when) for reason, count, when in (await self.session.execute(query)).all()]
        return sorted(rows, key=lambda row: -row.count)

    async def failed_deliveries(self, broadcast_id: int) -> list[FailedDelivery]:
        """Who did not get a broadcast, named, and whether their chat is gone."""
        query = (select(Outbox.channel, Outbox.chat_id, Outbox.error, Chat.active, Chat.title, Person.name)
                 .outerjoin(Chat, (Chat.channel == Outbox.channel) & (Chat.external_id == Outbox.chat_id))
                 .outerjoin(Person, Person.id == Chat.person_id)
                 .where(Outbox.dedupe_key.startswith(dedupe_prefix(broadcast_id)), Outbox.status == "failed")
                 .order_by(Outbox.id))
        return [FailedDelivery(channel, chat_id, name or title or "", active is not False, error)
                for channel, chat_id, error, active, title, name in (await self.session.execute(query)).all()]


class GroupRepo:
    """Registered group chats and what each chooses to receive (reminder digests, summaries, broadcasts)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def groups_receiving(self, commune_id: int, kind: str) -> list[Chat]:
        """Active registered groups of a commune that receive `kind` (reminders, summaries or broadcasts)."""
        if kind not in GROUP_KINDS:
            raise ValueError(f"unknown group message kind {kind!r}")
        wanted = getattr(GroupPreference, kind)
        query = (select(Chat).outerjoin(GroupPreference, GroupPreference.chat_id == Chat.id)
                 .where(Chat.commune_id == commune_id, Chat.kind == "group", Chat.registered.is_(True),
                        Chat.active.is_(True), or_(GroupPreference.id.is_(None), wanted == true()))
                 .order_by(Chat.id))
        return list((await self.session.execute(query)).scalars())

    async def registered(self, commune_id: int) -> list[tuple[Chat, dict[str, bool]]]:
        """Every registered group of a commune (also inactive ones) with its preferences."""
        query = (select(Chat, GroupPreference).outerjoin(GroupPreference, GroupPreference.chat_id == Chat.id)
                 .where(Chat.commune_id == commune_id, Chat.kind == "group", Chat.registered.is_(True))
                 .order_by(Chat.id))
        return [(chat, _preferences(pref)) for chat, pref in (await self.session.execute(query)).all()]

    async def set_preference(self, chat_id: int, kind: str, receive: bool) -> None:
        if kind not in GROUP_KINDS:
            raise ValueError(f"unknown group message kind {kind!r}")
        query = select(GroupPreference).where(GroupPreference.chat_id == chat_id)
        pref = (await self.session.execute(query)).scalar_one_or_none()
        if pref is None:
            pref = GroupPreference(chat_id=chat_id)
            self.session.add(pref)
        setattr(pref, kind, receive)
        await self.session.flush()


def _preferences(pref: GroupPreference | None) -> dict[str, bool]:
    return {kind: True if pref is None else bool(getattr(pref, kind)) for kind in GROUP_KINDS}
