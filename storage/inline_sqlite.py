"""SQLite run on the event loop's own thread, behind the aiosqlite interface SQLAlchemy's async dialect expects.

aiosqlite hands every call to a worker thread and back (three hops a statement, ~0.2 ms here), which was most
of the cost of an inbound message. A SQLite statement on a local WAL file takes microseconds, and this process
already runs one write transaction at a time (`Database._one_at_a_time`), so running it inline is faster and
blocks the loop only for that long. The one wait it can add is SQLite's busy handler when *another process*
holds the write lock (several bot processes on one SQLite file): the loop then pauses for that process's
transaction, which is why several processes belong on PostgreSQL (docs/deployment.md).
"""

from __future__ import annotations

import sqlite3
from typing import Any


class InlineCursor:
    """The async cursor methods SQLAlchemy's adapter awaits, done at once."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, seq_of_parameters: Any) -> InlineCursor:
        self._cursor.executemany(sql, seq_of_parameters)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class InlineConnection:
    """An aiosqlite.Connection look-alike over a plain sqlite3 connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection = connection  # SQLAlchemy checks this is set before commit/rollback

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    def stop(self) -> None:
        """Terminate (an invalidated connection): closing is immediate here."""
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @property
    def in_transaction(self) -> bool:
        return self._conn.in_transaction


def connector(path: str, *, timeout: float):
    """The `async_creator` for create_async_engine: a new inline connection to `path`."""

    async def connect() -> InlineConnection:
        # check_same_thread=False: SQLAlchemy may close a pooled connection from the garbage collector's thread.
        # SQLite's own automatic checkpoint stays: it runs inside the commit that fills ~1000 WAL pages (a
        # pause of 5-30 ms on the loop then). Checkpointing from a thread instead cannot bound the WAL under a
        # steady stream of writes: SQLite restarts the WAL only when a writer finds it fully checkpointed.
        return InlineConnection(sqlite3.connect(path, timeout=timeout, check_same_thread=False))

    return connect
