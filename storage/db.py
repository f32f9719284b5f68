"""Engine and transactions: SQLite (WAL) by default, PostgreSQL by changing one URL."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.inline_sqlite import connector
from storage.jsontext import json_text
from storage.reading import Reader
from storage.repositories import Repositories

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
# SQLite result codes (the low byte of sqlite_errorcode) after which a pooled connection is thrown away: a file that
# was read-only when the connection opened stays read-only for that connection even once it is writable again.
_SQLITE_REOPEN = {8: "READONLY", 10: "IOERR", 13: "FULL", 14: "CANTOPEN"}
MIGRATIONS = Path(__file__).parent / "migrations"
_held: ContextVar[frozenset[int]] = ContextVar("sqlite_transactions_held", default=frozenset())


class DatabaseUnwritable(RuntimeError):
    """The database refuses writes (read-only file or directory, full disk, server down): nothing can be recorded."""


class Database:
    """Owns the engine; hands out transactions wrapped in repositories."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine: AsyncEngine = _create_engine(url, echo=echo)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._turn = asyncio.Lock() if self.dialect == "sqlite" else None
        self.reader = Reader(self)  # big reads beside the writer, not behind it (storage/reading.py)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """One unit of work: commits on success, rolls back on any exception."""
        async with self._one_at_a_time(), self._sessions() as session, session.begin():
            yield Repositories(session, dialect=self.dialect)

    @asynccontextmanager
    async def _one_at_a_time(self) -> AsyncIterator[None]:
        """SQLite has one writer: queue here, woken at once, not in SQLite's sleeping busy handler (docs/benchmarks.md).

        A transaction opened inside another of the same task (or its child tasks) does not queue behind itself.
        """
        held = _held.get()
        if self._turn is None or id(self) in held:
            yield
            return
        async with self._turn:
            token = _held.set(held | {id(self)})
            try:
                yield
            finally:
                _held.reset(token)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessions() as session:
            yield session

    async def upgrade(self) -> None:
        """Apply every pending migration (also what `mttq-bot db upgrade` runs)."""
        from storage.revisions import at_head

        if await at_head(self.engine):  # the usual restart: one query, and alembic is not even imported
            return
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade_with)

    async def heartbeat(self, now) -> None:
        """Rewrite the heartbeat row; raises DatabaseUnwritable (with the driver's reason) if it cannot be written."""
        try:
            async with self.transaction() as repos:
                await repos.heartbeat.beat(now)
        except Exception as exc:
            raise DatabaseUnwritable(short_reason(exc)) from exc

    async def dispose(self) -> None:
        self.reader.dispose()
        await self.engine.dispose()


def _create_engine(url: str, *, echo: bool) -> AsyncEngine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30}, json_serializer=json_text,
                                     **_inline_creator(parsed))
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "handle_error", _reopen_after_file_fault)
        return engine
    # pre-ping: after PostgreSQL restarts, a pooled connection is found dead and replaced before it is used
    return create_async_engine(url, echo=echo, pool_pre_ping=True, json_serializer=json_text)


def _reopen_after_file_fault(context) -> None:
    """Treat SQLite's read-only, I/O, disk-full and cannot-open errors as a lost connection, so the pool opens a
    fresh one next time: the fault clearing (disk freed, file writable again) then needs no restart."""
    code = getattr(context.original_exception, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in _SQLITE_REOPEN:
        context.is_disconnect = True


def is_database_fault(exc: BaseException) -> bool:
    """The database (not our code) failed: refused writes, lost its connection, or could not be reached."""
    if isinstance(exc, DatabaseUnwritable | OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def short_reason(exc: BaseException) -> str:
    """The driver's own words for a database error, on one line, without SQL or parameters."""
    original = getattr(exc, "orig", None) or exc
    text = " ".join(str(original).split()) or type(original).__name__
    return text[:200]


def _inline_creator(parsed) -> dict:
    """A file database runs inline on the loop (storage/inline_sqlite.py); :memory: and URI forms keep aiosqlite."""
    if not parsed.database or parsed.database == ":memory:" or parsed.query.get("uri"):
        return {}
    return {"async_creator": connector(parsed.database, timeout=30)}


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers run beside the writer; NORMAL is durable across application crashes in WAL mode.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config() -> Config:
    from alembic.config import Config  # imported when migrating only: alembic is ~0.6 s of start-up

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade_with(sync_connection) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = sync_connection
    command.upgrade(config, "heads")  # feature branches may add heads until merged
