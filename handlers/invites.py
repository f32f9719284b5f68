"""Invite codes: unguessable (80 bits), single-use, expiring; only their hash is stored."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.invite_codes import CODE_LENGTH, new_code, normalise_code
from storage.models import Invite, Person
from storage.repositories import Repositories

MAX_FAILED_ATTEMPTS = 5  # per sender and ATTEMPT_WINDOW: a typo or two is fine, guessing is not
ATTEMPT_WINDOW = timedelta(hours=1)


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


async def create_invite(repos: Repositories, *, commune_id: int, role: str, unit_id: int | None, now: datetime,
                        ttl: timedelta, person_name: str = "", person_id: int | None = None) -> str:
    """Store a new invite and return its code (shown once; it cannot be recovered later).

    With `person_id` (an imported person), the code registers the sender as that person instead of a new one.
    """
    code = new_code()
    await repos.invites.add(Invite(code_hash=code_hash(code), commune_id=commune_id, unit_id=unit_id, role=role,
                                   person_name=person_name, created_at=now, expires_at=now + ttl,
                                   person_id=person_id))
    return code


@dataclass(frozen=True, slots=True)
class Redeemed:
    person: Person | None = None
    problem: str | None = None  # "unknown", "used", "expired", "malformed"


async def redeem(repos: Repositories, code: str, *, channel: str, external_id: str, display_name: str,
                 language: str, now: datetime) -> Redeemed:
    """Bind the sender to a new person with the invite's role and unit, using the invite up."""
    if len(normalise_code(code)) != CODE_LENGTH:
        return Redeemed(problem="malformed")
    invite = await repos.invites.by_hash(code_hash(code))
    if invite is None:
        return Redeemed(problem="unknown")
    if invite.used_at is not None:
        return Redeemed(problem="used")
    if invite.expires_at <= now:
        return Redeemed(problem="expired")
    if invite.person_id is not None:
        return await _redeem_for(repos, invite, channel=channel, external_id=external_id, now=now)
    if not await repos.invites.claim(invite, now):  # another registration took it since we read it
        return Redeemed(problem="used")
    name = (invite.person_name or display_name or external_id)[:120]
    person = await repos.directory.add(Person(commune_id=invite.commune_id, unit_id=invite.unit_id, name=name,
                                              role=invite.role, language=language, created_at=now))
    await repos.directory.bind_identity(person.id, channel, external_id)  # a deactivated person's account moves
    await repos.invites.mark_used(invite, person.id, now)
    return Redeemed(person=person)


async def _redeem_for(repos: Repositories, invite: Invite, *, channel: str, external_id: str,
                      now: datetime) -> Redeemed:
    """An invite made for an imported person: the sender becomes that person, unless they were deactivated since."""
    person = await repos.directory.person(invite.person_id)
    if person is None or not person.active:
        return Redeemed(problem="unknown")
    if not await repos.invites.claim(invite, now):  # another registration took it since we read it
        return Redeemed(problem="used")
    await repos.directory.bind_identity(person.id, channel, external_id)
    await repos.invites.mark_used(invite, person.id, now)
    return Redeemed(person=person)
