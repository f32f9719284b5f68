"""A DOCX the chair signs after filling the placeholders only (issue 15.6): the opening cites the Đề án and the
plan once each, no section contradicts the plan it cites, activities are counted and listed once under their
own heading, targets read "2/3 khu dân cư (66,7%), chỉ tiêu 100%: …", part III names indicators by their text,
part IV holds only what falls due next period, a village table, "(để b/c)", the appendix's "(Kèm theo …)",
"quý I" mid-sentence, and text typed without diacritics highlighted for the editor."""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_COLOR_INDEX
from support.app import VN
from support.summary_data import COMMUNE, VILLAGE_A, VILLAGE_B, golden_snapshot

from core.i18n import Translator
from plan.loader import load_plan
from plan.periods import Period
from summaries.compile import compile_summary
from summaries.docx import next_period, render_docx
from summaries.docx_results import lacks_diacritics
from summaries.model import DocumentSettings

PLAN = load_plan("plan/plans/nam_cuong_2026.yaml")
T = Translator(Path("locales")).for_language("vi")
NOW = datetime(2026, 3, 20, 9, tzinfo=VN)  # Quý I (16/12/2025 - 15/03/2026) is closed
EXTRA = [  # activities of forms no indicator counts: each must still be described once
    (VILLAGE_A, "tiep_xuc_cu_tri", "2026-03-03", {"ky_hop": "Kỳ họp thứ 3", "so_cu_tri": 85}),
    (COMMUNE, "tuyen_truyen", "2026-01-08", {"hinh_thuc": "loa_truyen_thanh", "so_nguoi": 400}),
    (VILLAGE_B, "cuoc_van_dong", "2026-02-25", {"ten": "to chuc don ve sinh duong lang"}),  # no diacritics
    (COMMUNE, "quy_vi_nguoi_ngheo", "2026-01-05", {"loai": "van_dong_quy", "so_tien": 25_500_000,
                                                   "hinh_thuc": "tien_mat"}),
]


@pytest.fixture(scope="module")
def document():
    summary = compile_summary(PLAN, golden_snapshot(extra_reports=EXTRA), Period.quarter(2026, 1), NOW)
    settings = DocumentSettings(signer_name="Hoàng Văn Mẫu")
    return summary, docx.Document(io.BytesIO(render_docx(summary, PLAN, T, settings)))


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _part(texts: list[str], start: str, end: str) -> list[str]:
    first = next(i for i, t in enumerate(texts) if t.startswith(start))
    return texts[first:next(i for i, t in enumerate(texts) if i > first and t.startswith(end))]


def test_opening_cites_the_scheme_and_the_plan_once_and_section_i_agrees(document):
    _summary, doc = document
    texts = _texts(doc)
    assert texts[1] == "Kết quả thực hiện Đề án số 13-ĐA/TU quý I năm 2026"  # lower-case mid-sentence
    opening = texts[2]
    assert opening.startswith("Thực hiện Đề án số 13-ĐA/TU ngày 10/12/2025 của Ban Chấp hành Đảng bộ tỉnh Thái "
                              "Nguyên về “Phát huy sức mạnh")
    assert opening.count("13-ĐA/TU") == 1 and opening.count("65-KH/TU") == 1 and "Kế hoạch thực hiện" not in opening
    assert opening.endswith("báo cáo kết quả thực hiện quý I năm 2026 như sau:")
    row = next(t for t in _part(texts, "I. ", "II. ") if t.startswith("- Ban hành Kế hoạch của Ban Thường vụ"))
    assert "đã thực hiện (Kế hoạch số 65-KH/TU ngày 10/03/2026" in row and "chưa có báo cáo" not in row


def test_activities_are_counted_as_activities_and_each_listed_once_under_its_heading(document):
    summary, doc = document
    texts = _texts(doc)
    assert not any("báo cáo hoạt động" in t or re.search(r"\d+ báo cáo\b", t) for t in texts)
    assert f"Trong kỳ, các đơn vị báo cáo {len(summary.activities)} hoạt động;" in "\n".join(texts)
    listed = [t for t in texts if t.startswith("+ Ngày ")]
    assert len(listed) == len(summary.activities) == len(set(listed))
    for day, what in (("03/03/2026", "Tiếp xúc cử tri: Kỳ họp thứ 3 (số cử tri dự 85 cử tri)"),
                      ("08/01/2026", "Quán triệt, tuyên truyền Đề án (Loa truyền thanh; số người được tuyên "
                                     "truyền 400 người)"),
                      ("05/01/2026", "Quỹ “Vì người nghèo”, nhà Đại đoàn kết (Vận động ủng hộ Quỹ “Vì người "
                                     "nghèo”; số tiền (kể cả hiện vật quy ra tiền) 25.500.000 đồng; Tiền mặt)")):
        assert sum(1 for t in listed if t.startswith(f"+ Ngày {day}") and what in t) == 1, what
    leadership = _part(texts, "I. ", "II. ")
    assert any("Quán triệt, tuyên truyền Đề án" in t for t in leadership)  # I.2's activity under part I
    voters = _part(texts, "4. Công tác tham gia góp ý", "5. ")
    assert any("Tiếp xúc cử tri" in t for t in voters)


def test_targets_read_as_a_chair_writes_them_and_part_iii_names_them(document):
    _summary, doc = document
    texts = _texts(doc)
    assert ("- Mỗi khu dân cư xây dựng, duy trì ít nhất một mô hình tự quản cộng đồng: quý I năm 2026 đạt "
            "2/3 khu dân cư (66,7%), chỉ tiêu 100%: đang thực hiện.") in texts
    assert any(t.startswith("- Hỗ trợ, thăm hỏi, tặng quà 100% hộ nghèo, cận nghèo: quý I năm 2026 đạt 27/45 hộ "
                            "(60%), chỉ tiêu 100%: đang thực hiện") for t in texts)
    weaknesses = _part(texts, "2. Tồn tại, hạn chế", "IV. ")
    assert not any(re.search(r"\b1\.\d\.\d\b", t) for t in weaknesses)  # no bare codes
    assert "- MTTQ xã giám sát ít nhất 03 chương trình, nội dung: 1 hoạt động, chỉ tiêu 3 (đang thực hiện)." \
        in weaknesses


def test_part_iv_lists_only_what_falls_due_next_period(document):
    summary, doc = document
    direction = _part(_texts(doc), "IV. ", "V. ")
    following = next_period(summary.period)
    assert (following.start, following.end) == (date(2026, 3, 16), date(2026, 6, 15))
    items = [t for t in direction if t.startswith("- ")]
    assert items, direction
    for line in items:
        day, month, year = map(int, re.search(r"hạn (\d\d)/(\d\d)/(\d{4})", line).groups())
        assert following.start <= date(year, month, day) <= following.end, line
    assert direction[1] == "Các nhiệm vụ đến hạn trong quý II năm 2026:"


def test_village_table_recipients_and_appendix_reference(document):
    _summary, doc = document
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Khu dân cư")
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert rows[0][:3] == ["1", "Thôn Nà Pài", "✗"] and "10/02/2026" in rows[0] and rows[0][-1] == "2/5"
    assert rows[2][1:] == ["Thôn Khuổi Đeng", "✗", "✗", "✗", "✗", "✗", "0/5"]
    recipients = [p.text for p in next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Nơi nhận"))
                  .rows[0].cells[0].paragraphs]
    assert "- Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Thái Nguyên (để b/c);" in recipients
    assert "- Ban Công tác Mặt trận các thôn;" in recipients and recipients[-1] == "- Lưu: VT."
    texts = _texts(doc)
    appendix = texts.index("PHỤ LỤC")
    assert texts[appendix + 1] == ("(Kèm theo Báo cáo số       /BC-MTTQ-BTT ngày 20/3/2026 của Ban Thường trực "
                                   "Ủy ban MTTQ Việt Nam xã Nam Cường)")


def test_text_typed_without_diacritics_is_highlighted(document):
    _summary, doc = document
    line = next(p for p in doc.paragraphs if "to chuc don ve sinh" in p.text)
    marked = [r.text for r in line.runs if r.font.highlight_color == WD_COLOR_INDEX.YELLOW]
    assert marked == ["to chuc don ve sinh duong lang"]
    assert not any(r.font.highlight_color for p in doc.paragraphs if p.text.startswith("+ Ngày 03/03")
                   for r in p.runs)
    assert lacks_diacritics("hop thon xong") and not lacks_diacritics("Họp thôn xong")
    assert not lacks_diacritics("12-KH/MTTQ") and not lacks_diacritics("Zalo")
