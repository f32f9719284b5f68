"""Failed invite-code attempts per sender: what the /start rate limit counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InviteAttempt

KEEP = timedelta(days=1)  # older attempts no longer count for anything, so they are purged


class InviteAttemptRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def failures_since(self, channel: str, sender_id: str, since: datetime) -> int:
        query = select(func.count()).select_from(InviteAttempt).where(
            InviteAttempt.channel == channel, InviteAttempt.sender_id == sender_id[:64],
            InviteAttempt.attempted_at >= since)
        return (await self.session.execute(query)).scalar_one()

    async def record_failure(self, channel: str, sender_id: str, now: datetime) -> None:
        """Count one failed attempt, and drop this sender's attempts too old to matter."""
        await self.session.execute(delete(InviteAttempt).where(
            InviteAttempt.channel == channel, InviteAttempt.sender_id == sender_id[:64],
            InviteAttempt.attempted_at < now - KEEP))
        self.session.add(InviteAttempt(channel=channel, sender_id=sender_id[:64], attempted_at=now))
        await self.session.flush()
