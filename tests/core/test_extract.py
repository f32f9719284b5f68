"""The one-message report table (issue 17): what village heads write in their Zalo groups, read against the plan."""

from datetime import date

import pytest

from core.extract import find_activities, read_report
from plan.loader import SHIPPED_PLAN, load_plan

PLAN = load_plan(SHIPPED_PLAN)
TODAY = date(2026, 11, 25)  # a Wednesday in Quý IV
Y = "2026-11-24"  # hôm qua
D = {"ngay": Y}


def row(id_, text, activity, answers=None, problems=()):
    """activity: a form id; "a+b" for two named in that order; "?a,b" when only suggested (closest first)."""
    return pytest.param(text, activity, answers or {}, problems, id=id_)


SENTENCES = [
    # --- Ngày hội Đại đoàn kết, the issue's own example and how it is really typed ---------------------------------
    row("issue-example", "hôm qua thôn tổ chức ngày hội đại đoàn kết ở nhà văn hóa có 150 người", "ngay_hoi",
        {**D, "dia_diem": "nhà văn hóa", "so_nguoi_tham_gia": 150}),
    row("no-diacritics", "hom qua thon to chuc ngay hoi dai doan ket o nha van hoa co 150 nguoi", "ngay_hoi",
        {**D, "dia_diem": "nha van hoa", "so_nguoi_tham_gia": 150}),
    row("glued-command", "baocao ngay hoi", "ngay_hoi"),
    row("telex-leftovers", "ngayf hooij ddaij ddoanf keets 15/11 taij nhaf vawn hoas 200 nguowif", "ngay_hoi",
        {"ngay": "2026-11-15", "dia_diem": "nhaf vawn hoas", "so_nguoi_tham_gia": 200}),
    row("vni-leftovers", "nga2y ho65i da5i 1 thang 11 ta5i nha2 va8n ho1a", "ngay_hoi",
        {"ngay": "2026-11-01", "dia_diem": "nha2 va8n ho1a"}),  # free text is kept as typed
    row("abbrev-ddk", "Thôn Nà Pài tổ chức Ngày hội ĐĐK sáng nay, khoảng 300 người dân", "ngay_hoi",
        {"ngay": "2026-11-25", "so_nguoi_tham_gia": 300}),
    row("typo-hoi", "ngày họi đại đoàn kết hôm kia tại hội trường thôn", "ngay_hoi",
        {"ngay": "2026-11-23", "dia_diem": "hội trường thôn"}),
    row("typo-missing-i", "ngày hộ đại đoàn kết toàn dân tộc 18/11 có 1.200 người", "ngay_hoi",
        {"ngay": "2026-11-18", "so_nguoi_tham_gia": 1200}),
    row("words-number", "ngày hội đại đoàn kết có một trăm năm mươi người tham gia", "ngay_hoi",
        {"so_nguoi_tham_gia": 150}),
    row("words-no-accents", "ngay hoi hai tram nguoi", "ngay_hoi", {"so_nguoi_tham_gia": 200}),
    row("rules-reviewed", "ngày hội 18/11 ở nhà văn hóa, có đánh giá hương ước, 250 người", "ngay_hoi",
        {"ngay": "2026-11-18", "dia_diem": "nhà văn hóa", "so_nguoi_tham_gia": 250, "danh_gia_huong_uoc": True}),
    row("rules-not-reviewed", "ngay hoi hom qua, khong giam sat huong uoc", "ngay_hoi",
        {**D, "danh_gia_huong_uoc": False}),
    row("rules-not-yet", "ngày hội chưa đánh giá quy ước", "ngay_hoi", {"danh_gia_huong_uoc": False}),
    row("weekday-just-past", "chủ nhật vừa rồi tổ chức ngày hội", "ngay_hoi", {"ngay": "2026-11-22"}),
    row("weekday-cn", "CN vừa qua ngày hội ở sân vận động thôn", "ngay_hoi",
        {"ngay": "2026-11-22", "dia_diem": "sân vận động thôn"}),
    row("weekday-t7", "ngày hội t7 tuần trước", "ngay_hoi", {"ngay": "2026-11-21"}),
    row("weekday-thu-bay-last-week", "thứ bảy tuần trước thôn làm ngày hội", "ngay_hoi", {"ngay": "2026-11-21"}),
    row("weekday-digit", "hôm thứ 2 tổ chức ngày hội", "ngay_hoi", {"ngay": "2026-11-23"}),
    row("date-dash", "ngày hội 15-11 tại nhà văn hóa thôn Bản Chiêng", "ngay_hoi",
        {"ngay": "2026-11-15", "dia_diem": "nhà văn hóa thôn Bản Chiêng"}),
    row("date-full", "ngày 15/11/2026 tổ chức ngày hội đại đoàn kết", "ngay_hoi", {"ngay": "2026-11-15"}),
    row("date-words", "ngày 18 tháng 11 thôn tổ chức ngày hội", "ngay_hoi", {"ngay": "2026-11-18"}),
    row("date-day-only", "ngày hội tổ chức ngày 20, 180 người", "ngay_hoi",
        {"ngay": "2026-11-20", "so_nguoi_tham_gia": 180}),
    row("abbrev-ng", "ngay hoi hqua 150ng", "ngay_hoi", {**D, "so_nguoi_tham_gia": 150}),
    row("english", "Great Unity Festival yesterday... 120 people", "ngay_hoi", {**D, "so_nguoi_tham_gia": 120}),
    row("polite-particles", "Dạ em báo cáo ngày hội đại đoàn kết tối qua ạ", "ngay_hoi", D),
    row("bare-number-not-guessed", "ngày hội hôm qua có 150", "ngay_hoi", D),
    # --- thăm hỏi hộ nghèo: counts with units, money --------------------------------------------------------------
    row("poor-visits", "hôm qua thăm 20 hộ nghèo, tặng quà trị giá 5 triệu", "tham_hoi_ho_ngheo",
        {**D, "so_ho_ngheo": 20, "tong_gia_tri_dong": 5_000_000}),
    row("poor-gift-units", "trao 15 suất quà cho hộ cận nghèo sáng nay, mỗi suất 500k", "tham_hoi_ho_ngheo",
        {"ngay": "2026-11-25", "so_ho_ngheo": 15, "tong_gia_tri_dong": 500_000}),
    row("money-glued", "tham ho ngheo 2tr5 cho 10 ho", "tham_hoi_ho_ngheo",
        {"so_ho_ngheo": 10, "tong_gia_tri_dong": 2_500_000}),
    row("money-decimal", "tặng quà 12 hộ nghèo tổng 1,5 triệu đồng", "tham_hoi_ho_ngheo",
        {"so_ho_ngheo": 12, "tong_gia_tri_dong": 1_500_000}),
    row("money-grouped-dong", "thăm hỏi 8 hộ, quà 800.000đ", "tham_hoi_ho_ngheo",
        {"so_ho_ngheo": 8, "tong_gia_tri_dong": 800_000}),
    row("money-words", "tặng quà hộ nghèo hai triệu rưỡi", "tham_hoi_ho_ngheo", {"tong_gia_tri_dong": 2_500_000}),
    row("money-words-thousand", "phát quà 3 hộ cận nghèo năm trăm nghìn đồng", "tham_hoi_ho_ngheo",
        {"so_ho_can_ngheo": 3, "tong_gia_tri_dong": 500_000}),
    row("count-words", "thăm hai mươi hộ nghèo hôm thứ sáu", "tham_hoi_ho_ngheo",
        {"ngay": "2026-11-20", "so_ho_ngheo": 20}),
    row("some-households", "thăm một số hộ nghèo", "tham_hoi_ho_ngheo"),
    row("telex-poor", "thawm hooj ngheof 12 hooj", "tham_hoi_ho_ngheo", {"so_ho_ngheo": 12}),
    # --- the other forms, by name, alias or common typing -----------------------------------------------------------
    row("sports", "ngày 15/11 tổ chức giải bóng chuyền có hai trăm người", "van_hoa_the_thao",
        {"ngay": "2026-11-15", "so_nguoi_tham_gia": 200}),
    row("culture-no-accents", "van nghe the thao hom qua 90 nguoi", "van_hoa_the_thao",
        {**D, "so_nguoi_tham_gia": 90}),
    row("self-management", "thôn duy trì mô hình tự quản về an ninh, 45 hộ tham gia", "mo_hinh_tu_quan",
        {"so_ho_tham_gia": 45}),
    row("green-work", "làm đường hoa 200m, công trình xanh sạch đẹp, giá trị 30 triệu", "cong_trinh_xanh",
        {"gia_tri_dong": 30_000_000}),
    row("green-lights", "thắp sáng đường quê thôn Nà Pài hôm kia", "cong_trinh_xanh", {"ngay": "2026-11-23"}),
    row("civilised-wedding", "mô hình đám cưới văn minh thôn Bản Chiêng", "nep_song_van_minh"),
    row("commendation", "biểu dương khen thưởng mô hình tự quản, 5 tập thể 12 cá nhân", "bieu_duong",
        {"so_tap_the": 5, "so_ca_nhan": 12}),
    # recommendations are not counted from a sentence: the form asks for them one a line, for the register
    row("supervision", "đoàn giám sát việc thu chi quỹ hôm qua, 3 kiến nghị", "giam_sat", D),
    row("criticism", "phản biện xã hội dự thảo quy chế, 7 ý kiến phản biện", "phan_bien"),
    row("listening-month", "tháng nghe dân nói ở thôn Nà Pài, 25 ý kiến", "thang_nghe_dan_noi"),
    row("dialogue-pilot", "đối thoại với nhân dân, là mô hình điểm, 60 người", "doi_thoai",
        {"mo_hinh_diem": True, "so_nguoi_tham_gia": 60}),
    row("party-building", "góp ý xây dựng đảng chính quyền 14 ý kiến góp ý", "gop_y_xay_dung_dang", {"so_y_kien": 14}),
    row("cell-feedback", "góp ý cho chi ủy chi bộ hôm qua", "gop_y_chi_uy", D),
    row("training", "tập huấn nghiệp vụ cho 35 cán bộ mặt trận 12/11", "tap_huan",
        {"ngay": "2026-11-12", "so_nguoi": 35}),
    row("awareness", "tuyên truyền đề án qua loa truyền thanh, khoảng 400 người nghe", "tuyen_truyen",
        {"so_nguoi": 400}),
    row("voters-abbrev", "TXCT trước kỳ họp HĐND, 120 cử tri, 9 kiến nghị", "tiep_xuc_cu_tri",
        {"so_cu_tri": 120}),
    row("voters-typo", "tiếp súc cử tri hôm qua 80 người", "tiep_xuc_cu_tri", {**D, "so_cu_tri": 80}),
    row("plan-issued", "ban hành kế hoạch thực hiện đề án ngày 5/11", "ban_hanh_van_ban", {"ngay": "2026-11-05"}),
    row("inspection", "kiểm tra, giám sát việc thực hiện đề án ở thôn Nà Pài", "kiem_tra"),
    row("campaign", "phong trào thi đua xây dựng nông thôn mới 20/11", "cuoc_van_dong", {"ngay": "2026-11-20"}),
    row("fund", "ngày vì người nghèo quyên góp được 12 triệu", "quy_vi_nguoi_ngheo", {"so_tien": 12_000_000}),
    # --- unsure: only hinted, so the closest forms are offered -------------------------------------------------------
    row("hint-feedback", "sáng nay họp góp ý", "?gop_y_xay_dung_dang,gop_y_chi_uy", {"ngay": "2026-11-25"}),
    row("hint-gifts", "đi trao quà tết", "tham_hoi_ho_ngheo"),  # "trao quà" is a name of the form
    row("hint-petition", "dân phản ánh đường hỏng, chưa trả lời", "?"),  # a petition: /kiennghi, not a report
    row("hint-loudspeaker", "đọc loa phát thanh sáng nay", "?tuyen_truyen", {"ngay": "2026-11-25"}),
    row("not-a-report", "cảm ơn đồng chí nhé", "?"),
    row("not-a-report-no-accents", "ok a", "?"),
    # --- bad input: two activities, dates in the future or another year, counts out of range, money in a count ---
    row("two-activities", "ngày hội và thăm hộ nghèo", "ngay_hoi+tham_hoi_ho_ngheo"),
    row("two-activities-reversed", "hôm qua thăm 10 hộ nghèo rồi tổ chức ngày hội", "tham_hoi_ho_ngheo+ngay_hoi",
        {**D, "so_ho_ngheo": 10}),
    row("future-tomorrow", "ngày hội ngày mai", "ngay_hoi", {}, [("ngay", "err.date.future")]),
    row("future-date", "ngày hội 20/12 ở nhà văn hóa", "ngay_hoi", {"dia_diem": "nhà văn hóa"},
        [("ngay", "err.date.future")]),
    row("other-year", "ngày hội 18/11/2025", "ngay_hoi", {}, [("ngay", "err.date.outside_year")]),
    row("impossible-date", "ngày hội 31/11", "ngay_hoi", {}, [("ngay", "err.date.invalid")]),
    row("count-too-large", "ngày hội hôm qua 50.000 người", "ngay_hoi",
        D, [("so_nguoi_tham_gia", "err.number.too_large")]),
    row("count-zero", "tap huan 0 can bo", "tap_huan", {}, [("so_nguoi", "err.number.too_small")]),
    row("money-in-count", "thăm hộ nghèo 5 triệu hộ", "tham_hoi_ho_ngheo",
        {}, [("so_ho_ngheo", "err.number.money_in_count")]),
    row("money-without-field", "ngày hội hôm qua kinh phí 5 triệu", "ngay_hoi", D, [("", "err.extract.money_unused")]),
    row("money-too-large", "tặng quà hộ nghèo 20 tỷ", "tham_hoi_ho_ngheo", {},
        [("tong_gia_tri_dong", "err.number.too_large")]),
]


@pytest.mark.parametrize("text, activity, answers, problems", SENTENCES)
def test_one_message_reports(text, activity, answers, problems):
    found = find_activities(text, PLAN.forms)
    if activity.startswith("?"):
        assert found.named == () and found.closest[:len(activity[1:].split(","))] == tuple(
            a for a in activity[1:].split(",") if a), found
    else:
        assert (found.named, found.closest) == (tuple(activity.split("+")), ()), found
    if not found.named and not found.closest:
        return
    form = PLAN.form((found.named or found.closest)[0])
    reading = read_report(text, form, PLAN.forms, TODAY, PLAN.year)
    assert reading.answers == answers
    assert [(field, error.code) for field, error in reading.problems] == list(problems)


def test_the_table_is_the_issues_size():
    assert len(SENTENCES) >= 60


def test_every_form_is_named_by_its_own_label_without_diacritics():
    from core.vnparse import fold

    for form in PLAN.forms:
        assert find_activities(fold(form.label.vi), PLAN.forms).named[:1] == (form.id,), form.id
        assert form.aliases and form.keywords, form.id


def test_a_long_hostile_message_is_read_quickly():
    import time

    started = time.perf_counter()
    find_activities("ngày hội " * 5000, PLAN.forms)
    read_report("1 " * 5000, PLAN.forms[0], PLAN.forms, TODAY, PLAN.year)
    assert time.perf_counter() - started < 1.0
