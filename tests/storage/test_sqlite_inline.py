"""SQLite run inline on the event loop (storage/inline_sqlite.py): errors and rollbacks behave as with
aiosqlite, and in-memory databases keep aiosqlite."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.inline_sqlite import InlineConnection
from storage.models import Commune

NOW = datetime(2026, 11, 25, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path):
    database = Database(f"sqlite+aiosqlite:///{tmp_path}/inline.db")
    await database.upgrade()
    yield database
    await database.dispose()


async def test_a_file_database_runs_on_the_inline_driver_and_commits(db):
    async with db.transaction() as repos:
        connection = await repos.session.connection()
        assert isinstance((await connection.get_raw_connection()).driver_connection, InlineConnection)
        await repos.directory.add(Commune(name="Nam Cường", province="Thái Nguyên", created_at=NOW))
    async with db.transaction() as repos:
        assert [c.name for c in await repos.directory.communes()] == ["Nam Cường"]


async def test_a_constraint_error_is_sqlalchemys_and_rolls_the_whole_transaction_back(db):
    async with db.transaction() as repos:
        await repos.directory.add(Commune(name="A", province="P", created_at=NOW))
    with pytest.raises(IntegrityError):
        async with db.transaction() as repos:
            await repos.directory.add(Commune(name="B", province="P", created_at=NOW))
            await repos.directory.add(Commune(name="A", province="P", created_at=NOW))
    async with db.transaction() as repos:
        assert [c.name for c in await repos.directory.communes()] == ["A"]


async def test_memory_databases_keep_aiosqlite(tmp_path):
    database = Database("sqlite+aiosqlite:///:memory:")
    try:
        async with database.engine.connect() as connection:
            raw = await connection.get_raw_connection()
            assert not isinstance(raw.driver_connection, InlineConnection)
    finally:
        await database.dispose()
