"""The province page's kept rows (models_service.ProvinceRow), and the small tables their versions are made of."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import upsert
from storage.models import Baseline, Commune, HdndSession, ProvinceRow, Unit

KEY = ("commune_id", "period_key", "columns")
CHANGED = ("version", "row", "made_at")


class ProvinceRowRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def kept(self, commune_ids: list[int], period_key: str, columns: str) -> dict[int, tuple[str, dict]]:
        """{commune id: (version, row)} of the rows kept for this period and these columns."""
        query = select(ProvinceRow.commune_id, ProvinceRow.version, ProvinceRow.row).where(
            ProvinceRow.commune_id.in_(commune_ids), ProvinceRow.period_key == period_key,
            ProvinceRow.columns == columns)
        return {commune_id: (version, row) for commune_id, version, row in (await self.session.execute(query)).all()}

    async def keep(self, period_key: str, columns: str, rows: dict[int, tuple[str, dict[str, Any]]],
                   now: datetime) -> None:
        """Store (or replace) these communes' rows: one statement, no read first."""
        values = [{"commune_id": commune_id, "period_key": period_key, "columns": columns, "version": version,
                   "row": row, "made_at": now} for commune_id, (version, row) in rows.items()]
        if values:
            await self.session.execute(upsert(ProvinceRow.__table__, self.dialect, KEY, CHANGED), values)

    async def directory_versions(self, commune_ids: list[int], year: int) -> dict[int, tuple]:
        """Per commune, everything its summary reads besides reports and petitions (which have data versions of
        their own): name and province, every unit, the year's baselines, the council's session dates. A province
        is a few thousand such rows, so they are read whole (4 statements) rather than versioned."""
        found: dict[int, list] = defaultdict(lambda: [None, [], [], []])
        communes = select(Commune.id, Commune.name, Commune.province).where(Commune.id.in_(commune_ids))
        for commune_id, name, province in await self.session.execute(communes):
            found[commune_id][0] = (name, province)
        units = (select(Unit.commune_id, Unit.id, Unit.name, Unit.kind, Unit.active)
                 .where(Unit.commune_id.in_(commune_ids)).order_by(Unit.id))
        for commune_id, *unit in await self.session.execute(units):
            found[commune_id][1].append(tuple(unit))
        baselines = (select(Unit.commune_id, Baseline.unit_id, Baseline.key, Baseline.value)
                     .join(Unit, Unit.id == Baseline.unit_id)
                     .where(Unit.commune_id.in_(commune_ids), Baseline.year == year).order_by(Baseline.id))
        for commune_id, *baseline in await self.session.execute(baselines):
            found[commune_id][2].append(tuple(baseline))
        sessions = (select(HdndSession.commune_id, HdndSession.day).where(HdndSession.commune_id.in_(commune_ids))
                    .order_by(HdndSession.day))
        for commune_id, day in await self.session.execute(sessions):
            found[commune_id][3].append(day)
        return {commune_id: tuple(tuple(part) if isinstance(part, list) else part for part in found[commune_id])
                for commune_id in commune_ids}
