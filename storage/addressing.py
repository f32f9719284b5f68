"""Who to tell, and telling them: "the people of these roles in this commune" (or of a broadcast's audience,
or the commune's registered groups) as the chats to write to, each with its language; then one outbox row
per chat.

Quota warnings, quarter-end summaries, petition notices, reminders and broadcasts all address people here,
so what counts as reachable (an active person's active private chat, an active registered group) and how
a per-chat dedupe key is spelt are decided once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import PROVINCE
from storage.broadcasts import GroupRepo
from storage.models import Chat, Identity, Person, Unit
from storage.outbox import OutboxRepo

DEDUPE_KEY_LENGTH = 200  # Outbox.dedupe_key's column


@dataclass(frozen=True, slots=True)
class Target:
    """One chat to write to, and the language to write in."""

    channel: str
    chat_id: str
    language: str
    sender_id: str = ""  # private chats (when asked for): the person's id there, which keys their conversation
    group: bool = False


@dataclass(frozen=True, slots=True)
class PersonChats:
    """A person picked by an audience, with the active private chats the bot can reach them in."""

    person: Person
    chats: tuple[Chat, ...]


def targets_of(people: Iterable[PersonChats]) -> list[Target]:
    """Each person's chats, in that person's language."""
    return [Target(chat.channel, chat.external_id, entry.person.language) for entry in people for chat in entry.chats]


class AddressRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def people(self, commune_id: int, *, roles: Iterable[str] | None = None,
                     unit_ids: Iterable[int] | None = None, unit_kind: str | None = None) -> list[PersonChats]:
        """Active people of a commune matching every filter given, with their active private chats."""
        query = select(Person).where(Person.commune_id == commune_id, Person.active.is_(True))
        # "everyone" of a commune (no roles given) leaves out a province viewer anchored on it: not its people
        query = query.where(Person.role.in_(list(roles)) if roles is not None else Person.role != PROVINCE)
        if unit_ids is not None:
            query = query.where(Person.unit_id.in_(list(unit_ids)))
        if unit_kind is not None:
            query = query.join(Unit, Unit.id == Person.unit_id).where(Unit.kind == unit_kind)
        people = list((await self.session.execute(query.order_by(Person.id))).scalars())
        chats: dict[int, list[Chat]] = {}
        if people:
            chat_query = (select(Chat).where(Chat.person_id.in_([p.id for p in people]), Chat.kind == "private",
                                             Chat.active.is_(True)).order_by(Chat.id))
            for chat in (await self.session.execute(chat_query)).scalars():
                chats.setdefault(chat.person_id, []).append(chat)
        return [PersonChats(person, tuple(chats.get(person.id, ()))) for person in people]

    async def of_roles(self, commune_id: int, roles: Iterable[str]) -> list[Target]:
        """The private chats of the commune's active people with one of `roles`."""
        return targets_of(await self.people(commune_id, roles=roles))

    async def of_people(self, person_ids: Iterable[int]) -> dict[int, list[Target]]:
        """Per person: their active private chats with the sender id there (to keep a conversation's state).

        Only chats on a channel where the person has an identity count: its id keys the conversation that an
        answer to the reminder continues.
        """
        person_ids = list(person_ids)
        if not person_ids:
            return {}
        query = (select(Chat.person_id, Chat.channel, Chat.external_id, Identity.external_id, Person.language)
                 .join(Identity, (Identity.person_id == Chat.person_id) & (Identity.channel == Chat.channel))
                 .join(Person, Person.id == Chat.person_id)
                 .where(Chat.person_id.in_(person_ids), Chat.kind == "private", Chat.active.is_(True))
                 .order_by(Chat.id))
        targets: dict[int, list[Target]] = {}
        for person_id, channel, chat_id, sender_id, language in (await self.session.execute(query)).all():
            targets.setdefault(person_id, []).append(Target(channel, chat_id, language, sender_id))
        return targets

    async def groups(self, commune_id: int, kind: str, language: str) -> list[Target]:
        """The commune's active registered groups that receive `kind`; a group has no language, so `language`."""
        return [Target(chat.channel, chat.external_id, language, group=True)
                for chat in await GroupRepo(self.session).groups_receiving(commune_id, kind)]


def dedupe_key(key: str, target: Target, suffix: str = "") -> str:
    """`key:channel:chat` (+ suffix): the same message to the same chat is queued once, whoever asks again."""
    return f"{key}:{target.channel}:{target.chat_id}{suffix}"[:DEDUPE_KEY_LENGTH]


async def enqueue_each(outbox: OutboxRepo, targets: Iterable[Target], payload: Callable[[str], dict[str, Any]], *,
                       key: str, now: datetime, priority: int, suffix: str = "") -> int:
    """One outbox row per target (payloads built once per language); returns how many rows were added."""
    payloads: dict[str, dict[str, Any]] = {}
    added = 0
    for target in targets:
        if target.language not in payloads:
            payloads[target.language] = payload(target.language)
        added += await outbox.enqueue(channel=target.channel, chat_id=target.chat_id,
                                      payload=payloads[target.language], dedupe_key=dedupe_key(key, target, suffix),
                                      now=now, priority=priority)
    return added
