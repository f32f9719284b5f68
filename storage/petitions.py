"""Petitions and recommendations (kiến nghị): numbering, lookup, lifecycle updates, overdue selection."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_duplicates
from storage.models import Petition, PetitionCounter, Report

OPEN_STATUSES = ("tiep_nhan", "da_chuyen")  # mirrors plan.petition_lifecycle.OPEN


class PetitionRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def next_number(self, commune_id: int, year: int) -> int:
        """The next number of a commune's year, taken inside the caller's transaction.

        The counter row is incremented with a single UPDATE: concurrent transactions queue on its row
        lock (PostgreSQL) or on the write lock (SQLite), so two petitions never get the same number.
        """
        await insert_ignoring_duplicates(self.session, self.dialect, PetitionCounter.__table__,
                                         {"commune_id": commune_id, "year": year, "last_number": 0})
        where = (PetitionCounter.commune_id == commune_id, PetitionCounter.year == year)
        await self.session.execute(update(PetitionCounter).where(*where)
                                   .values(last_number=PetitionCounter.last_number + 1)
                                   .execution_options(synchronize_session=False))
        query = select(PetitionCounter.last_number).where(*where)
        return (await self.session.execute(query)).scalar_one()

    async def create(self, petition: Petition) -> Petition:
        """Number and store a new petition (its year and commune must be set)."""
        petition.number = await self.next_number(petition.commune_id, petition.year)
        self.session.add(petition)
        await self.session.flush()
        return petition

    async def data_version(self, commune_id: int) -> tuple:
        """Changes whenever a petition of the commune is recorded or updated (see ReportRepo.data_version)."""
        query = select(func.count(), func.max(Petition.updated_at)).where(Petition.commune_id == commune_id)
        return tuple((await self.session.execute(query)).one())

    async def data_versions(self, commune_ids: list[int]) -> dict[int, tuple]:
        """data_version of many communes in one statement."""
        query = (select(Petition.commune_id, func.count(), func.max(Petition.updated_at))
                 .where(Petition.commune_id.in_(commune_ids)).group_by(Petition.commune_id))
        found = {row[0]: tuple(row[1:]) for row in (await self.session.execute(query)).all()}
        return {commune_id: found.get(commune_id, (0, None)) for commune_id in commune_ids}

    async def get(self, petition_id: int) -> Petition | None:
        return await self.session.get(Petition, petition_id)

    async def by_reference(self, commune_id: int, year: int, number: int) -> Petition | None:
        query = select(Petition).where(Petition.commune_id == commune_id, Petition.year == year,
                                       Petition.number == number)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def open_items(self, commune_id: int, unit_id: int | None = None) -> list[Petition]:
        """Items still waiting for an answer, oldest first; of one unit when `unit_id` is given."""
        query = select(Petition).where(Petition.commune_id == commune_id, Petition.status.in_(OPEN_STATUSES))
        if unit_id is not None:
            query = query.where(Petition.unit_id == unit_id)
        return list((await self.session.execute(query.order_by(Petition.received_on, Petition.id))).scalars())

    async def in_commune(self, commune_id: int, start: date, end: date) -> list[Petition]:
        """Items of a commune received in [start, end] (the summary's 100% indicators count these)."""
        query = (select(Petition).where(Petition.commune_id == commune_id, Petition.received_on >= start,
                                        Petition.received_on <= end)
                 .order_by(Petition.received_on, Petition.id))
        return list((await self.session.execute(query)).scalars())

    async def from_report(self, report_id: int) -> list[Petition]:
        """The items read from a report's answers (not those recorded with /kiennghi that name it), by number."""
        query = (select(Petition).where(Petition.origin_report_id == report_id, Petition.origin_field.is_not(None))
                 .order_by(Petition.id))
        return list((await self.session.execute(query)).scalars())

    async def delete(self, petition: Petition) -> None:
        """Remove an item its report no longer names (its number is not given again; the audit keeps it)."""
        await self.session.delete(petition)
        await self.session.flush()

    async def update(self, petition: Petition, now: datetime, **changes: Any) -> None:
        for name, value in changes.items():
            setattr(petition, name, value)
        petition.updated_at = now
        await self.session.flush()

    async def overdue_unnotified(self, received_before: date, limit: int = 200) -> list[Petition]:
        """Open items received before `received_before` whose staff have not been told yet (all communes)."""
        query = (select(Petition).where(Petition.status.in_(OPEN_STATUSES), Petition.received_on < received_before,
                                        Petition.overdue_notified_at.is_(None))
                 .order_by(Petition.id).limit(limit))
        return list((await self.session.execute(query)).scalars())

    async def origin_reports(self, commune_id: int, form_id: str, year: int, limit: int = 9) -> list[Report]:
        """The latest live reports of a form (supervisions, social criticisms) an item may come from."""
        query = (select(Report).where(Report.commune_id == commune_id, Report.form_id == form_id,
                                      Report.deleted_at.is_(None), Report.activity_date >= date(year, 1, 1))
                 .order_by(Report.activity_date.desc(), Report.id.desc()).limit(limit))
        return list((await self.session.execute(query)).scalars())
