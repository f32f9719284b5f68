"""Render jobs: the /tonghop files still to make (summaries/jobs.py runs them), claimed with a lease."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_duplicates, skip_locked
from storage.models import RenderJob


class RenderJobRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def add(self, *, key: str, commune_id: int, period: str, party: bool, channel: str, chat_id: str,
                  language: str, now: datetime, province: str = "") -> bool:
        """Record a job in the caller's transaction; False (nothing added) when its key is already there."""
        return await insert_ignoring_duplicates(self.session, self.dialect, RenderJob.__table__, {
            "key": key, "commune_id": commune_id, "period": period, "party": party, "channel": channel,
            "chat_id": chat_id, "language": language, "province": province, "requested_at": now, "status": "pending",
            "attempts": 0,
            "next_attempt_at": now, "error": ""})

    async def claim_due(self, now: datetime, lease: timedelta) -> RenderJob | None:
        """The oldest due job, claimed in one statement; a lapsed claim (a process that died) is due again.

        As OutboxRepo.claim_due: UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]) RETURNING, so two
        processes on PostgreSQL take different jobs; on SQLite the statement runs under the one writer lock.
        """
        due = or_(RenderJob.status == "pending",
                  (RenderJob.status == "running") & (RenderJob.claimed_until < now))
        ids = select(RenderJob.id).where(due, RenderJob.next_attempt_at <= now).order_by(RenderJob.id).limit(1)
        claim = (update(RenderJob).where(RenderJob.id.in_(skip_locked(ids, self.dialect).scalar_subquery()))
                 .values(status="running", claimed_until=now + lease, attempts=RenderJob.attempts + 1)
                 .returning(RenderJob).execution_options(synchronize_session=False))
        return (await self.session.execute(claim)).scalars().first()

    async def claim_same(self, job: RenderJob, now: datetime, lease: timedelta) -> list[RenderJob]:
        """Claim the other due jobs asking for what `job` makes (commune, period, variant, language): one render
        serves them all."""
        due = or_(RenderJob.status == "pending",
                  (RenderJob.status == "running") & (RenderJob.claimed_until < now))
        ids = select(RenderJob.id).where(due, RenderJob.next_attempt_at <= now, RenderJob.id != job.id,
                                         RenderJob.commune_id == job.commune_id, RenderJob.period == job.period,
                                         RenderJob.party == job.party, RenderJob.language == job.language,
                                         RenderJob.province == job.province)
        claim = (update(RenderJob).where(RenderJob.id.in_(skip_locked(ids, self.dialect).scalar_subquery()))
                 .values(status="running", claimed_until=now + lease, attempts=RenderJob.attempts + 1)
                 .returning(RenderJob).execution_options(synchronize_session=False))
        return sorted((await self.session.execute(claim)).scalars(), key=lambda row: row.id)

    async def unfinished_chats(self, commune_id: int, period: str, party: bool) -> set[tuple[str, str]]:
        """(channel, chat id) of the jobs still to be done for these files: /tonghop asked again waits for them."""
        query = select(RenderJob.channel, RenderJob.chat_id).where(
            RenderJob.status.in_(("pending", "running")), RenderJob.commune_id == commune_id,
            RenderJob.period == period, RenderJob.party == party, RenderJob.province == "")
        return {(channel, chat_id) for channel, chat_id in (await self.session.execute(query)).all()}

    async def finish(self, job: RenderJob, now: datetime, *, failed: bool = False, error: str = "") -> bool:
        """Mark the job done (or failed) while this claim still holds; False: another worker has it or had it."""
        return await self._if_claimed(job, status="failed" if failed else "done", finished_at=now,
                                      claimed_until=None, error=error[:500])

    async def retry(self, job: RenderJob, error: str, next_attempt_at: datetime) -> bool:
        """Hand the job back to be tried again at `next_attempt_at` (the attempt stays counted)."""
        return await self._if_claimed(job, status="pending", next_attempt_at=next_attempt_at, claimed_until=None,
                                      error=error[:500])

    async def release(self, job: RenderJob) -> bool:
        """Hand an unfinished job back at once, its attempt not counted (a graceful stop, not a failure)."""
        return await self._if_claimed(job, status="pending", claimed_until=None, attempts=job.attempts - 1)

    async def _if_claimed(self, job: RenderJob, **values: Any) -> bool:
        # `attempts` grows with every claim, so it tells this claim from a later one by another worker.
        result = await self.session.execute(
            update(RenderJob).where(RenderJob.id == job.id, RenderJob.status == "running",
                                    RenderJob.attempts == job.attempts)
            .values(**values).execution_options(synchronize_session=False))
        return result.rowcount == 1

    async def get(self, key: str) -> RenderJob | None:
        query = select(RenderJob).where(RenderJob.key == key).execution_options(populate_existing=True)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def purge_finished_before(self, cutoff: datetime, limit: int) -> int:
        """Delete up to `limit` done or failed jobs finished before `cutoff` (retention); pending ones stay."""
        ids = skip_locked(select(RenderJob.id).where(RenderJob.status.in_(("done", "failed")),
                                                     RenderJob.finished_at < cutoff).limit(limit), self.dialect)
        result = await self.session.execute(delete(RenderJob).where(RenderJob.id.in_(ids.scalar_subquery()))
                                            .execution_options(synchronize_session=False))
        return result.rowcount
