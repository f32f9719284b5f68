"""Working days and sending hours in business time: when the bot may send reminders and reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from plan.holidays import PublicHolidays


@dataclass(frozen=True, slots=True)
class SendingCalendar:
    """Which moments the bot may send at: inside sending hours, not on holidays or (by default) Sundays."""

    tz: ZoneInfo
    start: time = time(7, 30)
    end: time = time(20, 0)
    holidays: PublicHolidays = field(default_factory=PublicHolidays.shipped)  # any year, plus declared days
    skip_sundays: bool = True

    def is_working_day(self, day: date) -> bool:
        return day not in self.holidays and not (self.skip_sundays and day.weekday() == 6)

    def allows(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        return self.is_working_day(local.date()) and self.start <= local.time() < self.end

    def next_slot(self, moment: datetime) -> datetime:
        """`moment` itself if sending is allowed then, else the start of the next allowed window."""
        local = moment.astimezone(self.tz)
        if self.allows(local):
            return moment
        day = local.date() if local.time() < self.start else local.date() + timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return datetime.combine(day, self.start, tzinfo=self.tz)

    def first_working_day_after(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day
