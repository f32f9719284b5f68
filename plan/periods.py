"""Quarter, period and deadline math: pure functions of dates and `now`, no clock of their own."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from plan.due import DueKind
from plan.schema import TimelineItem

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period of a plan year: a quarter, the first half, nine months or the year.

    Its dates follow the plan's one definition (`PlanSettings.period_cutoff`): calendar quarters
    (cutoff_day 0), or quarters that end on the cut-off day of their last month and start the day after the
    previous one's (cut-off 15: Quý I = 16/12 of the year before to 15/03), so no day falls between two
    periods. The cut-off is not part of a period's identity (equality, key): it is the plan's, not the reader's.
    """

    year: int
    kind: str  # "quarter" | "half" | "nine_months" | "year"
    number: int = 0  # the quarter's number for kind "quarter"
    cutoff_day: int = field(default=0, compare=False)

    @property
    def start(self) -> date:
        first = self.number if self.kind == "quarter" else 1
        if self.cutoff_day:  # the day after the previous quarter's cut-off (Quý I: in December before)
            previous = date(self.year - 1, 12, self.cutoff_day) if first == 1 else \
                date(self.year, 3 * (first - 1), self.cutoff_day)
            return previous + timedelta(days=1)
        return date(self.year, 3 * (first - 1) + 1, 1)

    @property
    def end(self) -> date:
        last_month = {"quarter": 3 * self.number, "half": 6, "nine_months": 9, "year": 12}[self.kind]
        return date(self.year, last_month, self.cutoff_day) if self.cutoff_day else month_end(self.year, last_month)

    def with_cutoff(self, cutoff_day: int) -> Period:
        return replace(self, cutoff_day=cutoff_day)

    @property
    def key(self) -> str:
        """A stable machine key, e.g. 2026-Q1, 2026-H1, 2026-9M, 2026."""
        suffix = {"quarter": f"-Q{self.number}", "half": "-H1", "nine_months": "-9M", "year": ""}[self.kind]
        return f"{self.year}{suffix}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def year_to_date(self) -> Period:
        """The cumulative period from 1 January to this period's end."""
        if self.kind == "quarter":
            kind = {1: "quarter", 2: "half", 3: "nine_months", 4: "year"}[self.number]
            return self if kind == "quarter" else Period(self.year, kind, 0, self.cutoff_day)
        return self

    @classmethod
    def quarter(cls, year: int, number: int, cutoff_day: int = 0) -> Period:
        if number not in ROMAN:
            raise ValueError(f"a quarter is numbered 1 to 4, not {number}")
        return cls(year, "quarter", number, cutoff_day)

    @classmethod
    def containing(cls, day: date, cutoff_day: int = 0) -> Period:
        """The quarter a day belongs to (after the cut-off of a quarter's last month: the next quarter)."""
        number = quarter_of(day)
        if cutoff_day and day.month == 3 * number and day.day > cutoff_day:
            return cls.quarter(day.year + 1, 1, cutoff_day) if number == 4 else cls.quarter(day.year, number + 1,
                                                                                             cutoff_day)
        return cls.quarter(day.year, number, cutoff_day)

    @classmethod
    def parse_key(cls, key: str, cutoff_day: int = 0) -> Period:
        return cls._parse_key(key).with_cutoff(cutoff_day)

    @classmethod
    def _parse_key(cls, key: str) -> Period:
        """Inverse of `key` (used by the CLI: --period 2026-Q1)."""
        text = key.strip().upper()
        year_text, _, rest = text.partition("-")
        if not (year_text.isascii() and year_text.isdigit()):
            raise ValueError(f"unknown period '{key}' (expected e.g. 2026-Q1, 2026-H1, 2026-9M, 2026)")
        year = int(year_text)
        if not rest:
            return cls(year, "year")
        if rest == "H1":
            return cls(year, "half")
        if rest == "9M":
            return cls(year, "nine_months")
        if rest.startswith("Q") and rest[1:].isdigit():
            return cls.quarter(year, int(rest[1:]))
        raise ValueError(f"unknown period '{key}' (expected e.g. 2026-Q1, 2026-H1, 2026-9M, 2026)")


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def current_quarter(now: datetime, tz: ZoneInfo, cutoff_day: int = 0) -> Period:
    return Period.containing(business_date(now, tz), cutoff_day)


def business_date(now: datetime, tz: ZoneInfo) -> date:
    """The calendar date in the business timezone; `now` must be timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(tz).date()


def quarter_cutoff(year: int, number: int, cutoff_day: int) -> date:
    """The day a quarter's report is compiled: `cutoff_day` of the quarter's last month."""
    return date(year, 3 * number, cutoff_day)


@dataclass(frozen=True, slots=True)
class Deadline:
    """One due date of a timeline item; `period` tells occurrences of a recurring item apart."""

    item_id: str
    period: str
    due: date


def deadlines(item: TimelineItem, year: int, session_dates: tuple[date, ...] = (),
              cutoff_day: int = 0) -> list[Deadline]:
    """Every due date of a timeline item in the plan year (none for ongoing items); "Hằng quý" follows the
    plan's reporting period (its cut-off), the other kinds the calendar the plan's wording names."""
    if item.is_reference:  # the row asks for this very plan (I.1): it exists, so nothing is due, reminded or
        return []           # listed by /lich; the report shows the row done on the plan's date (cited_plan_date)
    due = item.due
    if due.kind is DueKind.MONTH:
        return [Deadline(item.id, f"{year}-{due.month:02d}", month_end(year, due.month))]
    if due.kind in (DueKind.QUARTER, DueKind.QUARTERS):
        last = max(due.quarters)
        day = date(year, due.by_day_month[1], due.by_day_month[0]) if due.by else Period.quarter(year, last).end
        return [Deadline(item.id, f"{year}-Q{last}", day)]
    if due.kind is DueKind.EVERY_QUARTER:
        return [Deadline(item.id, f"{year}-Q{q}", Period.quarter(year, q, cutoff_day).end) for q in range(1, 5)]
    if due.kind is DueKind.YEAR:
        return [Deadline(item.id, str(year), date(year, 12, 31))]
    if due.kind is DueKind.HDND_SESSION:
        return [Deadline(item.id, d.isoformat(), d) for d in sorted(set(session_dates)) if d.year == year]
    return []


def cited_plan_date(reference: str) -> date | None:
    """The date in the plan's reference ("Kế hoạch số 65-KH/TU ngày 10/03/2026 …"): the day a row that asks for
    this very plan (TimelineItem.is_reference) was done; None when the reference names no date."""
    found = re.search(r"ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})", reference)
    try:
        return date(int(found[3]), int(found[2]), int(found[1])) if found else None
    except ValueError:  # "ngày 31/02/2026": a typo in the plan file, shown without a date
        return None


def window_of(item: TimelineItem, year: int, deadline: Deadline,
              session_dates: tuple[date, ...] = (), cutoff_day: int = 0) -> tuple[date, date]:
    """The dates whose reports count toward a deadline: the item's quarter(s), the days since the previous
    HĐND session (so one voters' meeting closes one session, not every session of the year), or the year so far."""
    due = item.due
    if due.kind is DueKind.HDND_SESSION:
        earlier = [d for d in session_dates if d.year == year and d < deadline.due]
        return (max(earlier) + timedelta(days=1) if earlier else date(year, 1, 1)), deadline.due
    if due.kind is DueKind.EVERY_QUARTER:
        quarter = Period.quarter(year, int(deadline.period.rsplit("Q", 1)[1]), cutoff_day)
        return quarter.start, quarter.end
    if due.kind in (DueKind.QUARTER, DueKind.QUARTERS):  # a report after an early `by` still closes the row
        last = Period.quarter(year, max(due.quarters)).end
        return Period.quarter(year, min(due.quarters)).start, max(deadline.due, last)
    return date(year, 1, 1), deadline.due
