"""The DOCX, XLSX and PNG read back: layout, texts, data, and robustness to bad report text."""

from __future__ import annotations

import io
import struct
from datetime import date, datetime
from pathlib import Path

import docx
import openpyxl
import pytest
from support.app import VN
from support.summary_data import VILLAGE_A, calendar_quarters, golden_snapshot

from core.i18n import Translator
from plan.loader import load_plan
from plan.periods import Period
from summaries.chart import HEIGHT_PX, WIDTH_PX
from summaries.compile import compile_summary
from summaries.docx import render_docx
from summaries.docx_petitions import open_petitions_rows
from summaries.docx_tables import appendix_rows
from summaries.model import DocumentSettings, UnitInfo
from summaries.service import render_files
from summaries.text_util import admin_date_parts

PLAN = calendar_quarters(load_plan("plan/plans/nam_cuong_2026.yaml"))
TRANSLATOR = Translator(Path("locales"))
T = TRANSLATOR.for_language("vi")
SETTINGS = DocumentSettings(signer_name="Hoàng Văn Mẫu", recipients=("Thường trực Đảng ủy xã", "Lưu VP"),
                            party_signer_name="Nông Thị Mẫu")
NOW = datetime(2026, 3, 5, 9, 0, tzinfo=VN)
DIRTY = "Họp\x00 thôn\x0b \x1f\ufffe xong"


@pytest.fixture(scope="module")
def summary():
    # a unit with an empty name, and a report whose text holds XML-invalid control characters
    snapshot = golden_snapshot((UnitInfo(50, "", "village"),),
                               [(VILLAGE_A, "cong_trinh_xanh", "2026-02-20", {"ten": DIRTY, "gia_tri_dong": 5}),
                                (50, "mo_hinh_tu_quan", "2026-03-02", {"ten_mo_hinh": "=1+1"})])
    return compile_summary(PLAN, snapshot, Period.quarter(2026, 1), NOW)


@pytest.fixture(scope="module")
def files(summary):
    return render_files(summary, PLAN, TRANSLATOR, SETTINGS)


@pytest.fixture(scope="module")
def document(files):
    return docx.Document(io.BytesIO(files.docx))


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 3, 5), ("05", "3", "2026")), (date(2026, 1, 15), ("15", "01", "2026")),
    (date(2026, 2, 9), ("09", "02", "2026")), (date(2026, 12, 10), ("10", "12", "2026")),
])
def test_date_parts_follow_the_leading_zero_rule(day, expected):
    assert admin_date_parts(day) == expected


def test_page_margins_and_font(document):
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)  # A4, stored in twips
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert tuple(round(m.mm) for m in margins) == (20, 20, 30, 15)
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert section.different_first_page_header_footer  # page numbers from page 2
    assert "PAGE" in section.header._element.xml
    assert document.sections[-1].orientation == 1  # the appendix is landscape


def test_header_table_and_date_line(document):
    left, right = ([p.text for p in cell.paragraphs if p.text] for cell in document.tables[0].rows[0].cells)
    assert left == ["ỦY BAN MTTQ VIỆT NAM", "XÃ NAM CƯỜNG", "BAN THƯỜNG TRỰC", "Số:      /BC-MTTQ-BTT"]
    assert right == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
                     "Nam Cường, ngày 05 tháng 3 năm 2026"]
    date_run = document.tables[0].rows[0].cells[1].paragraphs[-1].runs[0]
    assert date_run.italic and date_run.font.size.pt == 14


def test_title_sections_placeholders_and_signature(document):
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "BÁO CÁO" and texts[1] == "Kết quả thực hiện Đề án số 13-ĐA/TU quý I năm 2026"
    for heading in ("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TRIỂN KHAI", "II. KẾT QUẢ THỰC HIỆN", "1. Công tác phát "
                    "huy sức mạnh đại đoàn kết toàn dân tộc", "III. ĐÁNH GIÁ CHUNG",
                    "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI", "V. ĐỀ XUẤT, KIẾN NGHỊ", "PHỤ LỤC"):
        assert heading in texts
    for placeholder in ("[Đồng chí Chủ tịch bổ sung: ưu điểm …]",
                        "[Đồng chí Chủ tịch bổ sung: tồn tại, hạn chế và nguyên nhân …]",
                        "[Đồng chí Chủ tịch bổ sung: phương hướng, nhiệm vụ kỳ tới …]"):
        assert placeholder in texts
    assert any(t.startswith("Trên đây là báo cáo") and t.endswith("./.") for t in texts)
    assert "+ Ngày 20/02/2026, Thôn Nà Pài: Công trình, phần việc xanh - sạch - đẹp, an ninh, an toàn: " \
           "Họp thôn xong (giá trị 5 đồng)." in texts  # control characters removed, the text kept
    left, right = ([p.text for p in cell.paragraphs] for cell in _signature_table(document).rows[0].cells)
    assert left == ["Nơi nhận:", "- Thường trực Đảng ủy xã (để b/c);", "- Lưu VP;", "- Lưu: VT."]
    assert right == ["TM. BAN THƯỜNG TRỰC", "CHỦ TỊCH", "Hoàng Văn Mẫu"]


def _signature_table(document):
    return next(t for t in document.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))


def _table_headed(document, first_cells: list[str]):
    return next(t for t in document.tables if [c.text for c in t.rows[0].cells][:len(first_cells)] == first_cells)


def test_appendix_rows_equal_the_data(document, summary):
    table = _table_headed(document, ["STT", "Đơn vị", "Loại đơn vị"])
    rows = [[cell.text for cell in row.cells] for row in table.rows[1:]]
    assert rows == appendix_rows(summary, PLAN, T)
    assert len(rows) == 7 and rows[6][1] == "(đơn vị chưa có tên)"
    assert rows[1][:5] == ["2", "Thôn Nà Pài", "Khu dân cư", "4", "4"]


def test_party_variant_header_and_signature(summary):
    party = docx.Document(io.BytesIO(render_docx(summary, PLAN, T, SETTINGS, party=True)))
    left, right = ([p.text for p in cell.paragraphs if p.text] for cell in party.tables[0].rows[0].cells)
    assert left == ["ĐẢNG BỘ TỈNH THÁI NGUYÊN", "ĐẢNG ỦY XÃ NAM CƯỜNG", "*", "Số     -BC/ĐU"]
    assert right == ["ĐẢNG CỘNG SẢN VIỆT NAM", "Nam Cường, ngày 05 tháng 3 năm 2026"]
    signature = [p.text for p in _signature_table(party).rows[0].cells[1].paragraphs]
    assert signature == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nông Thị Mẫu"]


def test_xlsx_sheets_headers_dates_and_filters(files, summary):
    book = openpyxl.load_workbook(io.BytesIO(files.xlsx))
    assert book.sheetnames == ["Chỉ tiêu", "Đơn vị", "Độ bao phủ theo đơn vị", "Kiến nghị", "Báo cáo trong kỳ"]
    indicators, units, _reach, _petitions, reports = (book[name] for name in book.sheetnames)
    assert [c.value for c in indicators[1]][:3] == ["Mã", "Nhóm", "Chỉ tiêu"]
    assert indicators.max_row == len(PLAN.indicators) + 1
    assert units.max_row == 8 and units.cell(8, 2).value == "(đơn vị chưa có tên)"
    assert [c.value for c in reports[1]][:5] == ["Số báo cáo", "Ngày", "Đơn vị", "Hoạt động", "Nội dung"]
    assert reports.max_row == len(summary.activities) + 1
    assert isinstance(reports.cell(2, 2).value, datetime) and reports.cell(2, 2).value.date() == date(2026, 1, 20)
    formula_like = [row[4].value for row in reports.iter_rows(min_row=2) if row[4].value == "=1+1"]
    assert formula_like == ["=1+1"]  # stored as text, never as a formula
    assert all(sheet.auto_filter.ref for sheet in (indicators, units, reports))


def test_png_is_a_valid_image_of_the_fixed_size(files):
    assert files.png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", files.png[16:24])
    assert (width, height) == (WIDTH_PX, HEIGHT_PX)


def test_open_petitions_are_counted_in_section_ii_and_listed_in_the_appendix(document, summary):
    texts = [p.text for p in document.paragraphs]
    line = ("Đến ngày 05/03/2026, còn 2 ý kiến, kiến nghị chưa được trả lời, giải quyết "
            "(danh sách tại Phụ lục kèm theo).")
    assert texts.index(line) < texts.index("6. Kết quả tại các khu dân cư")
    assert "DANH SÁCH Ý KIẾN, KIẾN NGHỊ CHƯA ĐƯỢC TRẢ LỜI, GIẢI QUYẾT" in texts
    table = _table_headed(document, ["STT", "Mã", "Nguồn"])
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["STT", "Mã", "Nguồn", "Đơn vị", "Nội dung", "Ngày tiếp nhận", "Số ngày"]
    assert rows[1:] == open_petitions_rows(summary, T) == [  # on 05/03: KN-003 and KN-004 not received yet
        ["1", "KN-2025-031", "Tiếp xúc cử tri", "Thôn Nà Pài", "Xin làm cầu tràn", "20/11/2025", "105"],
        ["2", "KN-2026-002", "Phản ánh của Nhân dân", "Thôn Bản Quân", "Chậm chi trả hỗ trợ lũ", "10/02/2026", "23"]]


def test_no_open_petition_gives_a_line_and_no_list():
    snapshot = golden_snapshot()
    snapshot = type(snapshot)(snapshot.commune_name, snapshot.province, 2026, snapshot.units, snapshot.baselines,
                              snapshot.reports, petitions=())
    summary = compile_summary(PLAN, snapshot, Period.quarter(2026, 1), NOW)
    document = docx.Document(io.BytesIO(render_docx(summary, PLAN, T, SETTINGS)))
    texts = [p.text for p in document.paragraphs]
    assert "Đến ngày 05/03/2026, không còn ý kiến, kiến nghị nào chờ trả lời, giải quyết." in texts
    assert not any(t.startswith("DANH SÁCH Ý KIẾN") for t in texts)
    assert [c.text for c in document.tables[-1].rows[0].cells][:3] == ["STT", "Đơn vị", "Loại đơn vị"]


def test_coverage_shows_reached_over_baseline_per_unit(document, files):
    """1.1.7 in Q1: Nà Pài 15 of its 15 households, Bản Quân 12 of 15, Khuổi Đeng none, the new unit none."""
    texts = [p.text for p in document.paragraphs]
    assert ("Theo đơn vị (số lần đầu được thăm, tập huấn trong năm / số cần đạt): Thôn Bản Quân 12/15; "
            "Thôn Khuổi Đeng 0/15; Thôn Nà Pài 15/15.") in texts
    sheet = openpyxl.load_workbook(io.BytesIO(files.xlsx))["Độ bao phủ theo đơn vị"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows == [["1.1.7", "Thôn Bản Quân", 12, 15, 80, 12], ["1.1.7", "Thôn Khuổi Đeng", 0, 15, 0, 0],
                    ["1.1.7", "Thôn Nà Pài", 15, 15, 100, 15], ["1.5.1", "Ủy ban MTTQ Việt Nam xã", 0, 40, 0, 0]]


def test_text_that_looks_like_xlsxwriter_rich_string_xml_reads_back_as_typed():
    """xlsxwriter writes a shared string starting "<r>" and ending "</r>" as raw XML: such a unit name or
    report title made an XLSX nobody could open (the "&" unescaped)."""
    snapshot = golden_snapshot((UnitInfo(51, "<r>Thôn & xóm</r>", "village"),),
                               [(51, "mo_hinh_tu_quan", "2026-03-02", {"ten_mo_hinh": "<r>a & b</r>"})])
    summary = compile_summary(PLAN, snapshot, Period.quarter(2026, 1), NOW)
    book = openpyxl.load_workbook(io.BytesIO(render_files(summary, PLAN, TRANSLATOR, SETTINGS).xlsx))
    reports = [[c.value for c in row] for row in book["Báo cáo trong kỳ"].iter_rows(min_row=2)]
    assert ["<r>Thôn & xóm</r>", "<r>a & b</r>"] in [row[2:5:2] for row in reports]
    assert "<r>Thôn & xóm</r>" in [row[1].value for row in book["Đơn vị"].iter_rows(min_row=2)]
