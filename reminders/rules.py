"""Pure building blocks shared by the planner and /lich: who answers for an item, and what counts as done."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from plan.schema import Plan, TimelineItem, UnitKind


@dataclass(frozen=True, slots=True)
class UnitRef:
    """A reporting unit as the planner sees it."""

    id: int
    name: str
    kind: str


def item_unit_kinds(plan: Plan, item: TimelineItem) -> frozenset[str]:
    """Unit kinds acting for the item's bodies that can report its linked activity (any activity if none)."""
    kinds = {kind.value for body_id in item.responsible for kind in plan.body(body_id).unit_kinds}
    if item.form is not None:
        kinds &= {kind.value for kind in plan.form(item.form).reporters}
    return frozenset(kind for kind in kinds if plan.forms_for(UnitKind(kind)))


def quarterly_kinds(plan: Plan) -> frozenset[str]:
    """Units that send a quarterly report: every kind with a form, except the commune that compiles it."""
    return frozenset(kind.value for kind in UnitKind if kind is not UnitKind.COMMUNE and plan.forms_for(kind))


def done_mark(item: TimelineItem) -> str | None:
    """What marks the item done in a ReportIndex: its form, or "form@item" when a `where` filter narrows it."""
    return f"{item.form}@{item.id}" if item.where else item.form


def filtered_forms(plan: Plan) -> tuple[str, ...]:
    """Forms whose answers some timeline filter reads (their reports are loaded with answers)."""
    return tuple(sorted({item.form for item in plan.timeline if item.where and item.form}))


def filtered_marks(plan: Plan, rows: Iterable[tuple[int, str, date, dict]]) -> list[tuple[int, str, date]]:
    """Extra marks "form@item" for the reports that pass an item's filter (a supervision programme closes
    II.2.1, not I.1): added to the (unit, form, date) marks the ReportIndex is built from."""
    filtered = [item for item in plan.timeline if item.where]
    return [(unit, f"{form}@{item.id}", day) for unit, form, day, answers in rows
            for item in filtered if item.form == form and item.matches(answers)]


class ReportIndex:
    """Live reports by unit, to answer "did this unit report this activity between these dates?" quickly."""

    def __init__(self, marks: Iterable[tuple[int, str, date]]) -> None:
        self._by_unit: dict[int, list[tuple[str, date]]] = {}
        for unit_id, form_id, day in marks:
            self._by_unit.setdefault(unit_id, []).append((form_id, day))

    def reported(self, unit_id: int, form_id: str | None, first: date, last: date) -> bool:
        """A report of `form_id` (any form when None) with its activity date in [first, last]."""
        return any(first <= day <= last and (form_id is None or form_id == form)
                   for form, day in self._by_unit.get(unit_id, ()))
