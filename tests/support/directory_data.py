"""A realistic commune's directory as sheets of rows, written as .xlsx or .csv like commune staff would."""

from __future__ import annotations

import csv
from pathlib import Path

from bot.directory.write import Workbook

VILLAGES = ["Nà Pài", "Bản Quân", "Khuổi Đeng", "Nà Kẹt", "Phiêng Phung", "Cốc Lùng", "Nà Mỏ", "Bản Chang",
            "Khau Ràng", "Nặm Dất", "Pác Giả", "Nà Lẹng", "Bó Pia", "Phja Khao", "Lũng Mòn", "Nà Hin",
            "Cốc Phia", "Bản Lạn", "Nà Đon", "Khuổi Luông"]
ORGANISATIONS = ["Hội Nông dân xã", "Hội Liên hiệp Phụ nữ xã", "Đoàn Thanh niên xã", "Hội Cựu chiến binh xã",
                 "Hội Người cao tuổi xã", "Hội Chữ thập đỏ xã"]
PARTY_CELLS = ["Chi bộ thôn Nà Pài", "Chi bộ thôn Bản Quân", "Chi bộ thôn Nà Kẹt", "Chi bộ trường học"]
BOARDS = ["Ban Thanh tra nhân dân xã", "Ban Giám sát đầu tư của cộng đồng xã"]
POOR, NEAR_POOR = 5, 3  # per village: 20 villages → 160 households to visit


def realistic_sheets(commune: str = "Phúc Lộc", province: str = "Thái Nguyên") -> dict[str, list[list]]:
    units = [["UB", "Ủy ban MTTQ Việt Nam xã", "Xã", "Có"]]
    units += [[f"TH{n:02d}", f"Thôn {name}", "Thôn", "Có"] for n, name in enumerate(VILLAGES, 1)]
    units += [[f"TC{n:02d}", name, "Tổ chức", "Có"] for n, name in enumerate(ORGANISATIONS, 1)]
    units += [[f"CB{n:02d}", name, "Chi bộ", "Có"] for n, name in enumerate(PARTY_CELLS, 1)]
    units += [[f"BAN{n}", name, "Ban", "Có"] for n, name in enumerate(BOARDS, 1)]
    baselines = [[f"TH{n:02d}", 2026, 100 + n, POOR, NEAR_POOR, None] for n in range(1, len(VILLAGES) + 1)]
    baselines.append(["UB", 2026, None, None, None, 80])
    people = [["Hoàng Văn Quản", "Quản trị", None, "0912000001", "vi"],
              ["Nông Thị Chủ", "Chủ tịch", "UB", "0912000002", "vi"],
              ["Lục Văn Cán", "Cán bộ", "UB", "0912000003", "vi"],
              ["Ma Văn Xem", "Xem", None, None, "vi"]]
    for n, name in enumerate(VILLAGES, 1):  # a head and a deputy per village
        people.append([f"Trưởng ban {name}", "Báo cáo", f"TH{n:02d}", f"09130{n:05d}", "vi"])
        people.append([f"Phó ban {name}", "Báo cáo", f"TH{n:02d}", None, "vi"])
    for n in range(1, len(ORGANISATIONS) + 1):
        people.append([f"Chủ tịch hội {n}", "Báo cáo", f"TC{n:02d}", f"09140{n:05d}", "vi"])
    for n in range(1, 5):
        people.append([f"Phó chủ tịch hội {n}", "Báo cáo", f"TC{n:02d}", None, "vi"])
    for n in range(1, len(PARTY_CELLS) + 1):
        people.append([f"Bí thư chi bộ {n}", "Báo cáo", f"CB{n:02d}", None, "vi"])
    people += [["Trưởng ban thanh tra", "Báo cáo", "BAN1", None, "vi"],
               ["Trưởng ban giám sát", "Báo cáo", "BAN2", None, "en"]]
    assert len(people) == 60
    return {
        "Xã": [["Tên xã", "Tỉnh", "Múi giờ"], [commune, province, "Asia/Ho_Chi_Minh"]],
        "Đơn vị": [["Mã đơn vị", "Tên đơn vị", "Loại", "Hoạt động"], *units],
        "Chỉ số": [["Mã đơn vị", "Năm", "Số hộ", "Số hộ nghèo", "Số hộ cận nghèo", "Số cán bộ, hội viên cần tập huấn"],
                   *baselines],
        "Người": [["Họ và tên", "Vai trò", "Mã đơn vị", "Điện thoại", "Ngôn ngữ"], *people],
    }


def save_xlsx(sheets: dict[str, list[list]], path: Path) -> Path:
    Workbook(sheets).save(path)
    return path


def save_csvs(sheets: dict[str, list[list]], folder: Path, *, bom: bool = True) -> list[Path]:
    """One CSV per sheet (named only by its header row), as Excel's "CSV UTF-8" writes them (a BOM) or without."""
    paths = []
    for number, rows in enumerate(sheets.values()):
        path = folder / f"sheet{number}.csv"
        with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
            csv.writer(f).writerows(rows)
        paths.append(path)
    return paths
