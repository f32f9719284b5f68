"""Holidays for any year: the `holidays` package (lunar Tết included) plus the declared-days file."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, time

import pytest
from support.app import VN

from bot.settings import ConfigError, load_settings
from plan.calendar import SendingCalendar
from plan.holidays import SHIPPED_DECLARED, HolidayFileError, PublicHolidays, load_declared, package_holidays

SHIPPED = PublicHolidays(load_declared(SHIPPED_DECLARED))

# (label, day, a day off?) — 2027 from the package alone: nothing for 2027 is in the shipped file.
DAYS = [
    ("2027 Tết Dương lịch", date(2027, 1, 1), True),
    ("2027 the day after Tết Dương lịch", date(2027, 1, 2), False),
    ("2027 the day before the Tết break", date(2027, 2, 3), False),
    ("2027 29 Tết", date(2027, 2, 4), True),
    ("2027 giao thừa", date(2027, 2, 5), True),
    ("2027 mùng 1 Tết (lunar new year, 6 Feb)", date(2027, 2, 6), True),
    ("2027 mùng 3 Tết", date(2027, 2, 8), True),
    ("2027 mùng 5 Tết, the break's last day", date(2027, 2, 10), True),
    ("2027 the first working day after Tết", date(2027, 2, 11), False),
    ("2027 the day before Giỗ Tổ", date(2027, 4, 15), False),
    ("2027 Giỗ Tổ Hùng Vương (10/3 âm lịch)", date(2027, 4, 16), True),
    ("2027 the day after Giỗ Tổ", date(2027, 4, 17), False),
    ("2027 the day before 30/4", date(2027, 4, 29), False),
    ("2027 30/4", date(2027, 4, 30), True),
    ("2027 1/5, a Saturday", date(2027, 5, 1), True),
    ("2027 1/5's day off moved to Monday", date(2027, 5, 3), True),
    ("2027 the Tuesday after", date(2027, 5, 4), False),
    ("2027 the day before Quốc khánh", date(2027, 9, 1), False),
    ("2027 Quốc khánh 2/9", date(2027, 9, 2), True),
    ("2027 Quốc khánh's second day", date(2027, 9, 3), True),
    ("2027 Ngày Văn hóa Việt Nam", date(2027, 11, 24), True),
    ("2028 mùng 1 Tết (26 Jan)", date(2028, 1, 26), True),
    ("2028 Giỗ Tổ (4 Apr)", date(2028, 4, 4), True),
    ("2026 declared: the Tết break's first day (Saturday 14/02)", date(2026, 2, 14), True),
    ("2026 declared: the Tết break's last day (Sunday 22/02)", date(2026, 2, 22), True),
    ("2026 the day before the declared Tết break", date(2026, 2, 13), False),
    ("2026 the first working day after Tết", date(2026, 2, 23), False),
    ("2026 declared: Giỗ Tổ break from Saturday 25/04", date(2026, 4, 25), True),
    ("2026 declared: 30/4 – 1/5 break to Sunday 03/05", date(2026, 5, 3), True),
    ("2026 after the 30/4 – 1/5 break", date(2026, 5, 4), False),
    ("2026 declared: Quốc khánh break from 29/08", date(2026, 8, 29), True),
    ("2026 Ngày Văn hóa Việt Nam (the package)", date(2026, 11, 24), True),
    ("2026 an ordinary Wednesday", date(2026, 11, 25), False),
]


@pytest.mark.parametrize(("label", "day", "off"), DAYS, ids=[label for label, _, _ in DAYS])
def test_days_off_of_any_year(label, day, off):
    assert (day in SHIPPED) is off


# (label, moment, the next allowed moment) — the calendar the tickers use, Sundays skipped.
SLOTS = [
    ("2027 29 Tết → after the break", datetime(2027, 2, 4, 9, 0), datetime(2027, 2, 11, 7, 30)),
    ("2027 mùng 5 evening → next morning", datetime(2027, 2, 10, 21, 0), datetime(2027, 2, 11, 7, 30)),
    ("2027 Giỗ Tổ (Friday) → Saturday", datetime(2027, 4, 16, 10, 0), datetime(2027, 4, 17, 7, 30)),
    ("2027 30/4 (Friday) → past 1/5, Sunday and the observed Monday", datetime(2027, 4, 30, 8, 0),
     datetime(2027, 5, 4, 7, 30)),
    ("2027 Quốc khánh → Saturday 4/9", datetime(2027, 9, 2, 8, 0), datetime(2027, 9, 4, 7, 30)),
    ("2027 an ordinary working moment stays", datetime(2027, 3, 9, 10, 0), datetime(2027, 3, 9, 10, 0)),
]


@pytest.mark.parametrize(("label", "moment", "expected"), SLOTS, ids=[label for label, _, _ in SLOTS])
def test_next_slot_skips_the_holidays_of_any_year(label, moment, expected):
    calendar = SendingCalendar(VN, holidays=SHIPPED)
    assert calendar.next_slot(moment.replace(tzinfo=VN)) == expected.replace(tzinfo=VN)


def test_a_declared_break_adds_to_the_package(tmp_path):
    path = tmp_path / "declared.yaml"
    path.write_text("declared:\n  - {from: 2027-02-01, to: 2027-02-14, name: Tết 2027 (as declared)}\n"
                    "  - {from: 2027-12-31}\n", encoding="utf-8")
    holidays = PublicHolidays(load_declared(path))
    assert date(2027, 2, 1) in holidays and date(2027, 2, 12) in holidays and date(2027, 12, 31) in holidays
    assert date(2027, 2, 15) not in holidays and date(2027, 1, 29) not in holidays
    assert date(2027, 4, 16) in holidays  # the package's days stay
    assert SendingCalendar(VN, holidays=holidays).first_working_day_after(date(2027, 1, 30)) == date(2027, 2, 15)
    assert date(2026, 2, 14) not in holidays  # the shipped declarations are replaced by this file


def test_every_problem_of_a_declared_file_at_once(tmp_path):
    path = tmp_path / "declared.yaml"
    path.write_text("declared:\n  - {from: 2027-02-10, to: 2027-02-01}\n  - {from: 14/02/2027}\n"
                    "  - {from: 2027-01-01, to: 2027-03-01}\n  - 2027-05-02\n  - {from: 2027-05-02}\n",
                    encoding="utf-8")
    with pytest.raises(HolidayFileError) as error:
        load_declared(path)
    assert str(error.value).splitlines() == [
        f"{path}: declared entry 1: `to` (2027-02-01) is before `from` (2027-02-10)",
        f"{path}: declared entry 2: `from` and `to` must be dates written YYYY-MM-DD",
        f"{path}: declared entry 3: 2027-01-01 – 2027-03-01 is longer than 31 days",
        f"{path}: declared entry 4: expected {{from: YYYY-MM-DD, to: YYYY-MM-DD, name: …}}",
    ]


def test_a_bad_holidays_file_stops_start_up_naming_the_setting(tmp_path):
    path = tmp_path / "declared.yaml"
    path.write_text("declared: {from: 2027-02-01}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^HOLIDAYS_FILE: tệp ngày nghỉ không dùng được: "
                       r".*expected `declared:` followed by a list"):
        load_settings(_env_file=None, holidays_file=path)
    with pytest.raises(ConfigError, match=r"^HOLIDAYS_FILE: .*cannot read"):
        load_settings(_env_file=None, holidays_file=tmp_path / "missing.yaml")


def test_the_settings_calendar_uses_the_declared_file(tmp_path):
    path = tmp_path / "declared.yaml"
    path.write_text("declared:\n  - {from: 2027-03-09, to: 2027-03-09, name: a local day off}\n", encoding="utf-8")
    calendar = load_settings(_env_file=None, holidays_file=path, reminder_send_start=time(8, 0)).sending_calendar()
    assert not calendar.allows(datetime(2027, 3, 9, 10, 0, tzinfo=VN))
    assert calendar.next_slot(datetime(2027, 3, 9, 10, 0, tzinfo=VN)) == datetime(2027, 3, 10, 8, 0, tzinfo=VN)
    assert date(2027, 2, 6) in calendar.holidays


def test_the_package_is_imported_in_a_child_process_not_in_the_bot():
    probe = ("import sys; from datetime import date; from plan.holidays import package_holidays; "
             "days = package_holidays('VN', 2027); "
             "print(date(2027, 2, 6) in days, len(days), 'holidays' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "15", "False"]


def test_without_a_child_process_the_bot_computes_them_itself(monkeypatch, caplog):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    package_holidays.cache_clear()
    try:
        assert date(2029, 2, 13) in package_holidays("VN", 2029)  # mùng 1 Tết 2029
    finally:
        package_holidays.cache_clear()
    assert "computed in the bot's own process" in caplog.text
