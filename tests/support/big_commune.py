"""A commune that outgrows one message: the demo commune plus 40 villages with long names, so every list the bot
shows (units, people, reports, group chats) has to be cut into pages of at most core.menus.MESSAGE_CHARS
(issue 15.7)."""

from __future__ import annotations

from storage.models import Chat, Unit

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


GROUPS = 15


def group_title(number: int) -> str:
    """A group chat's title as communes name them: the village's, distinct by its number."""
    return f"Nhóm MTTQ thôn Khuổi Luông Trên {number}"


async def add_groups(app, count: int = GROUPS, channel: str = "zalo") -> list[str]:
    """Register `count` group chats of the demo commune (each receiving everything, as registered groups do)."""
    names = [group_title(n) for n in range(1, count + 1)]
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        for number, name in enumerate(names, start=1):
            await repos.directory.add(Chat(channel=channel, external_id=f"group-{number}", kind="group",
                                           commune_id=commune.id, title=name, registered=True, active=True))
    return names
