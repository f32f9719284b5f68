"""The tables. Tenancy from day one: commune → units → people → channel identities and chats."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import utc_field as _when


class Commune(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("name", "province"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    province: str = Field(max_length=120)  # another xã Nam Cường exists in Hưng Yên: always keep it
    timezone: str = Field(default="Asia/Ho_Chi_Minh", max_length=64)


class Unit(SQLModel, table=True):
    """A reporting unit: the commune committee, a village, an organisation, a Party cell, a board."""

    __table_args__ = (UniqueConstraint("commune_id", "name"),
                      UniqueConstraint("commune_id", "code", name="uq_unit_commune_code"))
    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id", index=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=20)
    active: bool = True
    code: str | None = Field(default=None, max_length=40)  # the directory file's stable key: a rename keeps it


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
    phone: str = Field(default="", max_length=20)  # from the directory file; matches a person across imports


class PlanVersion(SQLModel, table=True):  # one loaded version of a commune's yearly plan; a year's latest is used
    __table_args__ = (Index("ix_planversion_commune_year", "commune_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id")
    year: int
    content_hash: str = Field(max_length=64)  # sha256 of the text: loading the same file again is a no-op
    content: str = Field(sa_column=Column(Text, nullable=False))
    source: str = Field(default="", max_length=200)  # the file name it was loaded from
    loaded_at: datetime = _when()


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
    person_id: int | None = Field(default=None, foreign_key="person.id")  # an imported person it binds to


class Report(SQLModel, table=True):
    __table_args__ = (Index("ix_report_unit_form_date", "unit_id", "form_id", "activity_date"),
                      Index("ix_report_commune_change", "commune_id", "change_seq"))
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
    revision: int = 0  # +1 by every edit (ReportRepo.update_answers)
    # the commune's report clock when the report was last written (added, edited, deleted: ReportClock); None for
    # a row written around the repository, which readers' caches then fetch every time (storage/report_cache.py)
    change_seq: int | None = None


class ReportClock(SQLModel, table=True):
    """Per commune, a number raised by every write of one of its reports (storage/reports.py), in the writing
    transaction: a reader that saw the clock at N fetches only the reports whose change_seq is above N."""

    commune_id: int = Field(foreign_key="commune.id", primary_key=True)
    seq: int = 0


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


class InboxUpdate(SQLModel, table=True):
    """A polled update recorded before it is handled, so the poller can fetch the next one at once (several in
    flight) and a crash loses none: what is still here at start-up is handled then (the ledger skips any that
    were handled already). Deleted once handled."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=80)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = _when()


class ProcessedUpdate(SQLModel, table=True):
    """The ledger of handled platform updates: a replayed update is recognised and skipped."""

    __table_args__ = (UniqueConstraint("channel", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    external_id: str = Field(max_length=80)
    received_at: datetime = _when()


OUTBOX_QUEUED = "status IN ('pending', 'sending')"  # an outbox row not yet sent nor given up


class Outbox(SQLModel, table=True):
    """Everything the bot sends; written in the transaction that caused it, sent by a worker."""

    # The claim's order over unsent rows only: a worker takes the next few of 80,000 queued broadcast rows
    # without sorting every due row, as the (status, next_attempt_at) index it replaced made it (migration 0009).
    __table_args__ = (Index("ix_outbox_queue", "priority", "id", sqlite_where=text(OUTBOX_QUEUED),
                            postgresql_where=text(OUTBOX_QUEUED)),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    dedupe_key: str = Field(max_length=200, unique=True)
    priority: int = 0  # 0 reply, 1 reminder, 2 summary, 3 broadcast: lower goes first
    status: str = Field(default="pending", max_length=10)  # pending, sending, sent, failed
    attempts: int = 0
    parts_sent: int = 0  # parts of a split reply delivered by failed attempts: a retry sends the rest
    next_attempt_at: datetime = _when()
    claimed_until: datetime | None = _when(nullable=True)
    sent_at: datetime | None = _when(nullable=True)
    error: str = Field(default="", max_length=500)
    created_at: datetime = _when()


class ChannelUsage(SQLModel, table=True):
    """Outbound messages of one bot account per calendar month (business time): Zalo's monthly budget."""

    __table_args__ = (UniqueConstraint("channel", "account", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    account: str = Field(max_length=64)  # the bot's public id (never the token's secret part)
    month: str = Field(max_length=7)  # "2026-11"
    count: int = 0
    paused_budget: int | None = None  # the budget in force when the platform said "quota exceeded"


class Broadcast(SQLModel, table=True):
    """An announcement sent to many chats; its deliveries are outbox rows keyed broadcast:{id}:…."""

    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    audience: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recipients: int = 0
    created_at: datetime = _when()


class GroupPreference(SQLModel, table=True):
    """What a registered group chat receives; a group with no row receives everything."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(foreign_key="chat.id", unique=True)
    reminders: bool = True
    summaries: bool = True
    broadcasts: bool = True


class PetitionCounter(SQLModel, table=True):
    """The last petition number given per commune and year, so references never repeat."""

    __table_args__ = (UniqueConstraint("commune_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id")
    year: int
    last_number: int = 0


class Petition(SQLModel, table=True):
    """A citizens' petition or a recommendation (kiến nghị), followed until it is answered or resolved."""

    __table_args__ = (UniqueConstraint("commune_id", "year", "number"),
                      Index("ix_petition_commune_status", "commune_id", "status"))
    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    person_id: int = Field(foreign_key="person.id")  # who recorded it
    year: int
    number: int  # shown as KN-{year}-{number:03d}
    source_kind: str = Field(max_length=20)  # nhan_dan, sau_giam_sat, phan_bien, cu_tri
    content: str = Field(max_length=500)
    received_on: date
    origin_report_id: int | None = Field(default=None, foreign_key="report.id")  # the supervision/criticism
    # The field of that report the item was read from (handlers/flows/petition_intake.py), so editing or
    # deleting the report updates the items it made; None for items recorded with /kiennghi.
    origin_field: str | None = Field(default=None, max_length=40)
    status: str = Field(default="tiep_nhan", max_length=30)
    forwarded_to: str = Field(default="", max_length=200)
    forwarded_on: date | None = None
    closed_on: date | None = None  # answered, resolved or found outside competence
    result: str = Field(default="", max_length=500)
    overdue_notified_at: datetime | None = _when(nullable=True)
    created_at: datetime = _when()
    updated_at: datetime = _when()


class ReminderOccurrence(SQLModel, table=True):
    """The reminder ledger: an occurrence's key is inserted once, in the transaction that queues its messages."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)  # "rule|period|recipient|step"
    commune_id: int = Field(foreign_key="commune.id", index=True)
    status: str = Field(max_length=12)  # sent, skipped (too late after downtime), unreachable (no chat)
    due_at: datetime = _when()  # the slot it was planned for
    claimed_at: datetime = _when()


class ReminderSnooze(SQLModel, table=True):
    """A snoozed reminder ("nhắc lại sau"): quiet until `until`, then sent once more if still not done."""

    id: int | None = Field(default=None, primary_key=True)
    base_key: str = Field(max_length=200, unique=True)
    commune_id: int = Field(foreign_key="commune.id", index=True)
    until: datetime = _when()
    created_at: datetime = _when()


class HdndSession(SQLModel, table=True):
    """A People's Council session date entered by staff: deadlines of "Theo các kỳ họp HĐND" items."""

    __table_args__ = (UniqueConstraint("commune_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id", index=True)
    day: date
    person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = _when()


class ReminderCursor(SQLModel, table=True):
    """How far the reminder planner has run for a commune: slots up to here were all handled."""

    id: int | None = Field(default=None, primary_key=True)
    commune_id: int = Field(foreign_key="commune.id", unique=True)
    planned_through: datetime = _when()


class ChatKeyboard(SQLModel, table=True):
    """A chat's open button menu (Telegram): the message carrying it and what each button means."""

    __table_args__ = (UniqueConstraint("channel", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=20)
    chat_id: str = Field(max_length=64)
    message_id: str = Field(max_length=64)
    key: str = Field(max_length=16)  # written into each button's callback data, so old menus are recognised
    values: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    labels: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answered_by: str | None = Field(default=None, max_length=80)  # the update that pressed a button
    sent_at: datetime = _when()


# The service tables (login links, sessions, render jobs, health, kept province rows) live beside these;
# re-exported so every `from storage.models import …` and the metadata Alembic compares see one set of tables.
from storage.models_service import (  # noqa: E402, F401
    Heartbeat,
    InviteAttempt,
    ProvinceRow,
    RenderJob,
    StrangerNotice,
    WebLogin,
    WebSession,
)
