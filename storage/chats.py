"""Chats the bot can write to: created on first sight, deactivated when the platform says they are gone."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Chat, GroupPreference, Person


class ChatRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._written: set[tuple[str, str]] = set()  # chats created or given an id in this transaction

    async def get(self, channel: str, external_id: str) -> Chat | None:
        query = select(Chat).where(Chat.channel == channel, Chat.external_id == external_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def remember(self, channel: str, external_id: str, kind: str, **fields: Any) -> Chat:
        """The chat row for an inbound message, created on first sight; reactivated when seen again."""
        chat = await self.get(channel, external_id)
        self._written.add((channel, external_id))
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

    async def remember_unless_current(self, known: Any, channel: str, external_id: str, kind: str,
                                      **fields: Any) -> None:
        """`remember`, skipped when the row already read (`known`, a Chat or a plain row) says all of it: the usual
        case, no write. When that read found no row and this transaction wrote none, the row is inserted at once,
        without reading it again or building an ORM object (a chat's first message)."""
        if known is not None and known.active and all(
                value is None or getattr(known, name) == value for name, value in fields.items()):
            return
        if known is None and (channel, external_id) not in self._written:
            self._written.add((channel, external_id))
            # None means "leave as it is" (as in `remember`): here the column's default
            values = {name: value for name, value in fields.items() if value is not None}
            await self.session.execute(_NEW_CHAT, {"channel": channel, "external_id": external_id, "kind": kind,
                                                   **values})
            return
        await self.remember(channel, external_id, kind, **fields)

    async def set_active(self, channel: str, external_id: str, active: bool) -> None:
        await self.session.execute(update(Chat).where(Chat.channel == channel, Chat.external_id == external_id)
                                   .values(active=active))

    async def private_chats_with_roles(self, channel: str, roles: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """(chat id, role, language) of active private chats of people with one of `roles` (per-chat menus)."""
        query = (select(Chat.external_id, Person.role, Person.language).join(Person, Person.id == Chat.person_id)
                 .where(Chat.channel == channel, Chat.kind == "private", Chat.active, Person.active,
                        Person.role.in_(roles)).order_by(Chat.id))
        return [(chat_id, role, language) for chat_id, role, language in (await self.session.execute(query)).all()]

    async def move(self, channel: str, old_id: str, new_id: str) -> bool:
        """A chat the platform gave a new id (a Telegram group upgraded to a supergroup): its registration, commune
        and preferences go with it. When the new id already has a row (a message from it arrived first), that row
        takes them over unless it was registered itself meanwhile, and the old row is retired. Idempotent;
        False when there was nothing under the old id."""
        old = await self.get(channel, old_id)
        if old is None:
            return False
        new = await self.get(channel, new_id)
        if new is None:
            old.external_id = new_id
            self._written.add((channel, new_id))
            await self.session.flush()
            return True
        if not new.registered and old.registered:
            await self.session.execute(delete(GroupPreference).where(GroupPreference.chat_id == new.id))
            await self.session.execute(update(GroupPreference).where(GroupPreference.chat_id == old.id)
                                       .values(chat_id=new.id))
            new.registered, new.commune_id = True, old.commune_id
        new.commune_id = new.commune_id or old.commune_id
        new.title = new.title or old.title
        old.registered, old.active = False, False
        await self.session.flush()
        return True


_NEW_CHAT = Chat.__table__.insert()
