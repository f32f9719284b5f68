"""The plan's four 100% indicators on petitions and recommendations, computed from the items themselves.

Counted: items of one source kind received in [start, end]. Handled: those answered or resolved by `end`.
Items found outside the commune's competence (khong_thuoc_tham_quyen) are left out of both numbers, as in
the usual "đơn thuộc thẩm quyền" statistics: they are redirected, not answered here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from plan.petition_lifecycle import DONE, NOT_COMPETENT


class PetitionLike(Protocol):
    source_kind: str
    status: str
    received_on: date
    closed_on: date | None


def petition_share(items: Iterable[PetitionLike], source_kind: str, start: date, end: date) -> tuple[int, int]:
    """(answered or resolved by `end`, total) for the items of `source_kind` received in [start, end]."""
    total = handled = 0
    for item in items:
        if item.source_kind != source_kind or not start <= item.received_on <= end or item.status == NOT_COMPETENT:
            continue
        total += 1
        handled += item.status in DONE and item.closed_on is not None and item.closed_on <= end
    return handled, total
