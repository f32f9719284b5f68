"""Answers to unregistered senders per business day: what keeps a stranger's flood from costing a message each."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_duplicates
from storage.models import StrangerNotice


class StrangerRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def answers_on(self, channel: str, sender_id: str, day: date) -> int:
        row = await self._row(channel, sender_id)
        return row.answers if row is not None and row.day == day else 0

    async def count_answer(self, channel: str, sender_id: str, day: date) -> None:
        """One more answer today (yesterday's count starts over)."""
        await insert_ignoring_duplicates(self.session, self.dialect, StrangerNotice.__table__, {
            "channel": channel, "sender_id": sender_id, "day": day, "answers": 0})
        row = await self._row(channel, sender_id)
        row.answers = row.answers + 1 if row.day == day else 1
        row.day = day
        await self.session.flush()

    async def purge_before(self, day: date) -> int:
        """Forget strangers not answered since `day` (retention: their ids are personal data)."""
        result = await self.session.execute(delete(StrangerNotice).where(StrangerNotice.day < day))
        return result.rowcount or 0

    async def _row(self, channel: str, sender_id: str) -> StrangerNotice | None:
        query = (select(StrangerNotice).where(StrangerNotice.channel == channel, StrangerNotice.sender_id == sender_id)
                 .execution_options(populate_existing=True))
        return (await self.session.execute(query)).scalar_one_or_none()
