"""The processed-update ledger: each platform update is handled once, also after a restart."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache

from sqlalchemy import String, bindparam, delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_duplicates, json_rows, skip_locked
from storage.models import ProcessedUpdate
from storage.types import UTCDateTime


class LedgerRepo:
    """Processed platform updates, so a replayed update is handled once, also after a restart."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def claim(self, channel: str, external_id: str, now: datetime) -> bool:
        """True if this update is new (and now recorded), False if it was seen before."""
        return await insert_ignoring_duplicates(self.session, self.dialect, ProcessedUpdate.__table__, {
            "channel": channel, "external_id": external_id, "received_at": now})

    async def claim_many(self, keys: list[tuple[str, str]], now: datetime) -> set[tuple[str, str]]:
        """The (channel, update id) pairs that are new, now recorded; in one statement for a batch of updates.

        The pairs travel as one JSON parameter, so the statement's SQL is compiled once: as rows of a multi-row
        VALUES SQLAlchemy rendered the SQL again and converted three parameters a row for every batch."""
        if not keys:
            return set()
        rows = await self.session.execute(_claim_many(self.dialect),
                                          {"keys": json.dumps(keys), "received_at": now})
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
    """Built once per dialect: its cache key is computed once too."""
    # INSERT … SELECT from the pairs in the order given (ids follow the batch's order, as a VALUES list's did); an
    # update twice in one batch conflicts with its own first row and is returned once.
    pairs = json_rows(dialect, ":keys", 2, ":received_at")
    return (text(f"INSERT INTO processedupdate (channel, external_id, received_at) {pairs} "
                 "ON CONFLICT DO NOTHING RETURNING channel, external_id")
            .bindparams(bindparam("keys", type_=String), bindparam("received_at", type_=UTCDateTime))
            .columns(channel=String, external_id=String))
