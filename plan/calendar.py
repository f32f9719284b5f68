"""Working days and sending hours in business time: when the bot may send reminders and reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Vietnamese public holidays of 2026 (offices closed), from docs/domain.md. Quốc khánh is as announced
# for 2026 (29/08–02/09) and is marked "to confirm" there: edit this list or the setting when it is.
HOLIDAYS_2026: tuple[tuple[date, date], ...] = (
    (date(2026, 1, 1), date(2026, 1, 4)),  # Tết Dương lịch
    (date(2026, 2, 14), date(2026, 2, 22)),  # Tết Nguyên đán (mùng 1 = 17/02)
    (date(2026, 4, 25), date(2026, 4, 27)),  # Giỗ Tổ Hùng Vương
    (date(2026, 4, 30), date(2026, 5, 3)),  # 30/4 – 1/5
    (date(2026, 8, 29), date(2026, 9, 2)),  # Quốc khánh
)


def expand(ranges: tuple[tuple[date, date], ...]) -> frozenset[date]:
    days: set[date] = set()
    for first, last in ranges:
        days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
    return frozenset(days)


@dataclass(frozen=True, slots=True)
class SendingCalendar:
    """Which moments the bot may send at: inside sending hours, not on holidays or (by default) Sundays."""

    tz: ZoneInfo
    start: time = time(7, 30)
    end: time = time(20, 0)
    holidays: frozenset[date] = expand(HOLIDAYS_2026)
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
