"""A province page's commune row kept in the database (summaries/row_version.py): what its version covers, and
that it reads back equal. The row depends on "today" only through the year's end: a kept row is reused from one
day to the next, so this pins that nothing else of a day reaches a row."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from support.app import VN
from support.summary_data import calendar_quarters, golden_snapshot

from plan.loader import load_plan
from plan.periods import Period
from summaries.province import compile_row, heads_of
from summaries.row_version import (
    code_digest,
    columns_digest,
    plan_digest,
    row_from_json,
    row_to_json,
    row_version,
)

PLAN = calendar_quarters(load_plan("plan/plans/nam_cuong_2026.yaml"))
HEADS = heads_of(PLAN)


def _row(key: str, day: date):
    now = datetime(day.year, day.month, day.day, 9, 0, tzinfo=VN)
    return compile_row(PLAN, 1, golden_snapshot(), Period.parse_key(key), now, VN, HEADS)


@pytest.mark.parametrize("key", ["2026-Q1", "2026-Q4", "2026"])
def test_a_row_is_the_same_on_every_day_of_the_year_and_changes_after_it(key):
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(0, 365, 11)] + [date(2026, 12, 31)]
    rows = {_row(key, day) for day in days}
    assert len(rows) == 1  # every day of the year: the same row
    after = {_row(key, day) for day in (date(2027, 1, 1), date(2027, 6, 30))}
    assert len(after) == 1 and after != rows  # past the year: what was not reached is "chưa đạt"
    [during], [past] = rows, after
    assert [c.status for c in during.cells].count("dang_thuc_hien") > 0
    assert "dang_thuc_hien" not in [c.status for c in past.cells]


def test_a_row_reads_back_equal_through_json():
    row = _row("2026-Q1", date(2026, 4, 2))  # 1.3.2 has no denominator yet: no value
    assert row.silent and any(c.value is None for c in row.cells) and any(c.value for c in row.cells)
    assert row_from_json(row.commune_id, json.loads(json.dumps(row_to_json(row)))) == row


def test_the_version_changes_with_everything_a_row_is_made_from():
    period, today = Period.parse_key("2026-Q4"), date(2026, 12, 20)
    columns = columns_digest(HEADS)
    base = (PLAN, columns, period, today, (10, 7, None, None), (2, None), ("units", "baselines"))
    same = row_version(*base)
    assert row_version(*base) == same and row_version(PLAN.model_copy(), *base[1:]) == same  # same content
    changed = [
        (PLAN.model_copy(update={"reference": PLAN.reference + " (sửa)"}), *base[1:]),  # the plan's text
        (PLAN, columns_digest(HEADS[:-1]), *base[2:]),  # other columns
        (PLAN, columns, Period.parse_key("2026"), *base[3:]),  # another period
        (*base[:3], date(2027, 1, 2), *base[4:]),  # past the year's end
        (*base[:4], (11, 8, None, None), *base[5:]),  # a report arrived
        (*base[:5], (2, datetime(2026, 12, 1, tzinfo=VN)), base[6]),  # a petition answered
        (*base[:6], ("units renamed", "baselines")),  # a unit, a baseline, a session date
    ]
    versions = {row_version(*parts) for parts in changed}
    assert len(versions) == len(changed) and same not in versions
    assert row_version(*base[:3], date(2026, 3, 1), *base[4:]) == same  # another day of the year: kept


def test_the_code_digest_covers_the_compiler_and_the_reads():
    assert len(code_digest()) == 64 and len(plan_digest(PLAN)) == 64
    from summaries import row_version as module

    files = {p.relative_to(module.ROOT).as_posix() for s in module.SOURCES
             for p in ((module.ROOT / s).rglob("*.py") if (module.ROOT / s).is_dir() else [module.ROOT / s])}
    assert {"summaries/compile.py", "summaries/aggregations.py", "summaries/load.py", "summaries/province.py",
            "plan/periods.py", "core/vnparse.py", "storage/reading.py"} <= files
