"""Reminder settings as one pure value: the sending calendar, the ladder, lateness and snooze lengths."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from plan.calendar import SendingCalendar
from plan.schema import Plan


@dataclass(frozen=True, slots=True)
class ReminderConfig:
    """What the planner needs besides the plan and the data; built once from settings."""

    calendar: SendingCalendar
    ladder: tuple[int, ...]  # days relative to a deadline, e.g. (-14, -7, -2, 0, 3)
    max_lateness: timedelta = timedelta(hours=24)  # later than this after downtime: skipped, not sent
    snooze_days: int = 3
    quarter_lead_days: int = 7  # the quarterly reminders go this many days before the quarter's cut-off
    indicator_from_quarter: int = 3  # per-indicator reminders ("no Ngày hội yet") from this quarter on

    @property
    def digest_after_days(self) -> int:
        """The chair's digest follows the ladder's last step, so units get their last nudge first."""
        return max(1, max(self.ladder) + 1)

    @classmethod
    def build(cls, plan: Plan, calendar: SendingCalendar, *, snooze_days: int = 3, max_lateness_hours: float = 24,
              ladder: tuple[int, ...] | None = None) -> ReminderConfig:
        return cls(calendar=calendar, ladder=tuple(sorted(set(ladder or plan.settings.reminder_ladder))),
                   max_lateness=timedelta(hours=max_lateness_hours), snooze_days=snooze_days)


def config_from_settings(settings: Any, plan: Plan, calendar: SendingCalendar) -> ReminderConfig:
    """The config from the bot's Settings (read by attribute name, so reminders/ never imports bot/), around
    the one sending calendar create_app builds for every ticker."""
    return ReminderConfig.build(
        plan, calendar, snooze_days=settings.reminder_snooze_days,
        max_lateness_hours=settings.reminder_max_lateness_hours, ladder=settings.reminder_ladder_days)
