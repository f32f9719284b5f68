"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC and always returns aware UTC datetimes (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def bind_processor(self, dialect):
        """SQLAlchemy's conversion (ours, then the driver type's: SQLite's text), remembering the last value: a batch
        binds its one `now` to every row's timestamps (ledger, outbox, conversations), converted once instead."""
        convert = super().bind_processor(dialect)
        last: tuple[Any, Any] = (None, None)

        def process(value: datetime | None) -> Any:
            nonlocal last
            seen = last  # one tuple, replaced whole: another thread sees the old pair or the new, never half
            if value is seen[0] and value is not None:
                return seen[1]
            converted = convert(value)
            last = (value, converted)
            return converted

        return process

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_field(nullable: bool = False) -> Any:
    """A model field holding an aware datetime, stored as UTC."""
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)
