"""The golden dataset of the summary tests: three villages (one silent all year), the commune
committee, one organisation and one board, with reports spread over the four quarters of 2026, and
petitions (kiến nghị) of every source and lifecycle end, one of them left open from 2025."""

from __future__ import annotations

from datetime import date

from plan.schema import Plan
from summaries.model import PetitionRow, ReportRow, Snapshot, UnitInfo

COMMUNE, VILLAGE_A, VILLAGE_B, VILLAGE_C, FARMERS, BOARD = 1, 2, 3, 4, 5, 6
UNITS = (
    UnitInfo(COMMUNE, "Ủy ban MTTQ Việt Nam xã", "commune"),
    UnitInfo(VILLAGE_A, "Thôn Nà Pài", "village"),
    UnitInfo(VILLAGE_B, "Thôn Bản Quân", "village"),
    UnitInfo(VILLAGE_C, "Thôn Khuổi Đeng", "village"),  # never reports
    UnitInfo(FARMERS, "Hội Nông dân xã", "organisation"),
    UnitInfo(BOARD, "Ban Thanh tra nhân dân xã", "board"),
)
BASELINES = {(v, key): value for v in (VILLAGE_A, VILLAGE_B, VILLAGE_C)
             for key, value in (("poor_households", 10), ("near_poor_households", 5), ("households", 120))}
BASELINES[(COMMUNE, "cadres_to_train")] = 40

# (unit, form, date, answers)
REPORTS = [
    (VILLAGE_A, "mo_hinh_tu_quan", "2026-02-10", {"ten_mo_hinh": "Tổ tự quản an ninh", "so_ho_tham_gia": 30}),
    (VILLAGE_B, "mo_hinh_tu_quan", "2026-03-05", {"ten_mo_hinh": "Tổ phụ nữ tự quản"}),
    (COMMUNE, "giam_sat", "2026-03-10", {"noi_dung": "Giám sát chi trả trợ cấp", "vai_tro": "chu_tri"}),
    (VILLAGE_A, "tham_hoi_ho_ngheo", "2026-02-12", {"dip": "tet", "so_ho_ngheo": 10, "so_ho_can_ngheo": 5,
                                                    "so_ho_lan_dau": 15}),
    (VILLAGE_B, "tham_hoi_ho_ngheo", "2026-02-13", {"dip": "tet", "so_ho_ngheo": 8, "so_ho_can_ngheo": 4,
                                                    "so_ho_lan_dau": 12}),
    (COMMUNE, "ban_hanh_van_ban", "2026-01-20", {"loai": "ke_hoach_de_an", "co_quan": "dang_uy",
                                                       "trich_yeu": "Kế hoạch thực hiện Đề án"}),
    (VILLAGE_A, "nep_song_van_minh", "2026-03-01", {"ten_mo_hinh": "Việc cưới văn minh"}),
    (COMMUNE, "giam_sat", "2026-05-10", {"noi_dung": "Giám sát xây dựng đường", "vai_tro": "chu_tri"}),
    (COMMUNE, "tap_huan", "2026-06-15", {"ten_lop": "Tập huấn giám sát", "so_nguoi": 20,
                                                 "so_nguoi_lan_dau": 20}),
    (BOARD, "giam_sat", "2026-04-20", {"noi_dung": "Giám sát công trình nhà văn hóa", "vai_tro": "chu_tri"}),
    (COMMUNE, "phan_bien", "2026-08-10", {"ten_du_thao": "Dự thảo quy chế dân chủ"}),
    (FARMERS, "van_hoa_the_thao", "2026-07-20", {"ten_hoat_dong": "Giải bóng chuyền", "so_nguoi_tham_gia": 200}),
    (VILLAGE_A, "ngay_hoi", "2026-11-18", {"dia_diem": "Nhà văn hóa", "so_nguoi_tham_gia": 150,
                                           "danh_gia_huong_uoc": True}),
    (VILLAGE_B, "ngay_hoi", "2026-11-18", {"dia_diem": "Sân thôn", "so_nguoi_tham_gia": 120,
                                           "danh_gia_huong_uoc": False}),
    (COMMUNE, "giam_sat", "2026-10-05", {"noi_dung": "Giám sát an sinh xã hội", "vai_tro": "chu_tri"}),
    (COMMUNE, "tap_huan", "2026-10-20", {"ten_lop": "Bồi dưỡng phản biện", "so_nguoi": 30,
                                                 "so_nguoi_lan_dau": 18}),
    (VILLAGE_B, "cong_trinh_xanh", "2026-10-10", {"ten": "Đường hoa"}),
    # the same households again, and three of village B's that had been missed: repeats add nothing
    (VILLAGE_A, "tham_hoi_ho_ngheo", "2026-12-20", {"dip": "khac", "so_ho_ngheo": 10, "so_ho_can_ngheo": 5,
                                                    "so_ho_lan_dau": 0}),
    (VILLAGE_B, "tham_hoi_ho_ngheo", "2026-12-21", {"dip": "khac", "so_ho_ngheo": 2, "so_ho_can_ngheo": 1,
                                                    "so_ho_lan_dau": 3}),
]


# (reference, unit, source, status, content, received, closed): the register, the one source of every
# figure about recommendations.
PETITIONS = [
    ("KN-2026-001", VILLAGE_A, "nhan_dan", "da_giai_quyet", "Đường liên thôn xuống cấp", "2026-01-15", "2026-02-20"),
    ("KN-2026-002", VILLAGE_B, "nhan_dan", "da_tra_loi", "Chậm chi trả hỗ trợ lũ", "2026-02-10", "2026-04-05"),
    ("KN-2026-003", COMMUNE, "nhan_dan", "tiep_nhan", "Thiếu đèn chiếu sáng ngõ xóm", "2026-03-25", None),
    ("KN-2026-004", COMMUNE, "sau_giam_sat", "da_chuyen", "Chi trả trợ cấp chưa đủ", "2026-03-12", None),
    ("KN-2026-005", COMMUNE, "sau_giam_sat", "da_giai_quyet", "Đường thi công kéo dài", "2026-05-12", "2026-06-05"),
    ("KN-2026-006", FARMERS, "nhan_dan", "khong_thuoc_tham_quyen", "Tranh chấp đất", "2026-02-01", "2026-02-05"),
    ("KN-2026-007", COMMUNE, "phan_bien", "da_tra_loi", "Sửa điều 5 quy chế dân chủ", "2026-08-15", "2026-09-10"),
    ("KN-2025-031", VILLAGE_A, "cu_tri", "tiep_nhan", "Xin làm cầu tràn", "2025-11-20", None),
]


def golden_petitions() -> tuple[PetitionRow, ...]:
    return tuple(PetitionRow(n, ref, unit, source, status, content, date.fromisoformat(received),
                             date.fromisoformat(closed) if closed else None)
                 for n, (ref, unit, source, status, content, received, closed) in enumerate(PETITIONS, start=1))


def golden_snapshot(extra_units: tuple[UnitInfo, ...] = (), extra_reports: list | None = None) -> Snapshot:
    rows = [*REPORTS, *(extra_reports or [])]
    reports = tuple(ReportRow(n, unit, form, date.fromisoformat(day), {"ngay": day, **answers})
                    for n, (unit, form, day, answers) in enumerate(rows, start=1))
    return Snapshot(commune_name="Nam Cường", province="Thái Nguyên", year=2026, units=UNITS + extra_units,
                    baselines=BASELINES, reports=reports, petitions=golden_petitions())


def calendar_quarters(plan: Plan) -> Plan:
    """The plan with calendar quarters: the golden numbers were chosen for them (the shipped plan's cut-off
    periods are tested in tests/summaries/test_period_boundary.py)."""
    settings = plan.settings.model_copy(update={"reporting_period": "calendar"})
    return plan.model_copy(update={"settings": settings})


def judged_by_reports(plan: Plan) -> Plan:
    """The plan with no row settled by its reference (I.1): every row judged by the reports it names, as the
    timeline filter tests need."""
    rows = tuple(item.model_copy(update={"is_reference": False}) for item in plan.timeline)
    return plan.model_copy(update={"timeline": rows})
