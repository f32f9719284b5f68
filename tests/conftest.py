"""Fixtures: a fake clock in business time, and the app on a fresh SQLite (and PostgreSQL when available)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import pytest
from support import VN, ChatUser, FakeClock, attach_recorder, make_app

# Wednesday 25 November 2026, 09:00 in Vietnam: Quý IV, a working day.
DEFAULT_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(DEFAULT_NOW)


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL cluster for the whole run, or a skip reason when none can start."""
    from pgcluster import PgCluster, PgUnavailable

    cluster = PgCluster()
    try:
        cluster.start()
    except PgUnavailable as exc:
        yield exc
        return
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database on each backend; PostgreSQL is skipped with the reason when unavailable."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/mttq.db"
    server = request.getfixturevalue("pg_server")
    if isinstance(server, Exception):
        pytest.skip(f"PostgreSQL unavailable: {server}")
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(_create_database(server.url, name))
    return server.url.rsplit("/", 1)[0] + f"/{name}"


async def _create_database(url: str, name: str) -> None:
    import asyncpg

    dsn = url.replace("postgresql+asyncpg", "postgresql")
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


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
