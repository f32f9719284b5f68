"""The update inbox: polled updates recorded before they are handled, deleted once handled (storage.models)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_or_ignore
from storage.models import InboxUpdate


class InboxRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def record_many(self, channel: str, updates: list[tuple[str, dict[str, Any]]], now: datetime) -> None:
        """(external id, payload) pairs in one statement; one already there (a replay) is left as it is."""
        if updates:
            await self.session.execute(insert_or_ignore(InboxUpdate.__table__, self.dialect), [
                {"channel": channel, "external_id": external_id, "payload": payload, "received_at": now}
                for external_id, payload in updates])

    async def waiting(self, channel: str, limit: int = 10_000) -> list[tuple[str, dict[str, Any]]]:
        """What a previous run recorded and did not get to handle, oldest first."""
        query = (select(InboxUpdate.external_id, InboxUpdate.payload).where(InboxUpdate.channel == channel)
                 .order_by(InboxUpdate.id).limit(limit))
        return [(external_id, payload) for external_id, payload in (await self.session.execute(query)).all()]

    async def remove_many(self, channel: str, external_ids: list[str]) -> None:
        if external_ids:
            await self.session.execute(delete(InboxUpdate).where(InboxUpdate.channel == channel,
                                                                 InboxUpdate.external_id.in_(external_ids)))
