"""The reminder ledger, snoozes, HĐND session dates, the planner's cursor, and what the planner reads."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_ignoring_duplicates
from storage.models import (
    HdndSession,
    Person,
    ReminderCursor,
    ReminderOccurrence,
    ReminderSnooze,
    Report,
)


class ReminderRepo:
    """Everything the reminder tick and the reminder conversations store."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def claim(self, key: str, *, commune_id: int, status: str, due_at: datetime, now: datetime) -> bool:
        """Insert an occurrence's key; False when another run already claimed it (then send nothing)."""
        return await insert_ignoring_duplicates(self.session, self.dialect, ReminderOccurrence.__table__, {
            "key": key, "commune_id": commune_id, "status": status, "due_at": due_at, "claimed_at": now})

    async def pending(self, commune_id: int) -> dict[str, datetime]:
        """Occurrences waiting for their recipient (status "pending"), with the time each may go."""
        query = select(ReminderOccurrence.key, ReminderOccurrence.due_at).where(
            ReminderOccurrence.commune_id == commune_id, ReminderOccurrence.status == "pending")
        return dict((await self.session.execute(query)).all())

    async def next_pending(self, commune_id: int) -> datetime | None:
        query = select(func.min(ReminderOccurrence.due_at)).where(
            ReminderOccurrence.commune_id == commune_id, ReminderOccurrence.status == "pending")
        return (await self.session.execute(query)).scalar_one_or_none()

    async def take_pending(self, key: str, *, status: str, now: datetime) -> bool:
        """Move a pending occurrence to `status`; False when another run took it first (then send nothing)."""
        result = await self.session.execute(
            update(ReminderOccurrence).where(ReminderOccurrence.key == key, ReminderOccurrence.status == "pending")
            .values(status=status, claimed_at=now))
        return result.rowcount == 1

    async def postpone(self, key: str, until: datetime) -> None:
        """A pending occurrence that still has to wait: try it again at `until`."""
        await self.session.execute(
            update(ReminderOccurrence).where(ReminderOccurrence.key == key, ReminderOccurrence.status == "pending")
            .values(due_at=until))

    async def claimed_keys(self, commune_id: int) -> frozenset[str]:
        query = select(ReminderOccurrence.key).where(ReminderOccurrence.commune_id == commune_id)
        return frozenset((await self.session.execute(query)).scalars())

    async def occurrences(self, commune_id: int) -> list[ReminderOccurrence]:
        query = (select(ReminderOccurrence).where(ReminderOccurrence.commune_id == commune_id)
                 .order_by(ReminderOccurrence.id))
        return list((await self.session.execute(query)).scalars())

    async def snooze(self, base_key: str, *, commune_id: int, until: datetime, now: datetime) -> None:
        """Keep a reminder quiet until `until`; a later snooze of the same reminder moves the date."""
        if not await insert_ignoring_duplicates(self.session, self.dialect, ReminderSnooze.__table__, {
                "base_key": base_key, "commune_id": commune_id, "until": until, "created_at": now}):
            await self.session.execute(update(ReminderSnooze).where(ReminderSnooze.base_key == base_key)
                                       .values(until=until, created_at=now))

    async def snoozes(self, commune_id: int) -> dict[str, datetime]:
        query = select(ReminderSnooze.base_key, ReminderSnooze.until).where(ReminderSnooze.commune_id == commune_id)
        return dict((await self.session.execute(query)).all())

    async def add_session(self, commune_id: int, day: date, *, person_id: int | None, now: datetime) -> bool:
        """Record an HĐND session date; False when it was already there."""
        return await insert_ignoring_duplicates(self.session, self.dialect, HdndSession.__table__, {
            "commune_id": commune_id, "day": day, "person_id": person_id, "created_at": now})

    async def sessions(self, commune_id: int) -> list[date]:
        query = select(HdndSession.day).where(HdndSession.commune_id == commune_id).order_by(HdndSession.day)
        return list((await self.session.execute(query)).scalars())

    async def cursor(self, commune_id: int) -> datetime | None:
        query = select(ReminderCursor.planned_through).where(ReminderCursor.commune_id == commune_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def advance_cursor(self, commune_id: int, to: datetime) -> None:
        """Move the cursor forward (never back: a slower concurrent run must not undo a faster one)."""
        if not await insert_ignoring_duplicates(self.session, self.dialect, ReminderCursor.__table__, {
                "commune_id": commune_id, "planned_through": to}):
            await self.session.execute(update(ReminderCursor).where(
                ReminderCursor.commune_id == commune_id, ReminderCursor.planned_through < to)
                .values(planned_through=to))

    async def report_marks(self, commune_id: int, start: date, end: date) -> list[tuple[int, str, date]]:
        """(unit, form, activity date) of the live reports in [start, end]: all the planner needs of them."""
        query = select(Report.unit_id, Report.form_id, Report.activity_date).where(
            Report.commune_id == commune_id, Report.deleted_at.is_(None),
            Report.activity_date >= start, Report.activity_date <= end)
        return [tuple(row) for row in (await self.session.execute(query)).all()]

    async def answered_marks(self, commune_id: int, start: date, end: date,
                             form_ids: tuple[str, ...]) -> list[tuple[int, str, date, dict]]:
        """(unit, form, activity date, answers) of the live reports of these forms: for timeline filters."""
        if not form_ids:
            return []
        query = select(Report.unit_id, Report.form_id, Report.activity_date, Report.answers).where(
            Report.commune_id == commune_id, Report.deleted_at.is_(None), Report.form_id.in_(form_ids),
            Report.activity_date >= start, Report.activity_date <= end)
        return [(u, f, d, dict(a or {})) for u, f, d, a in (await self.session.execute(query)).all()]

    async def active_people(self, commune_id: int) -> list[Person]:
        query = (select(Person).where(Person.commune_id == commune_id, Person.active.is_(True))
                 .order_by(Person.id))
        return list((await self.session.execute(query)).scalars())
