"""Whether a conversation moved on past a reply: what decides if a reply a crash interrupted is still worth sending."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Outbox


class ReplyRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def moved_on(self, channel: str, chat_id: str, reply_id: int, priority: int) -> bool:
        """True when the chat has a later reply queued or sent: the person wrote again and was answered."""
        later = exists().where(Outbox.channel == channel, Outbox.chat_id == chat_id, Outbox.id > reply_id,
                               Outbox.priority == priority)
        return bool((await self.session.execute(select(later))).scalar())
