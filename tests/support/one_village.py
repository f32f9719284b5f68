"""The smallest commune a storage test needs: one village and one reporter in it."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database
from storage.models import Commune, Person, Unit


async def one_village(db: Database, name: str, now: datetime) -> tuple[int, int, int]:
    """A commune `name` (Thái Nguyên) with one village and one reporter: (commune id, unit id, person id)."""
    async with db.transaction() as repos:
        commune = await repos.directory.add(Commune(name=name, province="Thái Nguyên"))
        unit = await repos.directory.add(Unit(commune_id=commune.id, name="Thôn A", kind="village"))
        person = await repos.directory.add(Person(commune_id=commune.id, unit_id=unit.id, name="Bà Lan",
                                                  role="reporter", created_at=now))
        return commune.id, unit.id, person.id
