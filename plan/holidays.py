"""Public holidays of Vietnam for any year: the `holidays` package's (lunar Tết included, computed offline)
plus the days off the government declares each year, from a small file (e.g. the whole Tết week).

The package knows the law (Labour Code art. 112: Tết Dương lịch, Tết Nguyên đán, Giỗ Tổ, 30/4, 1/5, Quốc
khánh, Ngày Văn hóa Việt Nam, and the days moved when one falls on a weekend); what it cannot know is the
yearly announcement that joins them into longer breaks. Those go in the declared-days file, so reminders of
a new year skip its Tết without a code change.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path

import yaml

log = logging.getLogger(__name__)

SHIPPED_DECLARED = Path(__file__).parent / "holidays_vn.yaml"
MAX_RANGE_DAYS = 31  # a declared break longer than this is a typo in a year or a month


class HolidayFileError(ValueError):
    """A declared-days file that cannot be used; the message names the file, the entry and what is wrong."""


@dataclass(frozen=True, slots=True)
class DeclaredRange:
    first: date
    last: date
    name: str = ""

    def days(self) -> Iterable[date]:
        return (self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1))


class PublicHolidays:
    """`day in holidays`: the package's holidays of the day's year, or a declared day. A year is computed on
    first use (`package_holidays`), which start-up does not pay; the app's tick does it in a thread."""

    def __init__(self, declared: Iterable[DeclaredRange] = (), *, country: str = "VN") -> None:
        self.declared = tuple(declared)
        self.country = country
        self._declared_days = frozenset(day for item in self.declared for day in item.days())
        self._years: dict[int, frozenset[date]] = {}

    @classmethod
    def shipped(cls) -> PublicHolidays:
        return cls(load_declared(SHIPPED_DECLARED))

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        return day in self._declared_days or day in self.of_year(day.year)

    def missing(self, *years: int) -> list[int]:
        """Which of `years` are not computed yet (the app computes them off the event loop: bot/app.py tick)."""
        return [year for year in years if year not in self._years]

    def of_year(self, year: int) -> frozenset[date]:
        """The package's public holidays of `year` (observed and substituted days included)."""
        days = self._years.get(year)
        if days is None:
            days = self._years[year] = package_holidays(self.country, year)
        return days

    def in_year(self, year: int) -> list[date]:
        """Every day off of `year`, sorted: for documentation and tests."""
        return sorted(self.of_year(year) | {day for day in self._declared_days if day.year == year})


# Run in a child process: importing the package loads all of its ~150 countries' modules (0.3–1 s, ~11 MB)
# that a running bot would otherwise keep for good, for one small set of dates a year.
_CHILD = ("import sys, holidays; "
          "print(*sorted(holidays.country_holidays(sys.argv[1], years=int(sys.argv[2]))))")


@cache
def package_holidays(country: str, year: int) -> frozenset[date]:
    """The `holidays` package's public holidays of `year` (observed and substituted days included), once per
    process and year; in a child process, or here when a child cannot be started."""
    try:
        child = subprocess.run([sys.executable, "-c", _CHILD, country, str(year)], capture_output=True,
                               text=True, timeout=120, check=True)
        return frozenset(date.fromisoformat(word) for word in child.stdout.split())
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        log.warning("holidays of %s computed in the bot's own process (a child process failed: %s)", year, exc)
        import holidays  # here, not at the top: see _CHILD

        return frozenset(holidays.country_holidays(country, years=year))


@lru_cache(maxsize=8)
def load_declared(path: Path) -> tuple[DeclaredRange, ...]:
    """Read a declared-days file: a YAML list of {from, to, name}; every problem in one error."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise HolidayFileError(f"{path}: cannot read the declared holidays ({exc})") from None
    except yaml.YAMLError as exc:
        raise HolidayFileError(f"{path}: not valid YAML ({str(exc).splitlines()[0]})") from None
    entries = (data or {}).get("declared", []) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise HolidayFileError(f"{path}: expected `declared:` followed by a list of {{from, to, name}}")
    ranges, problems = [], []
    for number, entry in enumerate(entries, start=1):
        item = _range(entry)
        if isinstance(item, str):
            problems.append(f"{path}: declared entry {number}: {item}")
        else:
            ranges.append(item)
    if problems:
        raise HolidayFileError("\n".join(problems))
    return tuple(ranges)


def _range(entry: object) -> DeclaredRange | str:
    if not isinstance(entry, dict):
        return "expected {from: YYYY-MM-DD, to: YYYY-MM-DD, name: …}"
    first, last = _date(entry.get("from")), _date(entry.get("to", entry.get("from")))
    if first is None or last is None:
        return "`from` and `to` must be dates written YYYY-MM-DD"
    if last < first:
        return f"`to` ({last}) is before `from` ({first})"
    if (last - first).days >= MAX_RANGE_DAYS:
        return f"{first} – {last} is longer than {MAX_RANGE_DAYS} days"
    return DeclaredRange(first, last, str(entry.get("name") or ""))


def _date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None
