"""Test data for broadcasts: many people with private chats on several channels, and registered groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.channels.base import ChatGoneError
from core.messages import Reply
from storage.models import Chat, Person
from storage.repositories import Repositories


@dataclass
class Population:
    commune_id: int
    chats_by_role: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    chats_by_unit: dict[int, set[tuple[str, str]]] = field(default_factory=dict)
    chats_by_kind: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    groups: set[tuple[str, str]] = field(default_factory=set)


async def populate(repos: Repositories, now: datetime, *, reporters: int, channels: tuple[str, ...] = ("zalo",),
                   groups: int = 0, without_chat: int = 0) -> Population:
    """Reporters spread over the demo commune's units (round robin), each with one private chat."""
    commune = (await repos.directory.communes())[0]
    units = [u for u in await repos.directory.units(commune.id) if u.kind != "commune"]
    population = Population(commune.id)
    people = [Person(commune_id=commune.id, unit_id=units[n % len(units)].id, name=f"Người {n:03d}", role="reporter",
                     created_at=now) for n in range(reporters + without_chat)]
    repos.session.add_all(people)
    await repos.session.flush()
    for n, person in enumerate(people[:reporters]):  # the rest never messaged the bot: no chat to reach them
        key = (channels[n % len(channels)], f"p{n:03d}")
        repos.session.add(Chat(channel=key[0], external_id=key[1], kind="private", person_id=person.id,
                               commune_id=commune.id))
        unit = units[n % len(units)]
        population.chats_by_role.setdefault("reporter", set()).add(key)
        population.chats_by_unit.setdefault(unit.id, set()).add(key)
        population.chats_by_kind.setdefault(unit.kind, set()).add(key)
    for n in range(groups):
        key = (channels[n % len(channels)], f"g{n}")
        await repos.directory.add(Chat(channel=key[0], external_id=key[1], kind="group", commune_id=commune.id,
                                       title=f"Nhóm {n}", registered=True))
        population.groups.add(key)
    return population


@dataclass
class ChannelRecorder:
    """A sender for one channel that records deliveries; chats in `gone` raise ChatGoneError (blocked the bot)."""

    channel: str
    gone: frozenset[str] = frozenset()
    sent: list[tuple[str, Reply]] = field(default_factory=list)

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        if chat_id in self.gone:
            raise ChatGoneError("blocked by user")
        self.sent.append((chat_id, reply))
