"""Start-up skips alembic when the database is already at the head revision, and only then.

`Database.upgrade` first compares `alembic_version` with the heads read from the migration scripts' text
(storage/revisions.py); these tests pin that reading to alembic's own, and check that a new, a behind and a
differently-headed database still get the real `upgrade heads`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

import storage.db
import storage.revisions
from storage.db import Database, alembic_config
from storage.revisions import VERSIONS, at_head, script_heads, stored_revisions

ROOT = Path(__file__).resolve().parents[2]


def alembic_heads() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


@pytest.fixture
def alembic_runs(monkeypatch) -> list[int]:
    """Counts the real alembic upgrades `Database.upgrade` performs (each still runs)."""
    runs: list[int] = []
    real = storage.db._upgrade_with

    def counting(sync_connection) -> None:
        runs.append(1)
        real(sync_connection)

    monkeypatch.setattr(storage.db, "_upgrade_with", counting)
    return runs


def test_heads_read_from_the_scripts_are_alembics_heads():
    assert script_heads() == alembic_heads()


def _script(revision: str, down: str, extra: str = "") -> str:
    """A migration as alembic's template (storage/migrations/script.py.mako) writes it."""
    return textwrap.dedent(f'''\
        """{revision}

        Revision ID: {revision}
        Revises: {down}
        """
        import sqlalchemy as sa
        from alembic import op

        revision = {revision!r}
        down_revision = {down}
        branch_labels = None
        depends_on = None{extra}


        def upgrade() -> None:
            pass
        ''')


def test_a_new_migration_becomes_the_head_and_a_second_branch_a_second_head(tmp_path):
    versions = tmp_path / "versions"
    shutil.copytree(VERSIONS, versions, ignore=shutil.ignore_patterns("__pycache__"))
    [head] = script_heads()
    (versions / "0008_next.py").write_text(_script("0008_next", repr(head)))
    assert script_heads(versions) == {"0008_next"}
    (versions / "0009_branch.py").write_text(_script("0009_branch", repr(head)))
    assert script_heads(versions) == {"0008_next", "0009_branch"}
    (versions / "0010_merge.py").write_text(_script("0010_merge", "('0008_next', '0009_branch')"))
    assert script_heads(versions) == {"0010_merge"}


@pytest.mark.parametrize("body", [
    _script("0008_dep", "'0007_invite_attempts'").replace("depends_on = None", "depends_on = '0003_reminders'"),
    _script("0008_wrapped", "(\n    '0006_merge_features',\n    '0007_invite_attempts')"),
    _script("0008_computed", "PREVIOUS"),
    _script("0008_twice", "'0007_invite_attempts'", extra="\nrevision = 'other'"),
    "def upgrade() -> None:\n    pass\n",
])
def test_a_script_of_unusual_shape_means_unknown_heads(tmp_path, body):
    """Unknown heads make start-up run alembic as before: never a wrong 'already at head'."""
    versions = tmp_path / "versions"
    shutil.copytree(VERSIONS, versions, ignore=shutil.ignore_patterns("__pycache__"))
    (versions / "0008_odd.py").write_text(body)
    assert script_heads(versions) is None


async def test_a_new_database_is_migrated_by_alembic(sqlite_url, alembic_runs):
    db = Database(sqlite_url)
    try:
        assert await stored_revisions(db.engine) is None
        assert not await at_head(db.engine)
        await db.upgrade()
        assert alembic_runs == [1]
        assert await stored_revisions(db.engine) == alembic_heads()
    finally:
        await db.dispose()


async def test_a_database_at_head_is_not_migrated_again(database_url, alembic_runs):
    db = Database(database_url)
    try:
        await db.upgrade()  # SQLite: new, migrated here; PostgreSQL: a copy of the migrated template
        runs = len(alembic_runs)
        assert await at_head(db.engine)
        await db.upgrade()
        assert len(alembic_runs) == runs
    finally:
        await db.dispose()


async def test_a_database_behind_the_head_is_upgraded(sqlite_url, alembic_runs):
    db = Database(sqlite_url)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_upgrade_to, "0006_merge_features")
        assert await stored_revisions(db.engine) == {"0006_merge_features"}
        await db.upgrade()
        assert alembic_runs == [1]
        assert await stored_revisions(db.engine) == alembic_heads()
        async with db.transaction() as repos:  # the table 0007 adds is there
            await repos.session.execute(text("SELECT count(*) FROM inviteattempt"))
    finally:
        await db.dispose()


async def test_scripts_with_another_head_make_start_up_run_alembic(sqlite_url, alembic_runs, monkeypatch):
    """A deployment with a new migration file: the stored head no longer matches, so alembic runs."""
    db = Database(sqlite_url)
    try:
        await db.upgrade()
        monkeypatch.setattr(storage.revisions, "script_heads", lambda *_: frozenset({"0008_from_the_future"}))
        await db.upgrade()
        assert alembic_runs == [1, 1]
    finally:
        await db.dispose()


async def test_a_missing_version_table_reads_as_none(database_url):
    db = Database(database_url)
    try:
        await db.upgrade()
        async with db.engine.begin() as connection:
            await connection.execute(text("DROP TABLE alembic_version"))
        assert await stored_revisions(db.engine) is None  # PostgreSQL: the failed query leaves no broken state
        assert not await at_head(db.engine)
        async with db.transaction() as repos:
            assert await repos.outbox.counts() is not None
    finally:
        await db.dispose()


async def test_a_restart_does_not_import_alembic(sqlite_url):
    db = Database(sqlite_url)
    try:
        await db.upgrade()
    finally:
        await db.dispose()
    probe = textwrap.dedent(f"""
        import asyncio, sys
        from storage.db import Database

        async def main():
            db = Database({sqlite_url!r})
            await db.upgrade()
            await db.dispose()

        asyncio.run(main())
        print(sorted(name for name in sys.modules if name.split('.')[0] in ('alembic', 'mako')))
    """)
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def _upgrade_to(sync_connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = sync_connection
    command.upgrade(config, revision)
