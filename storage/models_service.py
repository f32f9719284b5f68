"""The service tables: failed invite attempts, render jobs, dashboard logins and sessions, the health beat,
strangers' notices and the province page's kept rows. Kept apart from the directory and messaging tables in
storage/models.py, which re-exports them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import utc_field as _when


class InviteAttempt(SQLModel, table=True):
    """A failed /start CODE from one sender: counted to slow down guessing (rate limit per sender)."""

    __table_args__ = (Index("ix_inviteattempt_sender_at", "channel", "sender_id", "attempted_at"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    sender_id: str = Field(max_length=64)
    attempted_at: datetime = _when()


class RenderJob(SQLModel, table=True):
    """A /tonghop's files still to make: recorded in the message's transaction, rendered after its commit.

    Claimed with a lease as the outbox rows are (status "running" until `claimed_until`); `attempts` counts
    claims and is also the claim's token, so a worker whose lease lapsed cannot finish a job twice.
    """

    __table_args__ = (Index("ix_renderjob_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)  # from the inbound message; the file replies' dedupe keys
    commune_id: int = Field(foreign_key="commune.id")
    period: str = Field(max_length=10)  # Period.key: 2026-Q1, 2026-H1, 2026-9M, 2026
    party: bool = False  # the Party Committee's variant of the DOCX
    province: str = Field(default="", max_length=120)  # set: a province viewer's side-by-side summary of it
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    language: str = Field(default="vi", max_length=5)  # the reader's: captions, chart, failure message
    requested_at: datetime = _when()  # the chat text's `now`: the files are compiled as of the same moment
    status: str = Field(default="pending", max_length=10)  # pending, running, done, failed
    attempts: int = 0
    next_attempt_at: datetime = _when()
    claimed_until: datetime | None = _when(nullable=True)
    finished_at: datetime | None = _when(nullable=True)
    error: str = Field(default="", max_length=500)


class WebLogin(SQLModel, table=True):
    """A single-use dashboard login link sent by /web: only the token's hash is kept."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = _when()
    expires_at: datetime = _when()
    used_at: datetime | None = _when(nullable=True)


class WebSession(SQLModel, table=True):
    """A dashboard session opened by a login link; the cookie's id is kept only as a hash."""

    id: int | None = Field(default=None, primary_key=True)
    session_hash: str = Field(max_length=64, unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    csrf_token: str = Field(max_length=64)  # the log-out form's token: random, tied to this session
    created_at: datetime = _when()
    expires_at: datetime = _when()
    ended_at: datetime | None = _when(nullable=True)


class Heartbeat(SQLModel, table=True):
    """One row /healthz rewrites: proof that the database still accepts a write, not only a read."""

    id: int | None = Field(default=None, primary_key=True)
    beat_at: datetime = _when()


class StrangerNotice(SQLModel, table=True):
    """How often an unregistered sender was answered today: the explanation once, one reminder, then silence."""

    __table_args__ = (UniqueConstraint("channel", "sender_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    sender_id: str = Field(max_length=64)
    day: date  # business day of the answers counted
    answers: int = 0


class ProvinceRow(SQLModel, table=True):
    """A commune's row of the province page for one period, as compiled from data whose version is `version`
    (bot/dashboard/province_cache.py): kept in the database so a restart reuses it instead of reading the
    province's 100,000 reports again. A derived copy: deleting every row loses nothing."""

    commune_id: int = Field(foreign_key="commune.id", primary_key=True)
    period_key: str = Field(max_length=10, primary_key=True)  # 2026-Q4, 2026-H1, 2026-9M, 2026
    columns: str = Field(max_length=64, primary_key=True)  # digest of the indicator columns the cells follow
    version: str = Field(max_length=64)  # digest of everything the row was compiled from (summaries/row_version.py)
    row: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    made_at: datetime = _when()
