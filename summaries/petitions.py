"""Figures about recommendations (kiến nghị), all computed from the one register (the petition records).

The plan's 100% indicators: items of one source kind received in [start, end]. Handled: those answered or
resolved by `end`; with `answer_days` ("kịp thời"), only those answered within that many days of receipt.
The tally (`tally`) gives the same numbers per source for the text, the DOCX and the XLSX.
Items found outside the commune's competence (khong_thuoc_tham_quyen) are left out of both numbers, as in
the usual "đơn thuộc thẩm quyền" statistics: they are redirected, not answered here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Protocol

from plan.petition_lifecycle import DONE, NOT_COMPETENT, SOURCE_KINDS, answered_in_time
from summaries.model import PetitionTally


class PetitionLike(Protocol):
    source_kind: str
    status: str
    received_on: date
    closed_on: date | None


def _handled(item: PetitionLike, end: date, answer_days: int | None) -> bool:
    if item.status not in DONE or item.closed_on is None or item.closed_on > end:
        return False
    return answer_days is None or answered_in_time(item.status, item.received_on, item.closed_on, answer_days)


def petition_share(items: Iterable[PetitionLike], source_kind: str, start: date, end: date,
                   answer_days: int | None = None) -> tuple[int, int]:
    """(answered or resolved by `end` [within `answer_days`], total) for `source_kind`'s items received in
    [start, end]; redirected items (not the commune's competence) are in neither number."""
    total = handled = 0
    for item in items:
        if item.source_kind != source_kind or not start <= item.received_on <= end or item.status == NOT_COMPETENT:
            continue
        total += 1
        handled += _handled(item, end, answer_days)
    return handled, total


def tally(items: Iterable[PetitionLike], start: date, end: date, answer_days: int) -> tuple[PetitionTally, ...]:
    """Per source (SOURCE_KINDS order, sources with items only): received in [start, end] and within the
    commune's competence, answered or resolved by `end`, of them within `answer_days`."""
    kept = [i for i in items if start <= i.received_on <= end and i.status != NOT_COMPETENT]
    rows = []
    for source in SOURCE_KINDS:
        mine = [i for i in kept if i.source_kind == source]
        if mine:
            rows.append(PetitionTally(source, len(mine), sum(_handled(i, end, None) for i in mine),
                                      sum(_handled(i, end, answer_days) for i in mine)))
    return tuple(rows)
