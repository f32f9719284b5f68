"""Is the database already at the migrations' head? Answered without importing alembic (~0.15 s of every start).

A restart is the usual start, and its database is already migrated: one query on `alembic_version` and a
read of the migration scripts' text (~1 ms) settle it, and alembic runs only when they differ. Whenever the
answer is not certain (a script of unusual shape, no version table, an unreadable row) the caller migrates,
so the shortcut can only skip a no-op `upgrade heads`, never a real migration.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

VERSIONS = Path(__file__).parent / "migrations" / "versions"
# The assignments alembic's script template writes at the top level of every migration (script.py.mako).
_ASSIGNMENT = re.compile(r"^(revision|down_revision|depends_on)[ \t]*(?::[^=\n]*)?=[ \t]*(.*?)[ \t]*$", re.M)


def script_heads(versions: Path = VERSIONS) -> frozenset[str] | None:
    """The revisions no other script revises, as alembic counts heads; None when the scripts are not plain enough.

    `depends_on` changes how alembic orders and counts heads, so a script using it makes this give up (None).
    tests/storage/test_migration_shortcut.py checks the answer against alembic's own for the shipped scripts.
    """
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in sorted(versions.glob("*.py")):
        fields = _assignments(path.read_text(encoding="utf-8"))
        if fields is None:
            return None
        revision, down, depends = fields
        if not isinstance(revision, str) or depends is not None:
            return None
        downs = (down,) if isinstance(down, str) else down or ()
        if not all(isinstance(parent, str) for parent in downs):
            return None
        revisions.add(revision)
        revised.update(downs)
    return frozenset(revisions - revised) or None


def _assignments(source: str) -> tuple[object, object, object] | None:
    """(revision, down_revision, depends_on) from one script; None unless each is one line, set once, a literal."""
    found: dict[str, list[str]] = {}
    for name, value in _ASSIGNMENT.findall(source):
        found.setdefault(name, []).append(value)
    if len(found.get("revision", ())) != 1 or len(found.get("down_revision", ())) != 1:
        return None
    if len(found.get("depends_on", ["None"])) != 1:
        return None
    try:
        return tuple(ast.literal_eval(found.get(name, ["None"])[0])
                     for name in ("revision", "down_revision", "depends_on"))  # type: ignore[return-value]
    except (ValueError, SyntaxError):
        return None


async def stored_revisions(engine: AsyncEngine) -> frozenset[str] | None:
    """The rows of `alembic_version` in one query; None when there is no such table (a new database)."""
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return frozenset(str(row[0]) for row in rows)
    except DBAPIError:  # no table yet (or no database): the real upgrade will create it, or report the error
        return None


async def at_head(engine: AsyncEngine, versions: Path = VERSIONS) -> bool:
    """True only when the database holds exactly the scripts' heads, so `upgrade heads` would do nothing."""
    heads = script_heads(versions)
    return heads is not None and await stored_revisions(engine) == heads
