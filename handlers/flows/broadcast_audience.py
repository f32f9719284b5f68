"""Who a broadcast reaches, and queueing it: one outbox row per recipient chat, in the caller's transaction."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.i18n import Translator
from core.messages import PRIORITY_BROADCAST, Reply
from core.roles import REPORTER
from storage.addressing import PersonChats, Target, enqueue_each, targets_of
from storage.broadcasts import message_key
from storage.models import Broadcast
from storage.repositories import Repositories

# Audience kinds, in menu order. Stored as {"kind": …, "unit_ids": […], "unit_kind": …, "role": …}.
REPORTERS, UNITS, UNIT_KIND, ROLE, GROUPS, EVERYONE = "reporters", "units", "unit_kind", "role", "groups", "all"
AUDIENCE_KINDS = (REPORTERS, UNITS, UNIT_KIND, ROLE, GROUPS, EVERYONE)


@dataclass
class Recipients:
    """The chats an audience resolves to, and how many people have no chat the bot can reach."""

    targets: list[Target] = field(default_factory=list)
    people: int = 0
    unreachable_people: int = 0
    groups: int = 0

    def per_channel(self) -> dict[str, int]:
        return dict(sorted(Counter(t.channel for t in self.targets).items()))


async def resolve(repos: Repositories, commune_id: int, audience: dict[str, Any], default_language: str) -> Recipients:
    """The distinct active chats an audience means right now (people's private chats and registered groups)."""
    kind = audience["kind"]
    people: list[PersonChats] = []
    if kind == REPORTERS:
        people = await repos.addresses.people(commune_id, roles=[REPORTER])
    elif kind == UNITS:
        people = await repos.addresses.people(commune_id, roles=[REPORTER], unit_ids=audience["unit_ids"])
    elif kind == UNIT_KIND:
        people = await repos.addresses.people(commune_id, roles=[REPORTER], unit_kind=audience["unit_kind"])
    elif kind == ROLE:
        people = await repos.addresses.people(commune_id, roles=[audience["role"]])
    elif kind == EVERYONE:
        people = await repos.addresses.people(commune_id)
    groups: list[Target] = []
    if kind in (GROUPS, EVERYONE):
        groups = await repos.addresses.groups(commune_id, "broadcasts", default_language)
    recipients = Recipients(people=len(people), unreachable_people=sum(1 for p in people if not p.chats))
    seen: set[tuple[str, str]] = set()
    for target in [*targets_of(people), *groups]:
        if (target.channel, target.chat_id) not in seen:
            seen.add((target.channel, target.chat_id))
            recipients.targets.append(target)
            recipients.groups += target.group
    return recipients


async def queue_broadcast(repos: Repositories, translator: Translator, *, commune_id: int, person_id: int,
                          sender: str, text: str, audience: dict[str, Any], recipients: Recipients,
                          now: datetime) -> Broadcast:
    """Store the broadcast and one outbox row per chat, so a restart resumes and nobody gets it twice."""
    broadcast = await repos.broadcasts.add(Broadcast(commune_id=commune_id, person_id=person_id, text=text,
                                                     audience=audience, recipients=len(recipients.targets),
                                                     created_at=now))

    def message(language: str) -> dict[str, Any]:
        wording = translator.for_language(language)("broadcast.message", sender=sender, text=text)
        return Reply(text=wording, language=language).to_payload()

    await enqueue_each(repos.outbox, recipients.targets, message, key=message_key(broadcast.id),
                       now=now, priority=PRIORITY_BROADCAST)
    await repos.audit.record(at=now, person_id=person_id, entity="broadcast", entity_id=broadcast.id,
                             action="create", after={"audience": audience, "recipients": broadcast.recipients})
    return broadcast
