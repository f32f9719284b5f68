"""SQLite run on the event loop's own thread, behind the aiosqlite interface SQLAlchemy's async dialect expects.

aiosqlite hands every call to a worker thread and back (three hops a statement, ~0.2 ms here), which was most
of the cost of an inbound message. A SQLite statement on a local WAL file takes microseconds, and this process
already runs one write transaction at a time (`Database._one_at_a_time`), so running it inline is faster and
blocks the loop only for that long. The one wait it can add is SQLite's busy handler when *another process*
holds the write lock (several bot processes on one SQLite file): the loop then pauses for that process's
transaction, which is why several processes belong on PostgreSQL (docs/deployment.md).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from contextlib import closing
from typing import Any

log = logging.getLogger(__name__)


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
        connection = sqlite3.connect(path, timeout=timeout, check_same_thread=False)
        # No checkpoint inside a commit: it copies the WAL into the database and fsyncs, tens of milliseconds on
        # the event loop every ~1000 pages. WalCheckpointer does it on a thread instead.
        connection.execute("PRAGMA wal_autocheckpoint=0")
        return InlineConnection(connection)

    return connect


class WalCheckpointer:
    """Checkpoints the WAL on a worker thread every `every` commits, as SQLite would have inside a commit.

    PASSIVE never waits for (or blocks) readers and writers. A process that exits without one leaves the work
    to the next: SQLite checkpoints when the last connection closes, and any later checkpoint catches up.
    """

    def __init__(self, path: str, *, every: int = 200) -> None:
        self.path, self.every = path, every
        self._commits = 0
        self._running: asyncio.Task | None = None

    def committed(self) -> None:
        self._commits += 1
        if self._commits >= self.every and (self._running is None or self._running.done()):
            self._commits = 0
            self._running = asyncio.get_running_loop().create_task(asyncio.to_thread(self._checkpoint))

    async def wait(self) -> None:
        if self._running is not None:
            await asyncio.gather(self._running, return_exceptions=True)

    def _checkpoint(self) -> None:
        try:
            with closing(sqlite3.connect(self.path, timeout=30)) as connection:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            log.warning("WAL checkpoint failed; the next one catches up", exc_info=True)
