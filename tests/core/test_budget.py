"""The monthly budget's policy (core/budget.py): the end of the budget is kept for replies, then reminders; a
platform's pause holds everything until the budget is raised; each warning threshold is crossed once."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.budget import BudgetPolicy
from core.messages import PRIORITY_BROADCAST, PRIORITY_REMINDER, PRIORITY_REPLY, PRIORITY_SUMMARY


@dataclass
class Usage:
    """A month's count as the policy reads it (storage.usage.Usage has the same two fields)."""

    count: int
    paused_budget: int | None = None


@pytest.mark.parametrize(("used", "priority", "allowed"), [
    (0, PRIORITY_BROADCAST, True),
    (79, PRIORITY_BROADCAST, True),
    (80, PRIORITY_BROADCAST, False),  # the last 20% are not for broadcasts
    (80, PRIORITY_SUMMARY, True),
    (85, PRIORITY_SUMMARY, False),
    (89, PRIORITY_REMINDER, True),
    (90, PRIORITY_REMINDER, False),  # the last 10% are for replies only
    (90, PRIORITY_REPLY, True),
    (150, PRIORITY_REPLY, True),  # replies are always tried: the platform's 429 is the hard stop
])
def test_policy_keeps_the_end_of_the_budget_for_replies(used, priority, allowed):
    assert BudgetPolicy(100).allows(priority, Usage(count=used)) is allowed


@pytest.mark.parametrize(("budget", "paused_at", "allowed"), [(100, 100, False), (200, 100, True)])
def test_a_platform_pause_holds_until_the_budget_is_raised(budget, paused_at, allowed):
    assert BudgetPolicy(budget).allows(PRIORITY_REMINDER, Usage(count=1, paused_budget=paused_at)) is allowed


@pytest.mark.parametrize(("before", "after", "crossed"), [(0, 79, []), (79, 80, [80]), (80, 99, []),
                                                          (70, 100, [80, 100]), (100, 130, [])])
def test_warning_thresholds_are_crossed_once(before, after, crossed):
    assert BudgetPolicy(100).crossed(before, after) == crossed
