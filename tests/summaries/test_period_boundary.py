"""One definition of the reporting period (plan setting `reporting_period: cutoff`, day 15): an activity on
the 16th of a quarter's last month lands in exactly one period everywhere (issue 15, point 4)."""

from __future__ import annotations

from datetime import date, datetime
from itertools import pairwise

import pytest
from support.app import VN

from plan.calendar import SendingCalendar
from plan.loader import load_plan
from plan.periods import Period, deadlines, window_of
from summaries.auto import due_quarter
from summaries.compile import compile_summary
from summaries.model import ReportRow, Snapshot, UnitInfo

PLAN = load_plan("plan/plans/nam_cuong_2026.yaml")
UNITS = (UnitInfo(1, "Ủy ban MTTQ Việt Nam xã", "commune"), UnitInfo(2, "Thôn A", "village"))
NOW = datetime(2027, 1, 10, 9, tzinfo=VN)


def snapshot(day: str) -> Snapshot:
    report = ReportRow(1, 2, "mo_hinh_tu_quan", date.fromisoformat(day), {"ngay": day, "ten_mo_hinh": "Tổ tự quản"})
    return Snapshot("Nam Cường", "Thái Nguyên", 2026, UNITS, {}, (report,))


def test_the_shipped_plan_defines_quarters_by_the_cut_off():
    assert (PLAN.settings.reporting_period, PLAN.settings.period_cutoff) == ("cutoff", 15)
    quarters = [Period.quarter(2026, q, 15) for q in (1, 2, 3, 4)]
    assert [(q.start, q.end) for q in quarters] == [
        (date(2025, 12, 16), date(2026, 3, 15)), (date(2026, 3, 16), date(2026, 6, 15)),
        (date(2026, 6, 16), date(2026, 9, 15)), (date(2026, 9, 16), date(2026, 12, 15))]
    for before, after in pairwise(quarters):
        assert (after.start - before.end).days == 1  # no day between two periods


@pytest.mark.parametrize(("day", "quarter"), [("2026-03-15", 1), ("2026-03-16", 2), ("2026-06-16", 3),
                                              ("2025-12-16", 1), ("2026-12-15", 4)])
def test_an_activity_lands_in_exactly_one_quarter_of_the_summary(day, quarter):
    found = [q for q in (1, 2, 3, 4)
             if compile_summary(PLAN, snapshot(day), Period.quarter(2026, q), NOW).activities]
    assert found == [quarter]
    assert len(compile_summary(PLAN, snapshot(day), Period(2026, "year"), NOW).activities) == 1


def test_summary_reminders_and_the_automatic_report_share_the_boundary():
    summary = compile_summary(PLAN, snapshot("2026-03-16"), Period.quarter(2026, 1), NOW)
    assert (summary.period.start, summary.period.end) == (date(2025, 12, 16), date(2026, 3, 15))
    i6 = next(item for item in PLAN.timeline if item.id == "I.6")
    q1 = deadlines(i6, 2026, (), PLAN.settings.period_cutoff)[0]
    assert q1.due == date(2026, 3, 15)
    assert window_of(i6, 2026, q1, (), PLAN.settings.period_cutoff) == (date(2025, 12, 16), date(2026, 3, 15))
    calendar = SendingCalendar(VN)
    assert due_quarter(PLAN, calendar, date(2026, 3, 13)) is None  # before the cut-off: nothing yet
    automatic = due_quarter(PLAN, calendar, date(2026, 3, 16))  # Monday after the cut-off (Sunday 15/03)
    assert (automatic, automatic.end) == (Period.quarter(2026, 1), date(2026, 3, 15))
