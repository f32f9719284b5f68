"""The shipped 2026 plan holds every target and appendix row of the seed; broken plans name their line."""

from __future__ import annotations

import pytest

from plan.due import DueKind
from plan.loader import SHIPPED_PLAN, PlanError, load_plan, parse_plan
from plan.petition_lifecycle import ORIGIN_FORMS, SOURCE_KINDS
from plan.schema import FieldKind, Plan, UnitKind

SHIPPED_TEXT = SHIPPED_PLAN.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def plan() -> Plan:
    return load_plan(SHIPPED_PLAN)


def line_of(snippet: str, after: str = "") -> int:
    """The 1-based line where `snippet` first occurs in the shipped file (after `after`, if given)."""
    start = SHIPPED_TEXT.index(after) if after else 0
    return SHIPPED_TEXT.count("\n", 0, SHIPPED_TEXT.index(snippet, start)) + 1


# Section II.1 of the seed: id → (target, aggregation kind, form).
TARGETS = {
    "1.1.1": (100, "unit_coverage", "ngay_hoi"),
    "1.1.2": (100, "unit_coverage", "mo_hinh_tu_quan"),
    "1.1.3": (100, "unit_coverage", "cong_trinh_xanh"),
    "1.1.4": (90, "unit_coverage", "nep_song_van_minh"),
    "1.1.5": (1, "activity_count", "van_hoa_the_thao"),
    "1.1.6": (1, "activity_count", "bieu_duong"),
    "1.1.7": (100, "field_sum_over_baseline", "tham_hoi_ho_ngheo"),
    "1.2.1": (3, "activity_count", "giam_sat"),
    "1.2.2": (100, "petition_share", None),
    "1.2.3": (100, "unit_coverage", "giam_sat"),
    "1.3.1": (3, "activity_count", "phan_bien"),
    "1.3.2": (100, "petition_share", None),
    "1.4.1": (1, "activity_count", "thang_nghe_dan_noi"),
    "1.4.2": (1, "activity_count", "doi_thoai"),
    "1.4.3": (2, "activity_count", "gop_y_xay_dung_dang"),
    "1.4.4": (100, "unit_coverage", "gop_y_chi_uy"),
    "1.5.1": (95, "field_sum_over_baseline", "tap_huan"),
    "1.5.2": (100, "petition_share", None),
}

# Filters and parameters that carry meaning: id → (unit_kinds, where, field, denominator, baseline).
AGGREGATE_DETAILS = {
    "1.1.1": ((UnitKind.VILLAGE,), None, None, None, ()),
    "1.1.4": ((UnitKind.VILLAGE,), None, None, None, ()),
    "1.1.5": ((UnitKind.COMMUNE, UnitKind.ORGANISATION, UnitKind.VILLAGE), None, None, None, ()),
    "1.1.7": ((), None, "so_ho_lan_dau", None, ("poor_households", "near_poor_households")),
    "1.2.1": ((UnitKind.COMMUNE,), ("vai_tro", "chu_tri"), None, None, ()),  # led, not joined
    "1.2.2": ((), None, None, None, ()),
    "1.2.3": ((UnitKind.BOARD,), None, None, None, ()),
    "1.3.1": ((UnitKind.COMMUNE,), None, None, None, ()),
    "1.3.2": ((), None, None, None, ()),
    "1.4.2": ((), ("mo_hinh_diem", True), None, None, ()),
    "1.4.3": ((UnitKind.COMMUNE,), None, None, None, ()),
    "1.4.4": ((UnitKind.VILLAGE,), None, None, None, ()),
    "1.5.1": ((), None, "so_nguoi_lan_dau", None, ("cadres_to_train",)),
    "1.5.2": ((), None, None, None, ()),
}

# The Phụ lục: id → (due kind, month or quarters, the plan's wording, form).
TIMELINE = {
    "I.1": (DueKind.MONTH, 2, "Tháng 02/2026", "ban_hanh_van_ban"),
    "I.2": (DueKind.QUARTER, (1,), "Quý I, năm 2026", "tuyen_truyen"),
    "I.3": (DueKind.QUARTER, (1,), "Quý I, năm 2026", "ban_hanh_van_ban"),
    "I.4": (DueKind.QUARTERS, (2, 3), "Quý II, III năm 2026", "tap_huan"),
    "I.5": (DueKind.ONGOING, None, "Thường xuyên", "tuyen_truyen"),
    "I.6": (DueKind.EVERY_QUARTER, None, "Hằng quý, hết năm", None),
    "I.7": (DueKind.QUARTER, (4,), "Quý IV/2026", "kiem_tra"),
    "II.1.1": (DueKind.QUARTER, (4,), "Quý IV, năm 2026", "ngay_hoi"),
    "II.1.2": (DueKind.ONGOING, None, "Thường xuyên", "cuoc_van_dong"),
    "II.1.3": (DueKind.ONGOING, None, "Thường xuyên", "mo_hinh_tu_quan"),
    "II.1.4": (DueKind.ONGOING, None, "Thường xuyên", "nguoi_uy_tin"),
    "II.2.1": (DueKind.MONTH, 1, "Tháng 01/2026", "ban_hanh_van_ban"),
    "II.2.2": (DueKind.ONGOING, None, "Giám sát thường xuyên", "giam_sat"),
    "II.2.3": (DueKind.ONGOING, None, "Thường xuyên", "giam_sat"),
    "II.2.4": (DueKind.ONGOING, None, "Thường xuyên", None),
    "II.3.1": (DueKind.MONTH, 2, "Tháng 02/2026", "ban_hanh_van_ban"),
    "II.3.2": (DueKind.ONGOING, None, "Thường xuyên", None),
    "II.4.1": (DueKind.HDND_SESSION, None, "Theo các kỳ họp HĐND", "tiep_xuc_cu_tri"),
    "II.4.2": (DueKind.ONGOING, None, "Thường xuyên", "gop_y_xay_dung_dang"),
    "II.4.3": (DueKind.YEAR, None, "Thời gian phù hợp trong năm", "thang_nghe_dan_noi"),
    "II.4.4": (DueKind.ONGOING, None, "Thường xuyên", None),
}

FORM_IDS = {
    "ngay_hoi", "mo_hinh_tu_quan", "cong_trinh_xanh", "nep_song_van_minh", "van_hoa_the_thao",
    "bieu_duong", "tham_hoi_ho_ngheo", "giam_sat", "phan_bien",
    "thang_nghe_dan_noi", "doi_thoai", "gop_y_xay_dung_dang", "gop_y_chi_uy", "tap_huan",
    "tuyen_truyen", "tiep_xuc_cu_tri", "ban_hanh_van_ban", "kiem_tra", "cuoc_van_dong", "nguoi_uy_tin",
    "quy_vi_nguoi_ngheo",
}
BODY_IDS = {"bt_dang_uy", "co_quan_tham_muu", "dang_uy", "chi_bo", "ubmttq", "to_chuc_ctxh",
            "ban_cong_tac_mt", "hdnd", "ubkt", "chinh_quyen", "ban_ttnd_gsdtcd"}


def test_shipped_plan_header(plan: Plan) -> None:
    assert (plan.year, plan.commune.name, plan.commune.province) == (2026, "Nam Cường", "Thái Nguyên")
    assert plan.reference.startswith("Kế hoạch số 65-KH/TU ngày 10/03/2026")
    assert "13-ĐA/TU" in plan.title
    assert (plan.settings.quarter_cutoff_day, plan.settings.reminder_ladder) == (15, (-14, -7, -2, 0, 3))
    assert {b.id for b in plan.bodies} == BODY_IDS
    assert {f.id for f in plan.forms} == FORM_IDS


def test_every_section_ii1_target_is_an_indicator(plan: Plan) -> None:
    found = {i.id: (i.target, i.aggregate.kind, i.aggregate.form) for i in plan.indicators}
    assert found == TARGETS
    assert all(i.section == i.id.rsplit(".", 1)[0] for i in plan.indicators)


@pytest.mark.parametrize("indicator_id", sorted(AGGREGATE_DETAILS))
def test_indicator_parameters(plan: Plan, indicator_id: str) -> None:
    agg = next(i for i in plan.indicators if i.id == indicator_id).aggregate
    where = (agg.where.field, agg.where.equals) if agg.where else None
    assert (agg.unit_kinds, where, agg.field, agg.denominator_field, agg.baseline) == \
        AGGREGATE_DETAILS[indicator_id]


def test_every_appendix_row_is_a_timeline_item(plan: Plan) -> None:
    found = {t.id: (t.due.kind, t.due.month if t.due.kind is DueKind.MONTH else (t.due.quarters or None),
                    t.due.text, t.form) for t in plan.timeline}
    assert found == TIMELINE
    assert all(t.text and t.responsible for t in plan.timeline)


def test_every_named_form_exists(plan: Plan) -> None:
    named = {i.aggregate.form for i in plan.indicators if i.aggregate.form} | {t.form for t in plan.timeline if t.form}
    assert named <= {f.id for f in plan.forms}


def test_indicator_fields_exist_with_the_right_kind(plan: Plan) -> None:
    for indicator in plan.indicators:
        agg = indicator.aggregate
        if agg.form is None:  # petition_share counts the register
            continue
        form = plan.form(agg.form)
        for field_id in filter(None, (agg.field, agg.denominator_field)):
            assert form.field(field_id).kind is FieldKind.NUMBER, indicator.id
        if agg.where is not None:  # a typo in `equals` would silently count nothing
            field = form.field(agg.where.field)
            allowed = {o.id for o in field.options} if field.kind is FieldKind.CHOICE else {True, False}
            assert agg.where.equals in allowed, indicator.id
        for kind in agg.unit_kinds:  # a unit kind that cannot report the form would stay at zero
            assert kind in form.reporters, indicator.id


def test_every_form_that_mentions_recommendations_feeds_the_register(plan: Plan) -> None:
    """One register (issue 15): each source has the one form its items come from, and no form counts
    recommendations in a number field of its own (the register is where they are counted)."""
    feeding = {f.petitions: form.id for form in plan.forms for f in form.fields if f.petitions}
    assert feeding == ORIGIN_FORMS
    assert list(SOURCE_KINDS) == ["sau_giam_sat", "phan_bien", "doi_thoai", "cu_tri", "nhan_dan"]
    counted = [(form.id, f.id) for form in plan.forms for f in form.fields
               if f.kind is FieldKind.NUMBER and "kiến nghị" in f.label.vi.lower()]
    assert counted == []
    assert all(f.kind is FieldKind.TEXT and not f.required for form in plan.forms for f in form.fields if f.petitions)
    assert next(i for i in plan.indicators if i.id == "1.2.2").aggregate.timely  # "kịp thời"


def test_petition_indicators_count_the_petition_records_by_source(plan: Plan) -> None:
    shares = {i.id: i.aggregate.source for i in plan.indicators if i.aggregate.kind == "petition_share"}
    assert shares == {"1.2.2": "sau_giam_sat", "1.3.2": "phan_bien", "1.5.2": "nhan_dan"}
    assert all(i.aggregate.source is None for i in plan.indicators if i.aggregate.kind != "petition_share")


@pytest.mark.parametrize("form_id", sorted(FORM_IDS))
def test_form_shape(plan: Plan, form_id: str) -> None:
    form = plan.form(form_id)
    first = form.fields[0]
    assert (first.id, first.kind, first.required) == ("ngay", FieldKind.DATE, True)
    assert any(not f.required for f in form.fields)
    for f in form.fields:
        assert f.label.vi and f.label.en and f.prompt.vi and f.prompt.en, f.id
        assert len(f.prompt.vi) <= 90, f"{f.id}: prompts are read on small screens"
        if f.kind is FieldKind.NUMBER:
            assert f.min is not None and f.max is not None and f.unit is not None, f.id
        if f.kind is FieldKind.TEXT:
            assert f.max_length <= 1000, f.id
        if f.kind is FieldKind.PHOTO:
            assert (f.label.vi, f.required) == ("Ảnh hoạt động", False)


# Broken plans: (label, text to replace in the shipped file, replacement, line anchor, message fragment).
# The anchor is (snippet, after): the error must name the line where the snippet stands.
BROKEN = [
    ("indicator names an unknown form", "form: ngay_hoi, unit_kinds", "form: ngay_hoy, unit_kinds",
     ("form: ngay_hoy", ""), "unknown form 'ngay_hoy'"),
    ("timeline names an unknown form", "form: kiem_tra\n", "form: kiem_trax\n",
     ("form: kiem_trax", ""), "unknown form 'kiem_trax'"),
    ("indicator names an unknown field", "field: so_ho_lan_dau,", "field: so_ho_x,",
     ("field: so_ho_x", ""), "has no field 'so_ho_x'"),
    ("unknown responsible body", "responsible: [ubmttq, ubkt]", "responsible: [ubmttq, ubkt_x]",
     ("responsible: [ubmttq, ubkt_x]", ""), "unknown responsible body ubkt_x"),
    ("duplicate form id", "  - id: kiem_tra\n", "  - id: cuoc_van_dong\n",  # named at the second one
     ('id: cuoc_van_dong\n    label: {vi: "Cuộc vận động', ""), "form ids repeated: cuoc_van_dong"),
    ("min greater than max", "min: 1\n        max: 1000\n", "min: 1001\n        max: 1000\n",
     ("id: so_nguoi\n", ""), "min 1001 is greater than max 1000"),
    ("choice with one option",
     '          - {id: truong_thon, label: {vi: "Trưởng thôn", en: "Village head"}}\n'
     '          - {id: ca_hai, label: {vi: "Cả hai", en: "Both"}}\n', "",
     ("id: doi_tuong", "id: gop_y_chi_uy"), "needs at least two options"),
    ("missing date field", 'kind: date\n        label: {vi: "Ngày biểu dương"',
     'kind: text\n        label: {vi: "Ngày biểu dương"',
     ("id: bieu_duong", ""), "needs a required date field 'ngay'"),
    ("percent target over 100", "    target: 90\n", "    target: 190\n",
     ('id: "1.1.4"', ""), "percent target cannot exceed 100"),
    ("measure does not fit aggregation",
     "measure: count\n    target: 3\n    aggregate: {kind: activity_count, form: giam_sat",
     "measure: percent\n    target: 3\n    aggregate: {kind: activity_count, form: giam_sat",
     ('id: "1.2.1"', ""), "does not fit aggregation 'activity_count'"),
    ("petition share with an unknown source", "kind: petition_share, source: phan_bien}",
     "kind: petition_share, source: phan_anh}", ("source: phan_anh", ""), "source: Input should be"),
    ("petition share without a source", "kind: petition_share, source: nhan_dan}", "kind: petition_share}",
     ("kind: petition_share}", ""), "aggregation 'petition_share' needs: source"),
    ("petition share with a report field", "source: sau_giam_sat, timely: true}",
     "source: sau_giam_sat, timely: true, field: so_tiep_nhan}", ("field: so_tiep_nhan}", ""),
     "takes only 'source'"),
    ("register feed on a number field", "kind: text\n        petitions: sau_giam_sat",
     "kind: number\n        petitions: sau_giam_sat", ("id: kien_nghi\n        kind: number", ""),
     "'petitions' applies to text fields only"),
    ("source on a report aggregation", "{kind: activity_count, form: bieu_duong}",
     "{kind: activity_count, form: bieu_duong, source: nhan_dan}", ("bieu_duong, source", ""),
     "'source' applies to aggregation 'petition_share' only"),
    ("report aggregation without a form", "{kind: activity_count, form: bieu_duong}", "{kind: activity_count}",
     ("{kind: activity_count}", ""), "aggregation 'activity_count' needs: form"),
    ("alias names two forms", 'aliases: ["giám sát", "đoàn giám sát"', 'aliases: ["giám sát", "Ngay hoi"',
     ('aliases: ["giám sát", "Ngay hoi"', ""), "alias 'Ngay hoi' already names form 'ngay_hoi'"),
    ("keywords on a text field", "means: place\n", 'means: place\n        keywords: ["nhà"]\n',
     ("id: dia_diem", ""), "keywords apply to number and yes/no fields only"),
    ("place on a number field", "id: gia_tri_dong\n        kind: number\n        means: money",
     "id: gia_tri_dong\n        kind: number\n        means: place", ("id: gia_tri_dong", ""),
     "means 'place' does not fit a number field"),
    ("alias without a letter", '"giám sát chuyên đề", "supervision"]', '"giám sát chuyên đề", "18/11"]',
     ('"18/11"]', ""), "String should match pattern"),
    ("timeline filter names a field the form lacks", "where: {field: loai, equals: chuong_trinh_giam_sat}",
     "where: {field: loai_x, equals: chuong_trinh_giam_sat}", ("where: {field: loai_x", ""),
     "timeline item II.2.1: form 'ban_hanh_van_ban' has no field 'loai_x'"),
    ("timeline filter names an option the field lacks", "equals: ke_hoach_phan_bien}", "equals: ke_hoach_x}",
     ("equals: ke_hoach_x}", ""), "ke_hoach_x is not one of its options"),
    ("timeline filter on a text field", "{field: co_quan, equals: dang_uy}", "{field: so_hieu, equals: dang_uy}",
     ("{field: so_hieu", ""), "is not a choice or yes/no field"),
    ("indicator filter names an option the field lacks", "where: {field: mo_hinh_diem, equals: true}",
     "where: {field: mo_hinh_diem, equals: maybe}", ("equals: maybe", ""), "maybe is not one of its options"),
    ("bad YAML: missing comma", 'label: {vi: "Giám sát", en: "Supervision"}',
     'label: {vi: "Giám sát" en: "Supervision"}', ('label: {vi: "Giám sát" en', ""), "not valid YAML"),
    ("bad YAML: tab indentation", "  - id: giam_sat\n", "  - id: giam_sat\n\tlabel: x\n",
     ("\tlabel: x", ""), "not valid YAML"),
]


@pytest.mark.parametrize(("old", "new", "anchor", "message"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_broken_plan_names_the_line(old: str, new: str, anchor: tuple[str, str], message: str) -> None:
    assert SHIPPED_TEXT.count(old) == 1, "the case must edit exactly one place"
    broken = SHIPPED_TEXT.replace(old, new)
    snippet, after = anchor
    start = broken.index(after) if after else 0
    expected = broken.count("\n", 0, broken.index(snippet, start)) + 1
    with pytest.raises(PlanError) as caught:
        parse_plan(broken, source="broken.yaml")
    text = str(caught.value)
    assert f"broken.yaml, line {expected}:" in text
    assert message in text


@pytest.mark.parametrize(("label", "text", "message"), [
    ("a list", "- year: 2026\n- forms: []\n", "line 1: a plan file is a mapping"),
    ("a plain string", "just some text\n", "line 1: a plan file is a mapping"),
    ("an empty file", "", "line 1: a plan file is a mapping"),
    ("missing sections", "year: 2026\n", "line 1: forms: Field required"),
    ("year out of range", "year: 1999\ntitle: x\n", "line 1: year: Input should be greater than or equal"),
])
def test_small_broken_snippets(label: str, text: str, message: str) -> None:
    with pytest.raises(PlanError, match=r"^snippet\.yaml, line") as caught:
        parse_plan(text, source="snippet.yaml")
    assert message in str(caught.value), label


def test_missing_file_is_named(tmp_path) -> None:
    missing = tmp_path / "no_such_plan.yaml"
    with pytest.raises(PlanError, match="cannot read the plan file") as caught:
        load_plan(missing)
    assert str(missing) in str(caught.value)


def test_non_utf8_file_is_refused(tmp_path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: Kế hoạch".encode("utf-16"))
    with pytest.raises(PlanError, match="not UTF-8"):
        load_plan(path)


def test_line_helper_matches_shipped_layout() -> None:
    assert line_of("year: 2026") < line_of("bodies:") < line_of("forms:") < line_of("indicators:")
    assert line_of("id: doi_tuong", after="id: gop_y_chi_uy") > line_of("id: gop_y_chi_uy")
