"""A timeline row is closed only by the activity it names (its form and `where` filter), and per-HĐND-session
rows count the voters' meetings between one session and the next (issue 15, point 3)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from support.app import VN
from support.summary_data import calendar_quarters, judged_by_reports

from plan.loader import load_plan
from plan.periods import Period
from summaries.compile import compile_summary
from summaries.model import ReportRow, Snapshot, UnitInfo

PLAN = judged_by_reports(calendar_quarters(load_plan("plan/plans/nam_cuong_2026.yaml")))
COMMUNE, VILLAGE = 1, 2
UNITS = (UnitInfo(COMMUNE, "Ủy ban MTTQ Việt Nam xã", "commune"), UnitInfo(VILLAGE, "Thôn A", "village"))
ROWS = ("I.1", "I.3", "II.2.1", "II.3.1")
Q1 = Period.quarter(2026, 1)


def summary(reports: list[tuple], sessions: tuple[date, ...] = (), now: datetime | None = None,
            period: Period = Q1):
    rows = tuple(ReportRow(n, unit, form, date.fromisoformat(day), {"ngay": day, **answers})
                 for n, (unit, form, day, answers) in enumerate(reports, start=1))
    snapshot = Snapshot("Nam Cường", "Thái Nguyên", 2026, UNITS, {}, rows, session_dates=sessions)
    return compile_summary(PLAN, snapshot, period, now or datetime(2026, 4, 2, 9, tzinfo=VN))


def statuses(result, items=ROWS) -> dict[str, str]:
    return {t.item_id: t.status for t in result.timeline if t.item_id in items}


def issued(kind: str, body: str) -> tuple:
    return COMMUNE, "ban_hanh_van_ban", "2026-01-20", {"loai": kind, "co_quan": body, "so_hieu": "01-KH"}


@pytest.mark.parametrize(("reports", "done"), [
    ([issued("chuong_trinh_giam_sat", "ubmttq")], {"II.2.1"}),  # the supervision programme closes only its row
    ([(COMMUNE, "giam_sat", "2026-01-20", {"noi_dung": "Giám sát chi trả", "vai_tro": "chu_tri"})], set()),
    ([issued("ke_hoach_de_an", "dang_uy")], {"I.1"}),  # the Party committee's plan
    ([issued("ke_hoach_de_an", "ubmttq")], {"I.3"}),  # the Front's own plan
    ([issued("ke_hoach_de_an", "to_chuc_ctxh")], {"I.3"}),
    ([(COMMUNE, "phan_bien", "2026-02-10", {"ten_du_thao": "Dự thảo quy chế"})], set()),  # not the choosing
    ([issued("ke_hoach_phan_bien", "ubmttq")], {"II.3.1"}),
    ([issued("khac", "ubmttq")], set()),
])
def test_each_row_is_closed_only_by_its_own_kind_of_document_or_activity(reports, done):
    got = statuses(summary(reports))
    assert {item for item, status in got.items() if status == "done"} == done
    assert all(status == "overdue" for item, status in got.items() if item not in done)


def test_each_hdnd_session_counts_the_meetings_since_the_previous_one():
    sessions = (date(2026, 7, 10), date(2026, 10, 15), date(2026, 12, 20))
    meetings = [(COMMUNE, "tiep_xuc_cu_tri", day, {"so_cu_tri": 80}) for day in ("2026-07-01", "2026-12-05")]
    result = summary(meetings, sessions, datetime(2026, 12, 28, 9, tzinfo=VN), Period(2026, "year"))
    rows = [(t.deadline, t.status, t.reports, t.done_on) for t in result.timeline if t.item_id == "II.4.1"]
    assert rows == [(date(2026, 7, 10), "done", 1, date(2026, 7, 1)),
                    (date(2026, 10, 15), "overdue", 0, None),  # the July meeting does not close it
                    (date(2026, 12, 20), "done", 1, date(2026, 12, 5))]
