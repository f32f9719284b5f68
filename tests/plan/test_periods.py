"""Quarter, period and deadline math: labelled tables over quarter edges, time zones and the shipped plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from plan.loader import SHIPPED_PLAN, load_plan
from plan.periods import (
    Deadline,
    Period,
    business_date,
    current_quarter,
    deadlines,
    month_end,
    quarter_cutoff,
    quarter_of,
    window_of,
)
from plan.schema import TimelineItem

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = date


@pytest.fixture(scope="module")
def items() -> dict[str, TimelineItem]:
    return {item.id: item for item in load_plan(SHIPPED_PLAN).timeline}


def labelled(names: str, table: list[tuple]) -> pytest.MarkDecorator:
    """Parametrize over (label, *values) rows, the label becoming the test id."""
    return pytest.mark.parametrize(names, [row[1:] for row in table], ids=[row[0] for row in table])


@labelled("day, quarter", [
    ("new year's day", D(2026, 1, 1), 1),
    ("last day of Q1", D(2026, 3, 31), 1),
    ("first day of Q2", D(2026, 4, 1), 2),
    ("last day of Q2", D(2026, 6, 30), 2),
    ("first day of Q3", D(2026, 7, 1), 3),
    ("last day of Q3", D(2026, 9, 30), 3),
    ("first day of Q4", D(2026, 10, 1), 4),
    ("new year's eve", D(2026, 12, 31), 4),
    ("leap day", D(2028, 2, 29), 1),
])
def test_quarter_of(day: date, quarter: int) -> None:
    assert quarter_of(day) == quarter


@labelled("period, start, end, key", [
    ("Q1", Period.quarter(2026, 1), D(2026, 1, 1), D(2026, 3, 31), "2026-Q1"),
    ("Q2", Period.quarter(2026, 2), D(2026, 4, 1), D(2026, 6, 30), "2026-Q2"),
    ("Q3", Period.quarter(2026, 3), D(2026, 7, 1), D(2026, 9, 30), "2026-Q3"),
    ("Q4", Period.quarter(2026, 4), D(2026, 10, 1), D(2026, 12, 31), "2026-Q4"),
    ("first half", Period(2026, "half"), D(2026, 1, 1), D(2026, 6, 30), "2026-H1"),
    ("nine months", Period(2026, "nine_months"), D(2026, 1, 1), D(2026, 9, 30), "2026-9M"),
    ("whole year", Period(2026, "year"), D(2026, 1, 1), D(2026, 12, 31), "2026"),
])
def test_period_bounds_and_key(period: Period, start: date, end: date, key: str) -> None:
    assert (period.start, period.end, period.key) == (start, end, key)
    assert Period.parse_key(key) == period
    assert period.contains(start) and period.contains(end)
    assert not period.contains(start - timedelta(days=1)) and not period.contains(end + timedelta(days=1))


@labelled("key, period", [
    ("lower case, spaces", " 2026-q3 ", Period.quarter(2026, 3)),
    ("lower case half", "2026-h1", Period(2026, "half")),
    ("another year", "2027", Period(2027, "year")),
])
def test_parse_key_is_lenient(key: str, period: Period) -> None:
    assert Period.parse_key(key) == period


@pytest.mark.parametrize("key", ["2026-Q5", "2026-Q0", "2026-Q", "2026-H2", "2026-X1", "2026-Q1-extra",
                                 "Q1-2026", "năm 2026", "", "abc"])
def test_parse_key_refuses_bad_keys(key: str) -> None:
    with pytest.raises(ValueError):
        Period.parse_key(key)


@pytest.mark.parametrize("number", [0, 5, -1])
def test_quarter_numbers_are_checked(number: int) -> None:
    with pytest.raises(ValueError, match="numbered 1 to 4"):
        Period.quarter(2026, number)


@labelled("period, cumulative", [
    ("Q1 is itself", Period.quarter(2026, 1), Period.quarter(2026, 1)),
    ("Q2 → first half", Period.quarter(2026, 2), Period(2026, "half")),
    ("Q3 → nine months", Period.quarter(2026, 3), Period(2026, "nine_months")),
    ("Q4 → whole year", Period.quarter(2026, 4), Period(2026, "year")),
    ("half stays", Period(2026, "half"), Period(2026, "half")),
    ("year stays", Period(2026, "year"), Period(2026, "year")),
])
def test_year_to_date(period: Period, cumulative: Period) -> None:
    assert period.year_to_date() == cumulative
    assert period.year_to_date().end == period.end


@labelled("year, month, last_day", [
    ("Feb 2026", 2026, 2, D(2026, 2, 28)),
    ("Feb of a leap year", 2028, 2, D(2028, 2, 29)),
    ("Feb 2100 is not leap", 2100, 2, D(2100, 2, 28)),
    ("April has 30 days", 2026, 4, D(2026, 4, 30)),
    ("December", 2026, 12, D(2026, 12, 31)),
])
def test_month_end(year: int, month: int, last_day: date) -> None:
    assert month_end(year, month) == last_day


# Asia/Ho_Chi_Minh is UTC+7 all year: 16:59 UTC is 23:59 there, 17:00 UTC is next midnight.
@labelled("now, today, quarter", [
    ("23:59 business time, last day of Q1", datetime(2026, 3, 31, 16, 59, tzinfo=UTC), D(2026, 3, 31),
     "2026-Q1"),
    ("00:00 business time, first day of Q2", datetime(2026, 3, 31, 17, 0, tzinfo=UTC), D(2026, 4, 1),
     "2026-Q2"),
    ("New Year's Eve 23:59 business time", datetime(2025, 12, 31, 16, 59, tzinfo=UTC), D(2025, 12, 31),
     "2025-Q4"),
    ("New Year 00:00 business time", datetime(2025, 12, 31, 17, 0, tzinfo=UTC), D(2026, 1, 1), "2026-Q1"),
    ("already in business time", datetime(2026, 7, 1, 0, 0, tzinfo=VN), D(2026, 7, 1), "2026-Q3"),
    ("another offset (UTC-5)", datetime(2026, 9, 30, 12, 0, tzinfo=timezone(timedelta(hours=-5))),
     D(2026, 10, 1), "2026-Q4"),
])
def test_business_date_and_current_quarter(now: datetime, today: date, quarter: str) -> None:
    assert business_date(now, VN) == today
    assert current_quarter(now, VN).key == quarter


@pytest.mark.parametrize("function", [business_date, current_quarter])
def test_naive_datetime_is_refused(function) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        function(datetime(2026, 3, 31, 23, 59), VN)


@labelled("year, number, cutoff_day, expected", [
    ("Q1 on the 15th", 2026, 1, 15, D(2026, 3, 15)),
    ("Q2 on the 15th", 2026, 2, 15, D(2026, 6, 15)),
    ("Q4 on the 15th", 2026, 4, 15, D(2026, 12, 15)),
    ("Q3 on the 28th", 2026, 3, 28, D(2026, 9, 28)),
])
def test_quarter_cutoff(year: int, number: int, cutoff_day: int, expected: date) -> None:
    assert quarter_cutoff(year, number, cutoff_day) == expected


def quarter_ends(item_id: str, year: int = 2026) -> list[Deadline]:
    return [Deadline(item_id, f"{year}-Q{q}", Period.quarter(year, q).end) for q in range(1, 5)]


# Real rows of the shipped plan's appendix: (label, item, year, expected deadlines).
@labelled("item_id, year, expected", [
    ("II.3.1 Tháng 02/2026", "II.3.1", 2026, [Deadline("II.3.1", "2026-02", D(2026, 2, 28))]),
    ("II.3.1 in a leap year", "II.3.1", 2028, [Deadline("II.3.1", "2028-02", D(2028, 2, 29))]),
    ("I.1 is the plan the report cites: none", "I.1", 2026, []),
    ("II.2.1 Tháng 01/2026", "II.2.1", 2026, [Deadline("II.2.1", "2026-01", D(2026, 1, 31))]),
    ("I.2 Quý I", "I.2", 2026, [Deadline("I.2", "2026-Q1", D(2026, 3, 31))]),
    ("I.4 Quý II, III: end of the last", "I.4", 2026, [Deadline("I.4", "2026-Q3", D(2026, 9, 30))]),
    ("I.7 Quý IV/2026", "I.7", 2026, [Deadline("I.7", "2026-Q4", D(2026, 12, 31))]),
    ("II.1.1 Quý IV, by 18/11 (the Ngày hội season)", "II.1.1", 2026, [Deadline("II.1.1", "2026-Q4", D(2026, 11, 18))]),
    ("I.6 Hằng quý: four quarter ends", "I.6", 2026, quarter_ends("I.6")),
    ("II.4.3 trong năm: year end", "II.4.3", 2026, [Deadline("II.4.3", "2026", D(2026, 12, 31))]),
    ("I.5 Thường xuyên: none", "I.5", 2026, []),
    ("II.2.2 Giám sát thường xuyên: none", "II.2.2", 2026, []),
    ("II.4.1 HĐND, no dates known yet: none", "II.4.1", 2026, []),
])
def test_deadlines_of_shipped_items(items: dict[str, TimelineItem], item_id: str, year: int,
                                    expected: list[Deadline]) -> None:
    assert deadlines(items[item_id], year) == expected


def test_hdnd_session_deadlines_keep_the_plan_year_sorted_and_unique(items: dict[str, TimelineItem]) -> None:
    sessions = (D(2026, 12, 15), D(2025, 12, 20), D(2026, 7, 10), D(2027, 1, 5), D(2026, 7, 10))
    assert deadlines(items["II.4.1"], 2026, sessions) == [
        Deadline("II.4.1", "2026-07-10", D(2026, 7, 10)),
        Deadline("II.4.1", "2026-12-15", D(2026, 12, 15)),
    ]


def test_every_shipped_item_has_deadlines_inside_the_year(items: dict[str, TimelineItem]) -> None:
    for item in items.values():
        for deadline in deadlines(item, 2026, (D(2026, 6, 30),)):
            assert D(2026, 1, 1) <= deadline.due <= D(2026, 12, 31), item.id
            start, end = window_of(item, 2026, deadline)
            assert D(2026, 1, 1) <= start <= deadline.due <= end, item.id
            assert end == deadline.due or item.due.by, item.id  # a report after an early `by` still counts


# Which report dates count toward a deadline: (label, item, which deadline, expected window).
@labelled("item_id, which, expected", [
    ("I.6 Q2 report: the quarter only", "I.6", 1, (D(2026, 4, 1), D(2026, 6, 30))),
    ("I.6 Q4 report: the quarter only", "I.6", 3, (D(2026, 10, 1), D(2026, 12, 31))),
    ("I.4 Quý II, III: from Q2's start", "I.4", 0, (D(2026, 4, 1), D(2026, 9, 30))),
    ("I.2 Quý I", "I.2", 0, (D(2026, 1, 1), D(2026, 3, 31))),
    ("II.1.1 Quý IV", "II.1.1", 0, (D(2026, 10, 1), D(2026, 12, 31))),
    ("II.3.1 month: the year so far", "II.3.1", 0, (D(2026, 1, 1), D(2026, 2, 28))),
    ("II.4.3 year: the whole year", "II.4.3", 0, (D(2026, 1, 1), D(2026, 12, 31))),
    ("II.4.1 session: the year so far", "II.4.1", 0, (D(2026, 1, 1), D(2026, 7, 10))),
])
def test_window_of(items: dict[str, TimelineItem], item_id: str, which: int,
                   expected: tuple[date, date]) -> None:
    item = items[item_id]
    deadline = deadlines(item, 2026, (D(2026, 7, 10),))[which]
    assert window_of(item, 2026, deadline) == expected
