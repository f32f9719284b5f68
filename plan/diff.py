"""What changed between two plans: indicators, forms and timeline rows added, removed or changed (by id)."""

from __future__ import annotations

from dataclasses import dataclass, field

from plan.schema import Plan

SECTIONS = ("indicators", "forms", "timeline")


@dataclass(frozen=True, slots=True)
class Change:
    section: str  # indicators, forms, timeline
    item_id: str
    what: str  # added, removed, changed
    keys: tuple[str, ...] = ()  # for "changed": the item's top-level keys that differ (target, fields, due…)


@dataclass(frozen=True, slots=True)
class PlanDiff:
    changes: tuple[Change, ...] = field(default_factory=tuple)

    def of(self, section: str, what: str) -> list[Change]:
        return [c for c in self.changes if c.section == section and c.what == what]

    def __bool__(self) -> bool:
        return bool(self.changes)


def plan_diff(old: Plan, new: Plan) -> PlanDiff:
    changes: list[Change] = []
    for section in SECTIONS:
        before = {item.id: item.model_dump(mode="json") for item in getattr(old, section)}
        after = {item.id: item.model_dump(mode="json") for item in getattr(new, section)}
        changes += [Change(section, item_id, "added") for item_id in after if item_id not in before]
        changes += [Change(section, item_id, "removed") for item_id in before if item_id not in after]
        for item_id in after.keys() & before.keys():
            keys = tuple(sorted(k for k in after[item_id].keys() | before[item_id].keys()
                                if after[item_id].get(k) != before[item_id].get(k)))
            if keys:
                changes.append(Change(section, item_id, "changed", keys))
    order = {item_id: n for section in SECTIONS for n, item_id in
             enumerate([*(i.id for i in getattr(old, section)), *(i.id for i in getattr(new, section))])}
    changes.sort(key=lambda c: (SECTIONS.index(c.section), ("added", "removed", "changed").index(c.what),
                                order.get(c.item_id, 0)))
    return PlanDiff(tuple(changes))
