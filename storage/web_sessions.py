"""Dashboard login links and sessions: single-use links, sessions that expire or end; only hashes stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Person, WebLogin, WebSession


class WebSessionRepo:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_login(self, token_hash: str, person_id: int, now: datetime, expires_at: datetime) -> None:
        self.session.add(WebLogin(token_hash=token_hash, person_id=person_id, created_at=now, expires_at=expires_at))
        await self.session.flush()

    async def login(self, token_hash: str) -> WebLogin | None:
        query = select(WebLogin).where(WebLogin.token_hash == token_hash)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def use_login(self, login_id: int, now: datetime) -> bool:
        """Mark the link used; False when it was used (or expired) already — one conditional UPDATE, so two
        requests racing with the same link cannot both win."""
        result = await self.session.execute(
            update(WebLogin).where(WebLogin.id == login_id, WebLogin.used_at.is_(None), WebLogin.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False))
        return result.rowcount == 1

    async def open(self, session_hash: str, person_id: int, csrf_token: str, now: datetime,
                   expires_at: datetime) -> None:
        self.session.add(WebSession(session_hash=session_hash, person_id=person_id, csrf_token=csrf_token,
                                    created_at=now, expires_at=expires_at))
        await self.session.flush()

    async def live(self, session_hash: str, now: datetime) -> tuple[WebSession, Person] | None:
        """The session and its person, while unexpired, not ended and the person still active."""
        query = (select(WebSession, Person).join(Person, Person.id == WebSession.person_id)
                 .where(WebSession.session_hash == session_hash, WebSession.ended_at.is_(None),
                        WebSession.expires_at > now, Person.active.is_(True)))
        row = (await self.session.execute(query)).first()
        return (row[0], row[1]) if row else None

    async def end(self, session_id: int, now: datetime) -> None:
        await self.session.execute(update(WebSession).where(WebSession.id == session_id).values(ended_at=now)
                                   .execution_options(synchronize_session=False))
