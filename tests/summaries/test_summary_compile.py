"""Golden tests of the pure summary compiler: exact indicator values, statuses and silent units."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime

import pytest
from support.app import VN
from support.summary_data import BOARD, COMMUNE, FARMERS, VILLAGE_A, calendar_quarters, golden_snapshot

from plan.loader import load_plan
from plan.periods import Period
from plan.schema import Aggregation, FieldKind
from summaries.compile import compile_summary
from summaries.model import SummaryError, UnitInfo

PLAN = calendar_quarters(load_plan("plan/plans/nam_cuong_2026.yaml"))
Q1_NOW = datetime(2026, 4, 2, 9, 0, tzinfo=VN)
Q4_NOW = datetime(2026, 12, 20, 9, 0, tzinfo=VN)
YEAR_NOW = datetime(2027, 1, 10, 9, 0, tzinfo=VN)
N = None  # an indicator with no denominator yet

# indicator: (value in the period, year-to-date value, status)
GOLDEN = {
    "2026-Q1": (Q1_NOW, {
        "1.1.1": (0, 0, "dang_thuc_hien"), "1.1.2": (200 / 3, 200 / 3, "dang_thuc_hien"),
        "1.1.4": (100 / 3, 100 / 3, "dang_thuc_hien"), "1.1.7": (60, 60, "dang_thuc_hien"),
        "1.2.1": (1, 1, "dang_thuc_hien"), "1.2.2": (0, 0, "dang_thuc_hien"), "1.2.3": (0, 0, "dang_thuc_hien"),
        "1.3.2": (N, N, "dang_thuc_hien"), "1.5.1": (0, 0, "dang_thuc_hien"),
        "1.5.2": (100 / 3, 100 / 3, "dang_thuc_hien"),
    }, ["Thôn Khuổi Đeng", "Hội Nông dân xã", "Ban Thanh tra nhân dân xã"]),
    "2026-Q4": (Q4_NOW, {
        "1.1.1": (200 / 3, 200 / 3, "dang_thuc_hien"), "1.1.2": (0, 200 / 3, "dang_thuc_hien"),
        "1.1.3": (100 / 3, 100 / 3, "dang_thuc_hien"), "1.1.5": (0, 1, "dat"),
        "1.1.7": (20 / 3, 200 / 3, "dang_thuc_hien"),
        "1.2.1": (1, 3, "dat"), "1.2.3": (0, 100, "dat"), "1.3.1": (0, 1, "dang_thuc_hien"),
        "1.2.2": (N, 50, "dang_thuc_hien"), "1.3.2": (N, 100, "dat"),
        "1.5.1": (45, 95, "dat"), "1.5.2": (N, 200 / 3, "dang_thuc_hien"),
    }, ["Thôn Khuổi Đeng", "Hội Nông dân xã", "Ban Thanh tra nhân dân xã"]),
    "2026": (YEAR_NOW, {
        "1.1.1": (200 / 3, 200 / 3, "chua_dat"), "1.1.4": (100 / 3, 100 / 3, "chua_dat"), "1.1.5": (1, 1, "dat"),
        "1.1.6": (0, 0, "chua_dat"), "1.1.7": (200 / 3, 200 / 3, "chua_dat"), "1.2.1": (3, 3, "dat"),
        "1.2.2": (50, 50, "chua_dat"), "1.2.3": (100, 100, "dat"), "1.3.1": (1, 1, "chua_dat"),
        "1.3.2": (100, 100, "dat"), "1.4.4": (0, 0, "chua_dat"), "1.5.1": (95, 95, "dat"),
        "1.5.2": (200 / 3, 200 / 3, "chua_dat"),
    }, ["Thôn Khuổi Đeng"]),
}


@pytest.mark.parametrize("key", list(GOLDEN))
def test_golden_indicators_statuses_and_silent_units(key):
    now, expected, silent = GOLDEN[key]
    summary = compile_summary(PLAN, golden_snapshot(), Period.parse_key(key), now)
    results = {r.id: r for r in summary.indicators}
    assert len(results) == len(PLAN.indicators)
    for indicator_id, (in_period, ytd, status) in expected.items():
        got = results[indicator_id]
        assert (got.period.value, got.year_to_date.value, got.status) == (
            pytest.approx(in_period) if in_period is not None else None,
            pytest.approx(ytd) if ytd is not None else None, status), indicator_id
    assert [u.name for u in summary.silent_units] == silent


def test_quarter_carries_year_to_date_and_counts_totals():
    summary = compile_summary(PLAN, golden_snapshot(), Period.quarter(2026, 4), Q4_NOW)
    assert summary.year_to_date == Period(2026, "year")
    assert summary.counts == {"ngay_hoi": 2, "giam_sat": 1, "tap_huan": 1,
                              "cong_trinh_xanh": 1, "tham_hoi_ho_ngheo": 2}
    assert summary.counts_year_to_date["giam_sat"] == 4  # three by the commune, one by the board
    assert summary.totals[("ngay_hoi", "so_nguoi_tham_gia")] == 270
    assert summary.totals[("tham_hoi_ho_ngheo", "so_ho_ngheo")] == 12  # visits, not households reached
    assert [a.day for a in summary.activities] == sorted(a.day for a in summary.activities)


def test_units_show_required_activities_in_period_and_year():
    summary = compile_summary(PLAN, golden_snapshot(), Period.quarter(2026, 4), Q4_NOW)
    units = {u.unit.id: u for u in summary.units}
    village_a = units[VILLAGE_A]
    assert village_a.required == ("ngay_hoi", "mo_hinh_tu_quan", "cong_trinh_xanh", "nep_song_van_minh",
                                  "gop_y_chi_uy")
    assert village_a.done_in_period == ("ngay_hoi",)
    assert village_a.done_year_to_date == ("ngay_hoi", "mo_hinh_tu_quan", "nep_song_van_minh")
    assert (units[BOARD].required, units[BOARD].done_year_to_date) == (("giam_sat",), ("giam_sat",))
    assert units[COMMUNE].required == () and units[COMMUNE].reports_in_period == 2
    assert units[FARMERS].reports_year_to_date == 1


@pytest.mark.parametrize(("item", "deadline", "status"), [
    ("I.1", None, "done"),  # the Party committee's plan is the plan's own reference (65-KH/TU): never missing
    ("I.2", date(2026, 3, 31), "overdue"),  # no tuyen_truyen report in Q1
    ("I.7", date(2026, 12, 31), "upcoming"),
    ("II.1.1", date(2026, 11, 18), "done"),  # the villages' Ngày hội on 18/11, the season's end
])
def test_timeline_done_overdue_upcoming(item, deadline, status):
    summary = compile_summary(PLAN, golden_snapshot(), Period.quarter(2026, 4), Q4_NOW)
    found = [t for t in summary.timeline if t.item_id == item]
    assert [(t.deadline, t.status) for t in found] == [(deadline, status)]


def test_the_plan_a_report_cites_is_never_called_missing():
    """Row I.1 asks for Kế hoạch 65-KH/TU, the plan the DOCX's opening cites: done by its reference, dated."""
    summary = compile_summary(PLAN, golden_snapshot(extra_reports=[]), Period.quarter(2026, 1), Q1_NOW)
    row = next(t for t in summary.timeline if t.item_id == "I.1")
    assert (row.status, row.done_on, row.cited) == ("done", date(2026, 3, 10), PLAN.reference)


def test_period_without_data_is_a_valid_empty_summary():
    empty = golden_snapshot()
    empty = type(empty)(empty.commune_name, empty.province, 2026, empty.units, empty.baselines, reports=())
    summary = compile_summary(PLAN, empty, Period(2026, "half"), Q4_NOW)
    assert summary.is_empty and summary.counts == {} and summary.totals == {}
    assert len(summary.silent_units) == 6
    assert all(r.status == "dang_thuc_hien" for r in summary.indicators)


def test_inactive_units_count_in_no_denominator_and_bad_answers_count_as_nothing():
    gone = UnitInfo(99, "Thôn cũ", "village", active=False)
    snapshot = golden_snapshot((gone,), [(VILLAGE_A, "tham_hoi_ho_ngheo", "2026-03-01",
                                                                    {"so_ho_lan_dau": "nhiều"})])
    summary = compile_summary(PLAN, snapshot, Period.quarter(2026, 1), Q1_NOW)
    by_id = {r.id: r for r in summary.indicators}
    assert by_id["1.1.2"].period.denominator == 3
    assert by_id["1.1.7"].period.numerator == 27
    assert gone not in summary.silent_units


def test_unknown_aggregation_kind_is_a_clear_error():
    indicator = PLAN.indicators[0]
    broken = indicator.model_copy(update={"aggregate": Aggregation.model_construct(
        kind="median", form="ngay_hoi", unit_kinds=(), where=None, field=None, denominator_field=None,
        baseline=())})
    plan = PLAN.model_copy(update={"indicators": (broken,)})
    with pytest.raises(SummaryError, match=r"indicator 1\.1\.1: unknown aggregation kind 'median'"):
        compile_summary(plan, golden_snapshot(), Period.quarter(2026, 1), Q1_NOW)


def test_a_period_of_another_year_is_refused():
    with pytest.raises(SummaryError, match="2031"):
        compile_summary(PLAN, golden_snapshot(), Period(2031, "year"), Q1_NOW)


def test_petition_indicators_count_records_not_the_reported_figures():
    """1.5.2 in Q1: KN-001 resolved in time, KN-002 answered only in April, KN-003 open, KN-006 redirected."""
    summary = compile_summary(PLAN, golden_snapshot(), Period.quarter(2026, 1), Q1_NOW)
    by_id = {r.id: r for r in summary.indicators}
    assert (by_id["1.5.2"].period.numerator, by_id["1.5.2"].period.denominator) == (1, 3)
    assert (by_id["1.2.2"].period.numerator, by_id["1.2.2"].period.denominator) == (0, 1)
    assert by_id["1.3.2"].period.value is None  # no item: no value, never 0 % or 100 %


@pytest.mark.parametrize(("key", "now", "expected"), [
    ("2026-Q1", Q1_NOW, [("KN-2025-031", 131), ("KN-2026-002", 49), ("KN-2026-004", 19), ("KN-2026-003", 6)]),
    ("2026-Q4", Q4_NOW, [("KN-2025-031", 395), ("KN-2026-004", 283), ("KN-2026-003", 270)]),
])
def test_open_petitions_as_of_the_period_end_oldest_first(key, now, expected):
    summary = compile_summary(PLAN, golden_snapshot(), Period.parse_key(key), now)
    assert [(p.reference, p.age_days) for p in summary.open_petitions] == expected
    first = summary.open_petitions[0]
    assert (first.source_kind, first.unit_name, first.content, first.received_on) == (
        "cu_tri", "Thôn Nà Pài", "Xin làm cầu tràn", date(2025, 11, 20))


@pytest.mark.parametrize("key", ["2026-Q4", "2026"])
def test_reports_in_any_order_compile_to_the_same_summary(key):
    """The compiler files the reports in date order once (the read gives them so); a snapshot in another order
    — the first report of a unit, the activities' order, the totals' order — must not change a thing."""
    snapshot = golden_snapshot()
    ordered = replace(snapshot, reports=tuple(sorted(snapshot.reports, key=lambda r: (r.activity_date, r.id))))
    shuffled = replace(snapshot, reports=tuple(random.Random(7).sample(snapshot.reports, len(snapshot.reports))))
    assert shuffled.reports != ordered.reports
    now = GOLDEN[key][0]
    expected = compile_summary(PLAN, ordered, Period.parse_key(key), now)
    assert compile_summary(PLAN, shuffled, Period.parse_key(key), now) == expected
    # the DOCX lists the totals in the order their fields first have a value, activity by activity
    numbers = {f.id: [x.id for x in f.fields if x.kind is FieldKind.NUMBER] for f in PLAN.forms}
    first_seen = dict.fromkeys((a.form_id, field_id) for a in expected.activities for field_id in numbers[a.form_id]
                               if a.answers.get(field_id) is not None)
    assert len(expected.totals) > 1 and list(expected.totals) == list(first_seen)
    assert any(unit.first_done for unit in expected.units)
    assert [a.day for a in expected.activities] == sorted(a.day for a in expected.activities)
