"""The units a transaction has read, kept for its later reads: a batch's arrival read brings each sender's unit
along, so a report that starts, picks its form or shows its confirmation reads no unit again (three statements a
report before, ~10 % of an inbound message's CPU: docs/benchmarks.md).

Kept in the session's `info` until its transaction ends. Any flush that adds, changes or
deletes a Unit (renaming or closing a village, /donvi) empties it, so a later read in the same batch sees the
change; units are written only through the ORM (DirectoryAdminRepo.change, DirectoryRepo.add).
"""

from __future__ import annotations

from itertools import chain
from typing import Any, NamedTuple

from sqlalchemy import event
from sqlalchemy.orm import Session

from storage.models import Unit

_KEY = "mttq_unit_rows"


class UnitRow(NamedTuple):
    """A unit's columns, as `select(*Unit.__table__.c)` returns them."""

    id: int
    commune_id: int
    name: str
    kind: str
    active: bool
    code: str | None


def memo(session: Any) -> dict[int, UnitRow]:
    """The transaction's units by id (`session`: the AsyncSession or its Session)."""
    return session.info.setdefault(_KEY, {})


def remember(session: Any, rows: Any) -> None:
    memo(session).update((row.id, row) for row in rows)


@event.listens_for(Session, "after_transaction_end")
def _forget_at_the_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost one: every flush opens and ends one of its own inside
        session.info.pop(_KEY, None)


@event.listens_for(Session, "after_flush")
def _forget_on_unit_writes(session: Session, _context: Any) -> None:
    """A flush that writes a Unit makes the kept units stale: they are read again."""
    kept = session.info.get(_KEY)
    if kept and any(isinstance(row, Unit) for row in chain(session.new, session.dirty, session.deleted)):
        kept.clear()
