"""Fixtures: a fake clock in business time, and the app on a fresh SQLite (and PostgreSQL when available)."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from support.app import VN, ChatUser, FakeClock, attach_recorder, make_app

# Wednesday 25 November 2026, 09:00 in Vietnam: Quý IV, a working day.
DEFAULT_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(DEFAULT_NOW)


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL server for the whole run, with a migrated template database; or a skip reason.

    CI (.ci/run) starts the cluster itself and exports MTTQ_TEST_PG_URL, or MTTQ_TEST_PG_UNAVAILABLE with the
    reason it could not; otherwise a throwaway cluster is started here.
    """
    from support.pgcluster import PgCluster, PgUnavailable

    if reason := os.environ.get("MTTQ_TEST_PG_UNAVAILABLE"):
        yield PgUnavailable(reason)
        return
    if url := os.environ.get("MTTQ_TEST_PG_URL"):
        yield PgServer(url, asyncio.run(_migrated_template(url)))
        return
    with _memory_dir() as base:
        cluster = PgCluster(base / "pg" if base else None)
        try:
            cluster.start()
        except PgUnavailable as exc:
            yield exc
            return
        try:
            yield PgServer(cluster.url, asyncio.run(_migrated_template(cluster.url)))
        finally:
            cluster.stop()


@contextmanager
def _memory_dir() -> Iterator[Path | None]:
    """A directory on /dev/shm when there is one: CREATE DATABASE there is ~10x faster than on disk."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield None
        return
    base = Path(tempfile.mkdtemp(prefix="mttq-pg-", dir=shm))
    base.chmod(0o755)  # the server may run as `nobody`, which must be able to enter it
    try:
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


@dataclass(frozen=True)
class PgServer:
    url: str  # the server's maintenance database, used to create the others
    template: str  # a database migrated to the current heads, copied for each test

    def database_url(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """A fresh database on each backend (PostgreSQL: already migrated); PostgreSQL is skipped when unavailable."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/mttq.db"
        return
    server = request.getfixturevalue("pg_server")
    if isinstance(server, Exception):
        pytest.skip(f"PostgreSQL unavailable: {server}")
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(server.url, name, template=server.template))
    yield server.database_url(name)
    asyncio.run(_drop_database(server.url, name))


@pytest.fixture
async def db(database_url):
    """A Database alone (no app) on each backend, migrated to head: the storage and outbox tests'."""
    from storage.db import Database

    database = Database(database_url)
    await database.upgrade()
    yield database
    await database.dispose()


async def _create_database(url: str, name: str, template: str | None = None) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(dsn)
    try:
        # Copying a migrated template is much cheaper than migrating each test database from scratch.
        await connection.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    finally:
        await connection.close()


async def _drop_database(url: str, name: str) -> None:
    """Free the memory a test database used; a connection the test left open is cut (WITH FORCE)."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except asyncpg.PostgresError:
        pass  # PostgreSQL < 13 has no FORCE; the database just stays until the cluster is removed
    finally:
        await connection.close()


async def _migrated_template(url: str) -> str:
    """Create and migrate this run's template database; no connection to it may stay open (CREATE … TEMPLATE)."""
    from storage.db import Database

    name = f"tpl_{uuid.uuid4().hex[:12]}"
    await _create_database(url, name)
    database = Database(url.rsplit("/", 1)[0] + f"/{name}")
    try:
        await database.upgrade()
    finally:
        await database.dispose()
    return name


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/mttq.db"


@pytest.fixture
async def app(sqlite_url, clock):
    """The bot on a fresh SQLite database with the demo commune, and a recorder as console sender."""
    app = await make_app(sqlite_url, clock)
    yield app
    await app.close()


@pytest.fixture
def recorder(app):
    return attach_recorder(app)


@pytest.fixture
def reporter(app, recorder) -> ChatUser:
    """The demo village reporter (Thôn Nà Pài), chatting on the console."""
    return ChatUser(app, recorder, "reporter", "Trưởng ban")


@pytest.fixture
def chair(app, recorder) -> ChatUser:
    return ChatUser(app, recorder, "chair", "Chủ tịch")


@pytest.fixture
def staff(app, recorder) -> ChatUser:
    return ChatUser(app, recorder, "staff", "Cán bộ")
