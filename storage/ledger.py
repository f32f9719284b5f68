"""The processed-update ledger: each platform update is handled once, also after a restart."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_duplicates, insert_or_ignore, skip_locked
from storage.models import ProcessedUpdate


class LedgerRepo:
    """Processed platform updates, so a replayed update is handled once, also after a restart."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def claim(self, channel: str, external_id: str, now: datetime) -> bool:
        """True if this update is new (and now recorded), False if it was seen before."""
        return await insert_ignoring_duplicates(self.session, self.dialect, ProcessedUpdate.__table__, {
            "channel": channel, "external_id": external_id, "received_at": now})

    async def claim_many(self, keys: list[tuple[str, str]], now: datetime) -> set[tuple[str, str]]:
        """The (channel, update id) pairs that are new, now recorded; in one statement for a batch of updates."""
        if not keys:
            return set()
        rows = await self.session.execute(_claim_many(self.dialect), [{"channel": channel, "external_id": external_id,
                                                   "received_at": now} for channel, external_id in keys])
        return {(channel, external_id) for channel, external_id in rows}

    async def purge_before(self, cutoff: datetime, limit: int) -> int:
        """Delete up to `limit` entries received before `cutoff` (retention); returns how many went.

        Bounded so the caller can loop in short transactions; DELETE … WHERE id IN (SELECT … LIMIT n) is
        the one form SQLite and PostgreSQL both accept (neither takes DELETE … LIMIT by default). SKIP LOCKED
        on PostgreSQL: processes purging at the same moment take different rows instead of deadlocking.
        """
        ids = skip_locked(select(ProcessedUpdate.id).where(ProcessedUpdate.received_at < cutoff).limit(limit),
                          self.dialect)
        result = await self.session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.id.in_(ids.scalar_subquery()))
                                            .execution_options(synchronize_session=False))
        return result.rowcount


@cache
def _claim_many(dialect: str):
    """Built once: a `.returning()` per call was a new statement whose cache key was computed every batch."""
    table = ProcessedUpdate.__table__
    return insert_or_ignore(table, dialect).returning(table.c.channel, table.c.external_id)
