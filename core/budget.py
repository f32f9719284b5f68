"""A channel's monthly message budget as policy (today Zalo's, `ZALO_MONTHLY_QUOTA`): which messages may still go as
it runs out, and which warning thresholds a send crossed. Which messages matter most when few are left is the
product's decision, not the platform's, so it lives here; the Zalo adapter only counts what it sent, reads
Zalo's answers and stores the count (bot/channels/zalo/quota.py, docs/zalo.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from core.messages import PRIORITY_BROADCAST, PRIORITY_REMINDER, PRIORITY_REPLY, PRIORITY_STRANGER, PRIORITY_SUMMARY

# A message of this priority goes out only while more than this share of the month's budget is left.
# The last 20% is reserved for replies to registered people and for reminders (the last 10%: replies only);
# replies to strangers (at most two a day each) are served from the rest, like broadcasts.
RESERVES = {PRIORITY_REPLY: 0.0, PRIORITY_REMINDER: 0.10, PRIORITY_SUMMARY: 0.15, PRIORITY_BROADCAST: 0.20,
            PRIORITY_STRANGER: 0.20}
WARN_AT = (80, 100)  # percent of the budget: admins are told once per month at each


class MonthUsage(Protocol):
    """A month's count as stored (storage.usage.Usage): messages sent, and the budget in force when the platform
    said its own quota was used up (None: it has not)."""

    count: int
    paused_budget: int | None


@dataclass(frozen=True, slots=True)
class BudgetPolicy:
    """Pure rules: which priorities may still be sent, and which warning thresholds a send crossed."""

    budget: int
    reserves: dict[int, float] = field(default_factory=lambda: dict(RESERVES))
    warn_at: tuple[int, ...] = WARN_AT

    def paused(self, usage: MonthUsage) -> bool:
        """The platform said the month's quota is used up, and the setting was not raised since."""
        return usage.paused_budget is not None and self.budget <= usage.paused_budget

    def allows(self, priority: int, usage: MonthUsage) -> bool:
        if self.paused(usage):
            return False  # nothing can go: the platform refuses every message until its quota comes back
        if priority <= PRIORITY_REPLY:
            return True  # replies always go: the platform's own refusal is the hard stop
        reserve = self.reserves.get(priority, max(self.reserves.values()))
        return self.budget - usage.count > self.budget * reserve

    def crossed(self, before: int, after: int) -> list[int]:
        return [pct for pct in self.warn_at if before < self.budget * pct / 100 <= after]
