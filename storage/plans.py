"""The plans communes loaded (`mttq-bot plan load`): each version kept, with its year and content hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PlanVersion


class PlanRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, commune_id: int, year: int, content: str, content_hash: str, source: str,
                  now: datetime) -> PlanVersion:
        row = PlanVersion(commune_id=commune_id, year=year, content=content, content_hash=content_hash,
                          source=source[:200], loaded_at=now)
        self.session.add(row)
        await self.session.flush()
        return row

    async def latest(self, commune_id: int, year: int) -> PlanVersion | None:
        query = (select(PlanVersion).where(PlanVersion.commune_id == commune_id, PlanVersion.year == year)
                 .order_by(PlanVersion.id.desc()).limit(1))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def stamp(self) -> tuple[int, int]:
        """(rows, highest id): changes whenever a plan is loaded, read once a minute by the running bot."""
        row = (await self.session.execute(select(func.count(), func.max(PlanVersion.id)))).one()
        return int(row[0]), int(row[1] or 0)

    async def in_use(self) -> list[PlanVersion]:
        """The latest version of each commune and year."""
        newest = (select(func.max(PlanVersion.id)).group_by(PlanVersion.commune_id, PlanVersion.year))
        query = select(PlanVersion).where(PlanVersion.id.in_(newest)).order_by(PlanVersion.id)
        return list((await self.session.execute(query)).scalars())
