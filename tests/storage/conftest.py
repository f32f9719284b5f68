"""The storage tests' shared database: migrated to head, on SQLite or (with MTTQ_TEST_PG_URL) PostgreSQL."""

from __future__ import annotations

import pytest

from storage.db import Database


@pytest.fixture
async def db(database_url):
    database = Database(database_url)
    await database.upgrade()
    yield database
    await database.dispose()
