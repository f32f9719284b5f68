"""A commune that outgrows one message: the demo commune plus 40 villages with long names, so every list the bot
shows (units, people, reports) has to be cut into pages of at most core.menus.MESSAGE_CHARS (issue 15.7)."""

from __future__ import annotations

from storage.models import Unit

VILLAGES = 40


def village_name(number: int) -> str:
    """A long, realistic name, distinct from the others by its number (as real lists of thôn often are)."""
    return f"Thôn Khuổi Luông Trên Xã Nam Cường số {number}"


async def add_villages(app, count: int = VILLAGES) -> list[str]:
    """Add `count` villages to the demo commune; their names in the order menus list them (after the demo's)."""
    names = [village_name(n) for n in range(1, count + 1)]
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        for name in names:
            await repos.directory.add(Unit(commune_id=commune.id, name=name, kind="village"))
    return names
