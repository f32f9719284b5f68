"""Each activity heading of the DOCX lists its first activities and counts the rest (docx_results.headed): the
same as a plain filter of the whole list, with the summary's per-form counts and without them."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from support.app import VN
from support.summary_data import VILLAGE_A, VILLAGE_B, calendar_quarters, golden_snapshot

from plan.loader import load_plan
from plan.periods import Period
from summaries.compile import compile_summary
from summaries.docx_results import MAX_LISTED, OTHER, activity_sections, headed

PLAN = calendar_quarters(load_plan("plan/plans/nam_cuong_2026.yaml"))
NOW = datetime(2026, 3, 30, 9, 0, tzinfo=VN)
MAPPING = activity_sections(PLAN)


@pytest.fixture(scope="module")
def summary():
    day = date(2026, 1, 2)
    reports = [(VILLAGE_A if n % 2 else VILLAGE_B, form, str(day + timedelta(days=n % 80)), {"ten": f"việc {n}"})
               for n in range(3 * MAX_LISTED) for form in ("cong_trinh_xanh", "mo_hinh_tu_quan")]
    return compile_summary(PLAN, golden_snapshot((), reports), Period.quarter(2026, 1), NOW)


def _filtered(summary, heading: str) -> list:
    if heading == OTHER:
        return [a for a in summary.activities if MAPPING.get(a.form_id, OTHER) == OTHER]
    return [a for a in summary.activities if MAPPING.get(a.form_id) == heading]


@pytest.mark.parametrize("counts", ["compiled", "missing"])
def test_each_heading_lists_the_first_and_counts_all(summary, counts):
    if counts == "missing":  # counts that do not add up to the list: the activities are counted
        summary = dataclasses.replace(summary, counts={})
    long = 0
    for heading in {*MAPPING.values(), OTHER}:
        expected = _filtered(summary, heading)
        long += len(expected) > MAX_LISTED
        assert headed(summary, MAPPING, heading) == (expected[:MAX_LISTED], len(expected))
    assert long  # a heading with more than MAX_LISTED: the count is not the list's length
