"""The tables. Tenancy from day one: commune → units → people → channel identities and chats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


def _when(nullable: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


class Commune(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("name", "province"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    province: str = Field(max_length=120)  # another xã Nam Cường exists in Hưng Yên: always keep it
    timezone: str = Field(default="Asia/Ho_Chi_Minh", max_length=64)


class Unit(SQLModel, table=True):
    """A reporting unit: the commune committee, a village, an organisation, a Party cell, a board."""

    __table_args__ = (UniqueConstraint("commune_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id", index=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=20)
    active: bool = True


class Baseline(SQLModel, table=True):
    """A per-unit, per-year figure that percent indicators divide by (households, poor households…)."""

    __table_args__ = (UniqueConstraint("unit_id", "year", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    year: int
    key: str = Field(max_length=40)
    value: int = Field(ge=0)


class Person(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id", index=True)
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    name: str = Field(max_length=120)
    role: str = Field(max_length=20)  # admin, chair, staff, reporter, viewer
    language: str = Field(default="vi", max_length=5)
    active: bool = True
    created_at: datetime = _when()


class Identity(SQLModel, table=True):
    """A person's account on one channel; one person may have several."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=64)
    person_id: int = Field(foreign_key="person.id", index=True)


class Chat(SQLModel, table=True):
    """A private or group chat the bot can send to."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=64)
    kind: str = Field(max_length=10)  # private, group
    commune_id: int | None = Field(default=None, foreign_key="commune.id")
    person_id: int | None = Field(default=None, foreign_key="person.id")
    title: str = Field(default="", max_length=200)
    registered: bool = False  # groups: registered by an admin or chair to receive messages
    active: bool = True  # false once the platform says the bot is blocked or the chat is gone


class Invite(SQLModel, table=True):
    """A single-use, expiring registration code; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True)
    commune_id: int = Field(foreign_key="commune.id")
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    role: str = Field(max_length=20)
    person_name: str = Field(default="", max_length=120)
    created_at: datetime = _when()
    expires_at: datetime = _when()
    used_at: datetime | None = _when(nullable=True)
    used_by: int | None = Field(default=None, foreign_key="person.id")


class Report(SQLModel, table=True):
    __table_args__ = (Index("ix_report_unit_form_date", "unit_id", "form_id", "activity_date"),)
    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    form_id: str = Field(max_length=40)
    activity_date: date
    answers: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _when()
    edited_at: datetime | None = _when(nullable=True)
    deleted_at: datetime | None = _when(nullable=True)


class StoredFile(SQLModel, table=True):
    """A photo attached to a report, or a generated document; bytes kept in the database."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # photo, document
    name: str = Field(max_length=200)
    mime: str = Field(max_length=100)
    size: int
    content: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    source: str = Field(default="", max_length=500)  # the platform's file id or URL, for the audit trail
    report_id: int | None = Field(default=None, foreign_key="report.id", index=True)
    created_at: datetime = _when()


class AuditLog(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _when()
    person_id: int | None = Field(default=None, foreign_key="person.id")
    entity: str = Field(max_length=30)
    entity_id: int
    action: str = Field(max_length=20)  # create, edit, delete
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class Conversation(SQLModel, table=True):
    """A half-finished conversation, kept so it resumes after a restart."""

    __table_args__ = (UniqueConstraint("channel", "chat_id", "sender_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    sender_id: str = Field(max_length=64)
    flow: str = Field(max_length=30)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = _when()


class ProcessedUpdate(SQLModel, table=True):
    """The ledger of handled platform updates: a replayed update is recognised and skipped."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=80)
    received_at: datetime = _when()


class Outbox(SQLModel, table=True):
    """Everything the bot sends; written in the transaction that caused it, sent by a worker."""

    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    dedupe_key: str = Field(max_length=200, unique=True)
    priority: int = 0  # 0 reply, 1 reminder, 2 summary, 3 broadcast: lower goes first
    status: str = Field(default="pending", max_length=10)  # pending, sending, sent, failed
    attempts: int = 0
    next_attempt_at: datetime = _when()
    claimed_until: datetime | None = _when(nullable=True)
    sent_at: datetime | None = _when(nullable=True)
    error: str = Field(default="", max_length=500)
    created_at: datetime = _when()
