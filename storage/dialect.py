"""The only dialect-specific SQL of the project, kept small and tested on both backends."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_ignoring_duplicates(session: AsyncSession, dialect: str, table: Any,
                                     values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was new.

    A plain INSERT that hits a unique key would abort the surrounding PostgreSQL transaction, and
    the ledger and outbox must be able to say "already there" inside a larger unit of work.
    """
    result = await session.execute(insert_or_ignore(table, dialect), values)
    return result.rowcount == 1


@cache
def insert_or_ignore(table: Any, dialect: str) -> Any:
    """The statement, built once per table: values come as parameters, so SQLAlchemy's cache key is computed
    once too (building and keying a statement per call was a large share of an inbound message's cost)."""
    return _insert(dialect)(table).on_conflict_do_nothing()


@cache
def upsert(table: Any, dialect: str, keys: Sequence[str], updated: Sequence[str]) -> Any:
    """INSERT … ON CONFLICT (keys) DO UPDATE SET updated = the new values: one statement, no read first."""
    insert = _insert(dialect)(table)
    return insert.on_conflict_do_update(index_elements=list(keys),
                                        set_={name: insert.excluded[name] for name in updated})


def insert_for(dialect: str) -> Any:
    """The dialect's INSERT construct, for a statement with its own ON CONFLICT clause (storage/usage.py)."""
    return _insert(dialect)


def _insert(dialect: str) -> Any:
    """The dialect's INSERT construct; PostgreSQL's is imported only there (~50 ms of a SQLite start-up)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        return insert
    return sqlite_insert


def json_rows(dialect: str, rows: str, width: int, *also: str, named: bool = False) -> str:
    """SELECT of the `width` items of each array in the JSON array parameter `rows` ([a, b, c]: three text
    columns), in the array's order, with the `also` expressions after them: one parameter for a batch's keys, so
    the SQL is the same for every batch. The WHERE lets SQLite read an ON CONFLICT after it as the INSERT's clause
    rather than a join's. `named`: the items are called k0, k1, … (for a subquery joined by them)."""
    extra = "".join(f", {expression}" for expression in also)
    alias = (lambda n: f" AS k{n}") if named else (lambda n: "")
    if dialect == "postgresql":
        items = ", ".join(f"item ->> {n}{alias(n)}" for n in range(width))
        return f"SELECT {items}{extra} FROM json_array_elements(CAST({rows} AS json)) AS item"
    items = ", ".join(f"json_extract(value, '$[{n}]'){alias(n)}" for n in range(width))
    return f"SELECT {items}{extra} FROM json_each({rows}) WHERE true"


def skip_locked(query: Any, dialect: str) -> Any:
    """Let concurrent workers claim different rows on PostgreSQL; SQLite has one writer anyway."""
    return query.with_for_update(skip_locked=True) if dialect == "postgresql" else query
