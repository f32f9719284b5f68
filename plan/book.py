"""Which plan a commune uses for a year: the one lookup for the report flow, reminders and summaries.

Plans are stored per commune and year (`mttq-bot plan load FILE --commune NAME`, storage/plans.py); the file
of PLAN_FILE is only the plan the demo and a first commune start with. The rule, for (commune, year):
1. the commune's latest stored plan of that year;
2. else PLAN_FILE's plan, when it is of that year;
3. else the commune's latest stored plan of an earlier year (a new year has begun before its plan was loaded:
   staff were told in December, reminders go on with last year's forms rather than stop);
4. else PLAN_FILE's plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from plan.schema import Plan


class PlanBook:
    """The plans in use, swapped as a whole when the stored ones change (bot/plans.py refreshes it)."""

    def __init__(self, default: Plan, stored: Mapping[tuple[int, int], Plan] | None = None) -> None:
        self.default = default
        self._stored: dict[tuple[int, int], Plan] = dict(stored or {})
        self.stamp: object = None  # what the stored rows looked like when read (bot/plans.py compares it)

    @classmethod
    def of(cls, plans: Plan | PlanBook) -> PlanBook:
        """The book itself, or a book of one plan (tests and one-commune callers hand a bare Plan)."""
        return plans if isinstance(plans, PlanBook) else cls(plans)

    def replace(self, stored: Mapping[tuple[int, int], Plan], stamp: object = None) -> None:
        self._stored, self.stamp = dict(stored), stamp

    def for_year(self, commune_id: int | None, year: int) -> Plan:
        if commune_id is not None and (commune_id, year) in self._stored:
            return self._stored[commune_id, year]
        if self.default.year == year or commune_id is None:
            return self.default
        earlier = [y for (c, y) in self._stored if c == commune_id and y < year]
        return self._stored[commune_id, max(earlier)] if earlier else self.default

    def for_day(self, commune_id: int | None, day: date) -> Plan:
        return self.for_year(commune_id, day.year)

    def has_year(self, commune_id: int, year: int) -> bool:
        """Whether the commune has a plan made for that year (stored, or PLAN_FILE's of that year)."""
        return (commune_id, year) in self._stored or self.default.year == year

    def stored_years(self, commune_id: int) -> list[int]:
        return sorted(y for (c, y) in self._stored if c == commune_id)
