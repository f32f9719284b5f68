"""Who is looking, and at what: a session's person and the set of communes their role lets them see."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from core.roles import PROVINCE  # a province viewer sees every commune of their province
from storage.models import Person
from storage.repositories import Repositories
from summaries.province import province_communes, province_of


@dataclass(frozen=True, slots=True)
class Viewer:
    session_id: int
    csrf_token: str
    person_id: int
    name: str
    role: str
    language: str
    commune_ids: tuple[int, ...]  # never empty; one for every commune role

    def commune(self, requested: str | None) -> int:
        """The commune a page shows: `?xa=` when it is in scope, else the first; another's id is a 404."""
        if not requested:
            return self.commune_ids[0]
        if not requested.isdigit() or int(requested) not in self.commune_ids:
            raise web.HTTPNotFound()
        return int(requested)

    @property
    def province(self) -> bool:
        """A province viewer: numbers and unit names of every commune of the province, no people."""
        return self.role == PROVINCE

    def sees(self, commune_id: int | None) -> bool:
        return commune_id is not None and commune_id in self.commune_ids


async def commune_scope(repos: Repositories, person: Person) -> tuple[int, ...]:
    """The communes the person may see: their own, or for a province role all of their province's."""
    if person.role != PROVINCE:
        return (person.commune_id,)
    province = await province_of(repos, person.commune_id)
    communes = await province_communes(repos, province) if province else []
    return tuple(c.id for c in communes) or (person.commune_id,)
