"""`mttq-bot remind preview` over 2027: no reminder on Tết 2027 or any other day off, without a code change."""

from __future__ import annotations

import re
import threading
from datetime import date, datetime

import pytest
from support.app import VN

from bot.cli import main
from plan.holidays import SHIPPED_DECLARED, PublicHolidays, load_declared
from plan.loader import SHIPPED_PLAN

TET_2027 = [date(2027, 2, day) for day in range(4, 11)]  # 29 Tết (04/02) … mùng 5 (10/02); mùng 1 = 06/02
LINE = re.compile(r"^(\d\d/\d\d/\d{4}) (\d\d:\d\d)  (\S+)  → ", re.MULTILINE)


@pytest.fixture
def year_2027(tmp_path, monkeypatch):
    """A fresh demo database and the shipped plan moved to 2027, as a commune would load next year's plan."""
    plan = tmp_path / "plan_2027.yaml"
    plan.write_text(SHIPPED_PLAN.read_text(encoding="utf-8").replace("2026", "2027"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/mttq.db")
    monkeypatch.setenv("PLAN_FILE", str(plan))
    assert main(["init", "--demo"]) == 0
    return tmp_path


def _preview(capsys) -> list[tuple[date, str]]:
    capsys.readouterr()
    assert main(["remind", "preview", "--from", "2027-01-01", "--to", "2027-12-31"]) == 0
    out = capsys.readouterr().out
    lines = [(datetime.strptime(day, "%d/%m/%Y").date(), key) for day, _time, key in LINE.findall(out)]
    assert out.rstrip().endswith(f"{len(lines)} reminders from 01/01/2027 to 31/12/2027 (nothing was sent)")
    return lines


def test_preview_of_2027_shows_none_on_tet_2027_nor_on_any_day_off(year_2027, capsys):
    lines = _preview(capsys)
    days = {day for day, _ in lines}
    assert len(lines) > 100 and all(day.year == 2027 for day in days)
    assert not days & set(TET_2027)
    assert not days & set(PublicHolidays(load_declared(SHIPPED_DECLARED)).in_year(2027))
    assert all(day.weekday() != 6 for day in days)  # Sundays are kept quiet by default too
    # The January digest is due on its +4 day, 29 Tết: it waits for the first working day after the break.
    assert (date(2027, 2, 11), "digest:II.2.1|2027-01|p2|+4") in lines


def test_a_declared_break_moves_the_reminders_without_a_code_change(year_2027, capsys, monkeypatch):
    declared = year_2027 / "declared.yaml"
    declared.write_text("declared:\n  - {from: 2027-02-01, to: 2027-02-14, name: Tết 2027 as declared}\n",
                        encoding="utf-8")
    monkeypatch.setenv("HOLIDAYS_FILE", str(declared))
    lines = _preview(capsys)
    assert not {day for day, _ in lines} & {date(2027, 2, n) for n in range(1, 15)}
    assert (date(2027, 2, 15), "digest:II.2.1|2027-01|p2|+4") in lines


async def test_the_tick_computes_the_years_holidays_off_the_event_loop(app, clock, monkeypatch):
    holidays = app.reminder_config.calendar.holidays
    computed_in: list[tuple[int, bool]] = []
    compute = PublicHolidays.of_year

    def recording(self, year):
        if year not in self._years:
            computed_in.append((year, threading.current_thread() is threading.main_thread()))
        return compute(self, year)

    monkeypatch.setattr(PublicHolidays, "of_year", recording)
    clock.set(datetime(2026, 12, 31, 23, 30, tzinfo=VN))  # business time: still 2026 (16:30 UTC)
    await app.tick()
    assert computed_in == [(2026, False), (2027, False)] and holidays.missing(2026, 2027) == []
    await app.tick()
    assert len(computed_in) == 2  # once per year and process
