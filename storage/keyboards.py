"""Button menus a channel has open in each chat, so a press maps back to its option and old ones are refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ChatKeyboard


@dataclass(frozen=True, slots=True)
class Pressed:
    """The option behind a pressed button."""

    value: str
    label: str


class KeyboardRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, channel: str, chat_id: str) -> ChatKeyboard | None:
        query = select(ChatKeyboard).where(ChatKeyboard.channel == channel, ChatKeyboard.chat_id == chat_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def open(self, channel: str, chat_id: str, *, message_id: str, key: str, values: list[str],
                   labels: list[str], now: datetime) -> None:
        """Record the chat's newest menu; it replaces the previous one (only the last question is open)."""
        row = await self.get(channel, chat_id)
        if row is None:
            row = ChatKeyboard(channel=channel, chat_id=chat_id, message_id=message_id, key=key, values=values,
                               labels=labels, sent_at=now)
            self.session.add(row)
        else:
            row.message_id, row.key, row.values, row.labels = message_id, key, list(values), list(labels)
            row.answered_by, row.sent_at = None, now
        await self.session.flush()

    async def press(self, channel: str, chat_id: str, *, message_id: str, key: str, index: int,
                    update_id: str) -> Pressed | None:
        """The option pressed, once: None for an old menu, a foreign key, or a second press of the same menu.

        The same update pressing again (a replayed webhook) gets the same answer, so a retry is not refused.
        """
        row = await self.get(channel, chat_id)
        if row is None or row.message_id != message_id or row.key != key or not 0 <= index < len(row.values):
            return None
        if row.answered_by not in (None, update_id):
            return None
        row.answered_by = update_id
        await self.session.flush()
        return Pressed(row.values[index], row.labels[index])

    async def close(self, channel: str, chat_id: str) -> None:
        await self.session.execute(delete(ChatKeyboard).where(ChatKeyboard.channel == channel,
                                                              ChatKeyboard.chat_id == chat_id))
