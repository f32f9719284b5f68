"""What chat administration (/donvi, /nguoi, /chiso) reads and changes in the directory, beyond DirectoryRepo."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import PROVINCE
from core.vnparse import fold
from storage.models import Baseline, Person, Unit


class DirectoryAdminRepo:
    """Units and people as an administrator sees them: inactive ones included, changed one at a time."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all_units(self, commune_id: int) -> list[Unit]:
        """Every unit of the commune, active ones first, each group in creation order."""
        query = select(Unit).where(Unit.commune_id == commune_id).order_by(Unit.active.desc(), Unit.id)
        return list((await self.session.execute(query)).scalars())

    async def named_elsewhere(self, commune_id: int, name: str) -> bool:
        """Whether another commune has a unit of this name (diacritics and case aside, as typed): to tell "not
        yours" from "no such unit". Read only on that refusal path, so comparing in Python is cheap enough."""
        wanted = fold(name)
        query = select(Unit.name).where(Unit.commune_id != commune_id)
        return any(fold(other) == wanted for other in (await self.session.execute(query)).scalars())

    async def people_of_unit(self, commune_id: int, unit_id: int | None) -> list[Person]:
        """The unit's people (or the commune's people without a unit), active ones first."""
        unit_test = Person.unit_id.is_(None) if unit_id is None else Person.unit_id == unit_id
        # a province viewer anchored on this commune is the province's, not the commune's to change
        query = (select(Person).where(Person.commune_id == commune_id, unit_test, Person.role != PROVINCE)
                 .order_by(Person.active.desc(), Person.id))
        return list((await self.session.execute(query)).scalars())

    async def has_people_without_unit(self, commune_id: int) -> bool:
        query = select(Person.id).where(Person.commune_id == commune_id, Person.unit_id.is_(None),
                                        Person.role != PROVINCE).limit(1)
        return (await self.session.execute(query)).first() is not None

    async def active_admins(self, commune_id: int) -> int:
        query = select(func.count()).select_from(Person).where(
            Person.commune_id == commune_id, Person.role == "admin", Person.active.is_(True))
        return int((await self.session.execute(query)).scalar_one())

    async def active_people_in_unit(self, unit_id: int) -> int:
        query = select(func.count()).select_from(Person).where(Person.unit_id == unit_id, Person.active.is_(True))
        return int((await self.session.execute(query)).scalar_one())

    async def unit_baselines(self, unit_id: int, year: int) -> dict[str, int]:
        query = select(Baseline.key, Baseline.value).where(Baseline.unit_id == unit_id, Baseline.year == year)
        return dict((await self.session.execute(query)).all())

    async def change(self, row: Unit | Person, **values: object) -> dict[str, object]:
        """Set the row's fields and return what they were (for the audit log)."""
        before = {name: getattr(row, name) for name in values}
        for name, value in values.items():
            setattr(row, name, value)
        await self.session.flush()
        return before
