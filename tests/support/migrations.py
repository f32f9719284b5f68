"""Alembic run on a test's own connection, to take a database down to a revision and up again."""

from __future__ import annotations

from alembic import command

from storage.db import alembic_config


def migrate(sync_connection, how: str, revision: str) -> None:
    """`how` ("upgrade" or "downgrade") to `revision`, on the connection given (`connection.run_sync(migrate, …)`)."""
    config = alembic_config()
    config.attributes["connection"] = sync_connection
    getattr(command, how)(config, revision)
