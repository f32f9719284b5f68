"""Many registered village heads at once, for the benchmarks (bench/ puts tests/ on its path)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from storage.models import Identity, Person


async def add_reporters(repos, commune_id: int, count: int, *, channel: str, external_id: Callable[[int], str],
                        created_at: datetime) -> None:
    """`count` reporters "Trưởng thôn n", spread over the commune's villages in turn, each known on `channel` as
    `external_id(n)`."""
    villages = [u for u in await repos.directory.units(commune_id) if u.kind == "village"]
    for n in range(count):
        person = await repos.directory.add(Person(commune_id=commune_id, unit_id=villages[n % len(villages)].id,
                                                  name=f"Trưởng thôn {n}", role="reporter", created_at=created_at))
        await repos.directory.add(Identity(person_id=person.id, channel=channel, external_id=external_id(n)))
