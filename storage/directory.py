"""Communes, units, people, identities, baselines and invites."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.roles import PROVINCE
from storage import unit_memo
from storage.models import Baseline, Commune, Identity, Invite, Person, Unit
from storage.unit_memo import UnitRow


class DirectoryRepo:
    """Who is who: the commune's units and the people bound to them."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, row):
        self.session.add(row)
        await self.session.flush()
        return row

    async def commune(self, commune_id: int) -> Commune | None:
        return await self.session.get(Commune, commune_id)

    async def commune_by_name(self, name: str, province: str) -> Commune | None:
        query = select(Commune).where(Commune.name == name, Commune.province == province)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def communes(self) -> list[Commune]:
        return list((await self.session.execute(select(Commune).order_by(Commune.id))).scalars())

    async def provinces_with_viewers(self) -> list[str]:
        """The provinces that have an active province viewer (whose pages are worth keeping warm)."""
        query = (select(Commune.province).join(Person, Person.commune_id == Commune.id)
                 .where(Person.role == PROVINCE, Person.active.is_(True)).distinct().order_by(Commune.province))
        return list((await self.session.execute(query)).scalars())

    async def unit(self, unit_id: int) -> Unit | None:
        return await self.session.get(Unit, unit_id)

    async def unit_row(self, unit_id: int) -> UnitRow | None:
        """The unit's columns as a plain row, for a screen that only shows it (no ORM object: a report starts
        with one, and reading it through the ORM was a visible share of that message's CPU); not read again
        when this transaction has it already (storage/unit_memo.py)."""
        kept = unit_memo.memo(self.session)
        row = kept.get(unit_id)
        if row is None:
            found = (await self.session.execute(_UNIT_ROW, {"id": unit_id})).one_or_none()
            if found is None:
                return None
            row = kept[unit_id] = UnitRow(*found)
        return row

    async def units(self, commune_id: int, *, active_only: bool = True) -> list[Unit]:
        query = select(Unit).where(Unit.commune_id == commune_id)
        if active_only:
            query = query.where(Unit.active.is_(True))
        return list((await self.session.execute(query.order_by(Unit.id))).scalars())

    async def unit_names(self, commune_id: int, unit_ids) -> dict[int, str]:
        """{id: name} of these units of the commune only: a screen that names one or two units reads those, not
        the commune's 2,000 (tests/handlers/test_reads_scale.py)."""
        wanted = {int(unit_id) for unit_id in unit_ids if unit_id is not None}
        if not wanted:
            return {}
        kept = unit_memo.memo(self.session)
        if wanted <= kept.keys():  # the usual confirmation: the reporter's own unit, read with the batch
            return {unit_id: kept[unit_id].name for unit_id in wanted if kept[unit_id].commune_id == commune_id}
        rows = await self.session.execute(_UNIT_NAMES, {"commune_id": commune_id, "ids": sorted(wanted)})
        return {unit_id: name for unit_id, name in rows.all()}

    async def unit_by_name(self, commune_id: int, name: str) -> Unit | None:
        query = select(Unit).where(Unit.commune_id == commune_id, Unit.name == name)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def person(self, person_id: int) -> Person | None:
        return await self.session.get(Person, person_id)

    async def people(self, commune_id: int) -> list[Person]:
        query = select(Person).where(Person.commune_id == commune_id).order_by(Person.id)
        return list((await self.session.execute(query)).scalars())

    async def person_by_identity(self, channel: str, external_id: str) -> Person | None:
        query = (select(Person).join(Identity, Identity.person_id == Person.id)
                 .where(Identity.channel == channel, Identity.external_id == external_id))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def identities(self, person_id: int) -> list[Identity]:
        query = select(Identity).where(Identity.person_id == person_id).order_by(Identity.id)
        return list((await self.session.execute(query)).scalars())

    async def set_language(self, person: Person, language: str) -> None:
        person.language = language
        await self.session.flush()

    async def bind_identity(self, person_id: int, channel: str, external_id: str) -> Identity:
        """Bind a channel account to a person, moving it if it belonged to someone else (e.g. deactivated)."""
        query = select(Identity).where(Identity.channel == channel, Identity.external_id == external_id)
        identity = (await self.session.execute(query)).scalar_one_or_none()
        if identity is None:
            return await self.add(Identity(person_id=person_id, channel=channel, external_id=external_id))
        identity.person_id = person_id
        await self.session.flush()
        return identity

    async def set_baseline(self, unit_id: int, year: int, key: str, value: int) -> None:
        query = select(Baseline).where(Baseline.unit_id == unit_id, Baseline.year == year, Baseline.key == key)
        row = (await self.session.execute(query)).scalar_one_or_none()
        if row is None:
            self.session.add(Baseline(unit_id=unit_id, year=year, key=key, value=value))
        else:
            row.value = value
        await self.session.flush()

    async def baselines(self, commune_id: int, year: int) -> list[Baseline]:
        query = (select(Baseline).join(Unit, Unit.id == Baseline.unit_id)
                 .where(Unit.commune_id == commune_id, Baseline.year == year))
        return list((await self.session.execute(query)).scalars())


    async def all_baselines(self, commune_id: int) -> dict[tuple[int, int, str], int]:
        """Every year's figures of the commune's units: (unit id, year, key) -> value."""
        query = (select(Baseline).join(Unit, Unit.id == Baseline.unit_id).where(Unit.commune_id == commune_id))
        return {(b.unit_id, b.year, b.key): b.value for b in (await self.session.execute(query)).scalars()}

    async def baseline_rows(self, commune_id: int) -> dict[tuple[int, int, str], Baseline]:
        """The rows behind all_baselines, for an import to change in place."""
        query = (select(Baseline).join(Unit, Unit.id == Baseline.unit_id).where(Unit.commune_id == commune_id))
        return {(b.unit_id, b.year, b.key): b for b in (await self.session.execute(query)).scalars()}

    async def people_without_identity(self, commune_id: int) -> list[Person]:
        """Active people nobody has registered as yet: those an invite sheet is for."""
        registered = select(Identity.person_id)
        query = (select(Person).where(Person.commune_id == commune_id, Person.active.is_(True),
                                      Person.role != PROVINCE, Person.id.not_in(registered)).order_by(Person.id))
        return list((await self.session.execute(query)).scalars())


class InviteRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, invite: Invite) -> Invite:
        self.session.add(invite)
        await self.session.flush()
        return invite

    async def by_hash(self, code_hash: str) -> Invite | None:
        query = select(Invite).where(Invite.code_hash == code_hash)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def claim(self, invite: Invite, now: datetime) -> bool:
        """Use the invite up if nobody has yet: one conditional UPDATE, so of two transactions racing for it exactly
        one wins (PostgreSQL re-checks `used_at IS NULL` after the other's commit; SQLite has one writer)."""
        result = await self.session.execute(
            update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None)).values(used_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return False
        invite.used_at = now
        return True

    async def mark_used(self, invite: Invite, person_id: int, now: datetime) -> None:
        """Record who used a claimed invite (`claim` first: this one does not check it was free)."""
        invite.used_at = now
        invite.used_by = person_id
        await self.session.flush()


# Built once (every report confirmation asks): building and cache-keying the select cost more than running it.
_UNIT_NAMES = select(Unit.id, Unit.name).where(Unit.commune_id == bindparam("commune_id"),
                                               Unit.id.in_(bindparam("ids", expanding=True)))
_UNIT_ROW = select(*Unit.__table__.c).where(Unit.id == bindparam("id"))
