"""The only dialect-specific SQL of the project, kept small and tested on both backends."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(session: AsyncSession, dialect: str, table: Any,
                                     values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was new.

    A plain INSERT that hits a unique key would abort the surrounding PostgreSQL transaction, and
    the ledger and outbox must be able to say "already there" inside a larger unit of work.
    """
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return result.rowcount == 1


def skip_locked(query: Any, dialect: str) -> Any:
    """Let concurrent workers claim different rows on PostgreSQL; SQLite has one writer anyway."""
    return query.with_for_update(skip_locked=True) if dialect == "postgresql" else query
