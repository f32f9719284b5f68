"""Each aggregation kind against repeated and overlapping reports: nothing counted twice, nothing over 100 %,
no unit over its own baseline (issue 15, point 1)."""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from support.app import VN

from core.i18n import Translator
from plan.loader import load_plan
from plan.periods import Period
from plan.schema import Aggregation
from summaries.aggregations import ReportIndex, measure_aggregation
from summaries.compile import compile_summary
from summaries.docx import render_docx
from summaries.model import DocumentSettings, Snapshot, UnitInfo
from summaries.model import ReportRow as Row
from summaries.render_text import render_text
from summaries.xlsx import render_xlsx

PLAN = load_plan("plan/plans/nam_cuong_2026.yaml")
NOW = datetime(2026, 12, 30, 9, 0, tzinfo=VN)
COMMUNE, A, B, C, WOMEN = 1, 2, 3, 4, 5
UNITS = (UnitInfo(COMMUNE, "Ủy ban MTTQ Việt Nam xã", "commune"), UnitInfo(A, "Thôn A", "village"),
         UnitInfo(B, "Thôn B", "village"), UnitInfo(C, "Thôn C", "village"),
         UnitInfo(WOMEN, "Hội Phụ nữ xã", "organisation"))
# 25 poor or near-poor households in each village: 75 in the commune; 40 cadres to train, held by the commune
HOUSEHOLDS = {(v, key): n for v in (A, B, C) for key, n in (("poor_households", 15), ("near_poor_households", 10))}
CADRES = {(COMMUNE, "cadres_to_train"): 40}


def snapshot(reports: list[tuple], baselines: dict | None = None) -> Snapshot:
    rows = tuple(Row(n, unit, form, date.fromisoformat(day), {"ngay": day, **answers})
                 for n, (unit, form, day, answers) in enumerate(reports, start=1))
    return Snapshot("Nam Cường", "Thái Nguyên", 2026, UNITS, {**HOUSEHOLDS, **CADRES, **(baselines or {})}, rows)


def visit(unit: int, day: str, first: int, poor: int = 0, near: int = 0) -> tuple:
    return unit, "tham_hoi_ho_ngheo", day, {"dip": "tet", "so_ho_ngheo": poor or first, "so_ho_can_ngheo": near,
                                             "so_ho_lan_dau": first}


def training(unit: int, day: str, attended: int, first: int) -> tuple:
    return unit, "tap_huan", day, {"ten_lop": "Tập huấn giám sát", "so_nguoi": attended, "so_nguoi_lan_dau": first}


def indicator(summary, indicator_id: str):
    return next(r for r in summary.indicators if r.id == indicator_id)


# (case, reports, indicator, expected year value in %, expected per-unit reached by unit id, None = pool)
COVERAGE = [
    ("each village visits its own households once", [visit(A, "2026-02-10", 25), visit(B, "2026-02-11", 25),
                                                     visit(C, "2026-02-12", 25)],
     "1.1.7", 100, {A: 25, B: 25, C: 25}),
    ("Tết and 2/9 visits to the same households are one household reached",
     [visit(A, "2026-02-10", 25), (A, "tham_hoi_ho_ngheo", "2026-09-01",
                                   {"dip": "quoc_khanh", "so_ho_ngheo": 15, "so_ho_can_ngheo": 10,
                                    "so_ho_lan_dau": 0})],
     "1.1.7", 100 / 3, {A: 25, B: 0, C: 0}),
    ("a village that reports its first visits twice still counts at most its own 25",
     [visit(A, "2026-02-10", 25), visit(A, "2026-09-01", 25)], "1.1.7", 100 / 3, {A: 25, B: 0, C: 0}),
    ("three units reporting the same 75 households: the commune and an organisation hold no baseline",
     [visit(COMMUNE, "2026-02-01", 75), visit(WOMEN, "2026-02-02", 20), visit(A, "2026-02-03", 25)],
     "1.1.7", 100, {A: 25, B: 0, C: 0, None: 50}),
    ("units without a baseline fill only what the villages left uncovered",
     [visit(A, "2026-02-10", 20), visit(COMMUNE, "2026-02-01", 10)], "1.1.7", 40, {A: 20, B: 0, C: 0, None: 10}),
    ("the same 30 cadres trained twice are 30 of 40, not 60",
     [training(COMMUNE, "2026-05-10", 30, 30), training(COMMUNE, "2026-09-10", 30, 0)], "1.5.1", 75,
     {COMMUNE: 30}),
    ("a repeated first-time answer is capped at the unit's baseline",
     [training(COMMUNE, "2026-05-10", 30, 30), training(COMMUNE, "2026-09-10", 30, 30)], "1.5.1", 100,
     {COMMUNE: 40}),
    ("an organisation's own cadres fill the rest, never past 100 %",
     [training(COMMUNE, "2026-05-10", 30, 30), training(WOMEN, "2026-06-10", 25, 25)], "1.5.1", 100,
     {COMMUNE: 30, None: 10}),
]


@pytest.mark.parametrize(("case", "reports", "indicator_id", "expected", "per_unit"), COVERAGE,
                         ids=[c[0] for c in COVERAGE])
def test_coverage_counts_each_household_or_person_once(case, reports, indicator_id, expected, per_unit):
    result = indicator(compile_summary(PLAN, snapshot(reports), Period(2026, "year"), NOW), indicator_id)
    assert result.year_to_date.value == pytest.approx(expected)
    assert result.year_to_date.value <= 100
    assert {r.unit_id: r.reached for r in result.year_to_date.reach} == per_unit
    for row in result.year_to_date.reach:
        assert row.baseline is None or row.reached <= row.baseline, row


def test_a_quarter_shows_only_new_coverage_and_quarters_add_up_to_the_year():
    reports = [visit(A, "2026-02-10", 25), visit(A, "2026-05-10", 25), visit(B, "2026-05-11", 10),
               visit(B, "2026-11-11", 15), visit(COMMUNE, "2026-11-12", 40)]
    values = [indicator(compile_summary(PLAN, snapshot(reports), Period.quarter(2026, q), NOW), "1.1.7").period
              for q in (1, 2, 3, 4)]
    assert [v.numerator for v in values] == [25, 10, 0, 40]  # Q2: A's repeat adds nothing; Q4: pool fills 15
    year = indicator(compile_summary(PLAN, snapshot(reports), Period(2026, "year"), NOW), "1.1.7").year_to_date
    assert sum(v.numerator for v in values) == year.numerator == 75


# (case, reports, indicator, expected count)
COUNTS = [
    ("the same supervision reported twice (accents aside) is one", [
        (COMMUNE, "giam_sat", "2026-03-10", {"noi_dung": "Giám sát chi trả trợ cấp", "vai_tro": "chu_tri"}),
        (COMMUNE, "giam_sat", "2026-03-10", {"noi_dung": "giam sat chi tra tro cap", "vai_tro": "chu_tri"})],
     "1.2.1", 1),
    ("two supervisions on one day are two", [
        (COMMUNE, "giam_sat", "2026-03-10", {"noi_dung": "Giám sát chi trả trợ cấp", "vai_tro": "chu_tri"}),
        (COMMUNE, "giam_sat", "2026-03-10", {"noi_dung": "Giám sát xây dựng đường", "vai_tro": "chu_tri"})],
     "1.2.1", 2),
    ("the same commendation reported by two units is two reports but each unit's own activity", [
        (COMMUNE, "bieu_duong", "2026-06-01", {"noi_dung": "Khen tổ tự quản"}),
        (COMMUNE, "bieu_duong", "2026-06-01", {"noi_dung": "Khen tổ tự quản"}),
        (WOMEN, "bieu_duong", "2026-06-02", {"noi_dung": "Khen chi hội"})], "1.1.6", 2),
]


@pytest.mark.parametrize(("case", "reports", "indicator_id", "expected"), COUNTS, ids=[c[0] for c in COUNTS])
def test_activity_counts_count_activities_not_reports(case, reports, indicator_id, expected):
    result = indicator(compile_summary(PLAN, snapshot(reports), Period(2026, "year"), NOW), indicator_id)
    assert result.year_to_date.value == expected


def test_unit_coverage_counts_a_unit_once_however_often_it_reports():
    reports = [(A, "ngay_hoi", day, {"dia_diem": "Nhà văn hóa", "so_nguoi_tham_gia": 100})
               for day in ("2026-11-10", "2026-11-18", "2026-11-18")]
    result = indicator(compile_summary(PLAN, snapshot(reports), Period(2026, "year"), NOW), "1.1.1")
    assert (result.year_to_date.numerator, result.year_to_date.denominator) == (1, 3)


def test_a_zero_baseline_gives_no_value_not_a_division_error():
    zero = {(v, key): 0 for v in (A, B, C) for key in ("poor_households", "near_poor_households")}
    zero[(COMMUNE, "cadres_to_train")] = 0
    summary = compile_summary(PLAN, snapshot([visit(A, "2026-02-10", 25), training(COMMUNE, "2026-05-10", 30, 30)],
                                             zero), Period(2026, "year"), NOW)
    for indicator_id in ("1.1.7", "1.5.1"):
        result = indicator(summary, indicator_id)
        assert result.year_to_date.value is None and result.status == "dang_thuc_hien"
        assert result.no_value == "summary.no_value.baseline"


def test_a_zero_baseline_shows_a_dash_with_the_reason_in_the_text_the_docx_and_the_xlsx():
    zero = {(v, key): 0 for v in (A, B, C) for key in ("poor_households", "near_poor_households")}
    summary = compile_summary(PLAN, snapshot([visit(A, "2026-02-10", 25)], zero), Period(2026, "year"), NOW)
    t = Translator(Path("locales")).for_language("vi")
    reason = "số liệu gốc (số hộ, số cán bộ…) bằng 0 hoặc chưa nhập, nhập bằng /chiso"
    line = next(line for line in render_text(summary, t).splitlines() if " 1.1.7. " in line)
    assert line.endswith(f": —/100% ({reason}) — đang thực hiện"), line
    paragraphs = [p.text for p in Document(io.BytesIO(render_docx(summary, PLAN, t, DocumentSettings()))).paragraphs]
    assert any(text.startswith("- Hỗ trợ, thăm hỏi") and f"chưa có số liệu để tính ({reason})" in text
               for text in paragraphs)
    sheet = openpyxl.load_workbook(io.BytesIO(render_xlsx(summary, PLAN, t)))["Chỉ tiêu"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["1.1.7"][5:] == ("—", "—", "—", "đang thực hiện", reason), rows["1.1.7"]
    assert rows["1.1.5"][9] is None  # a count always has a value: no note
    petitions = next(line for line in render_text(summary, t).splitlines() if " 1.2.2. " in line)
    assert ": —/100% (chưa có kiến nghị nào để tính) — " in petitions  # nothing received yet


# field_ratio (no shipped indicator uses it yet): cumulative figures, so each unit's latest report counts and
# its numerator never passes its own denominator. (case, reports as (unit, day, numerator, denominator), percent)
RATIOS = [
    ("two units: summed", [(A, "2026-02-10", 10, 20), (B, "2026-02-11", 5, 10)], 50),
    ("the same unit's later cumulative figure replaces its earlier one", [(A, "2026-02-10", 10, 20),
                                                                           (A, "2026-05-10", 15, 20)], 75),
    ("a numerator over its denominator is capped at it", [(A, "2026-02-10", 30, 20)], 100),
    ("nothing reported: no value, not 0 %", [], None),
]


@pytest.mark.parametrize(("case", "reports", "expected"), RATIOS, ids=[c[0] for c in RATIOS])
def test_field_ratio_counts_each_unit_once_and_never_over_100(case, reports, expected):
    agg = Aggregation(kind="field_ratio", form="tap_huan", field="so_nguoi_lan_dau", denominator_field="so_nguoi")
    rows = [training(unit, day, attended, first) for unit, day, first, attended in reports]
    year = (date(2026, 1, 1), date(2026, 12, 31))
    value = measure_aggregation(ReportIndex(snapshot(rows), year, year), "x.1", agg, year).value
    assert value == (None if expected is None else pytest.approx(expected))
