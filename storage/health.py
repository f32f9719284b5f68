"""The heartbeat: one row rewritten to prove the database accepts a write (a read proves much less)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Heartbeat

ROW = 1


class HeartbeatRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def beat(self, now: datetime) -> None:
        """Rewrite the one row (created by migration 0012; re-created if someone deleted it)."""
        result = await self.session.execute(
            update(Heartbeat).where(Heartbeat.id == ROW).values(beat_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount == 0:
            self.session.add(Heartbeat(id=ROW, beat_at=now))
            await self.session.flush()
