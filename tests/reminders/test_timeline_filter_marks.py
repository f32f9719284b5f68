"""Reminders and /lich close a timeline row only with the activity it names (the same `where` as the report)."""

from __future__ import annotations

from datetime import date

from plan.loader import load_plan
from reminders.rules import ReportIndex, done_mark, filtered_forms, filtered_marks

PLAN = load_plan("plan/plans/nam_cuong_2026.yaml")
ITEMS = {item.id: item for item in PLAN.timeline}


def test_a_supervision_programme_marks_ii_2_1_done_and_not_the_party_plan():
    rows = [(1, "ban_hanh_van_ban", date(2026, 1, 20), {"loai": "chuong_trinh_giam_sat", "co_quan": "ubmttq"})]
    index = ReportIndex([(1, "ban_hanh_van_ban", date(2026, 1, 20)), *filtered_marks(PLAN, rows)])
    done = {item_id for item_id in ("I.1", "I.3", "II.2.1", "II.3.1")
            if index.reported(1, done_mark(ITEMS[item_id]), date(2026, 1, 1), date(2026, 3, 31))}
    assert done == {"II.2.1"}
    assert "ban_hanh_van_ban" in filtered_forms(PLAN)
    assert done_mark(ITEMS["II.1.1"]) == "ngay_hoi"  # no filter: the form alone
