"""A year of reports by two villages and the commune committee, filed through the console chat, then /tonghop
năm: the text, and the DOCX and XLSX the bot sends, against numbers counted by hand here (issue 15 tests)."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
from docx import Document
from support.app import VN, ChatUser, invite_code
from support.report_menu import file_form

# The demo commune: 5 villages, each with 9 poor and 6 near-poor households (75 in all); 60 cadres to train.
# (who, form label, answers by field id; other questions get a plain answer)
YEAR = [
    ("na_pai", "Mô hình tự quản cộng đồng", {"ngay": "05/02/2026"}),
    ("na_pai", "Thăm hỏi, tặng quà hộ nghèo, cận nghèo",
     {"ngay": "10/02/2026", "so_ho_ngheo": "9", "so_ho_can_ngheo": "6", "so_ho_lan_dau": "12"}),
    ("ban_quan", "Thăm hỏi, tặng quà hộ nghèo, cận nghèo",
     {"ngay": "12/02/2026", "so_ho_ngheo": "5", "so_ho_can_ngheo": "3", "so_ho_lan_dau": "8"}),
    ("commune", "Giám sát", {"ngay": "10/03/2026"}),
    ("ban_quan", "Công trình, phần việc xanh - sạch - đẹp, an ninh, an toàn", {"ngay": "20/04/2026"}),
    ("commune", "Tập huấn, bồi dưỡng, học tập kinh nghiệm",
     {"ngay": "15/06/2026", "so_nguoi": "30", "so_nguoi_lan_dau": "25"}),
    ("commune", "Phản biện xã hội dự thảo văn bản", {"ngay": "20/07/2026"}),
    ("commune", "Giám sát", {"ngay": "10/08/2026"}),
    # the same households again at 2/9, and 3 first visited now: 12 + 3 = 15, Nà Pài's whole baseline
    ("na_pai", "Thăm hỏi, tặng quà hộ nghèo, cận nghèo",
     {"ngay": "01/09/2026", "so_ho_ngheo": "9", "so_ho_can_ngheo": "6", "so_ho_lan_dau": "3"}),
    ("na_pai", "Ngày hội Đại đoàn kết toàn dân tộc", {"ngay": "10/11/2026", "so_nguoi_tham_gia": "150"}),
    ("ban_quan", "Ngày hội Đại đoàn kết toàn dân tộc", {"ngay": "15/11/2026", "so_nguoi_tham_gia": "120"}),
]
# By hand, for the year (16/12/2025 - 15/12/2026): (text "value/target", DOCX "reached", XLSX year value)
BY_HAND = {
    "1.1.1": ("40%/100%", "2/5 khu dân cư (40%)", 40.0),  # Nà Pài, Bản Quân
    "1.1.2": ("20%/100%", "1/5 khu dân cư (20%)", 20.0),  # Nà Pài
    "1.1.3": ("20%/100%", "1/5 khu dân cư (20%)", 20.0),  # Bản Quân
    "1.1.7": ("30,7%/100%", "23/75 hộ (30,7%)", 30.67),  # (15 + 8) of 75; the 2/9 repeats add nothing
    "1.2.1": ("2/3", "2 hoạt động", 2.0),  # two supervisions led
    "1.3.1": ("1/3", "1 hoạt động", 1.0),
    "1.5.1": ("41,7%/95%", "25/60 người (41,7%)", 41.67),  # first-time trainees of 60 cadres
}


def plain(field) -> str:
    kind = field.kind.value
    return ("1" if kind in ("choice", "unit") else "có" if kind == "yesno" else
            str(max(field.min or 1, 1)) if kind == "number" else "Nội dung" if field.required else "bỏ qua")


async def file(user: ChatUser, app, label: str, answers: dict[str, str], *, staff: bool) -> None:
    form = next(f for f in app.plan.forms if f.label.vi == label)
    sent = await file_form(user.say, form, lambda field: answers.get(field.id) or plain(field),
                           unit="1" if staff else None)  # staff: the commune committee
    assert "Đã ghi báo cáo" in sent[0]


async def test_a_year_through_the_console_gives_the_same_numbers_everywhere(app, reporter, staff, chair, recorder,
                                                                            clock):
    clock.set(datetime(2026, 12, 12, 9, tzinfo=VN))
    ban_quan = ChatUser(app, recorder, "ban-quan", "Trưởng ban Bản Quân")
    await ban_quan.say(f"/start {await invite_code(app, 'reporter', 'Thôn Bản Quân (mẫu)')}")
    users = {"na_pai": reporter, "ban_quan": ban_quan, "commune": staff}
    for who, label, answers in YEAR:
        await file(users[who], app, label, answers, staff=who == "commune")

    before = len(recorder.sent)
    text = (await chair.say("/tonghop năm"))[0]
    lines = {line.split(" ", 2)[1].rstrip("."): line for line in text.splitlines() if line.startswith(("✅", "⚠️"))}
    for indicator, (figure, _docx, _xlsx) in BY_HAND.items():
        assert f": {figure} —" in lines[indicator], (indicator, lines[indicator])

    files = [reply.document for _chat, reply in recorder.sent[before:] if reply.document]
    async with app.db.transaction() as repos:
        docx_bytes, xlsx_bytes = [(await repos.files.get(f.file_id)).content for f in files]
    paragraphs = [p.text for p in Document(io.BytesIO(docx_bytes)).paragraphs]
    for indicator, (_text, reached, _xlsx) in BY_HAND.items():
        label = next(i.label.vi for i in app.plan.indicators if i.id == indicator)
        line = next(p for p in paragraphs if p.startswith(f"- {label}: năm 2026 đạt"))
        assert f"năm 2026 đạt {reached}," in line, (indicator, line)
    assert any("Theo đơn vị" in p and "Thôn Nà Pài (mẫu) 15/15" in p and "Thôn Bản Quân (mẫu) 8/15" in p
               for p in paragraphs)
    village_table = next(t for t in Document(io.BytesIO(docx_bytes)).tables if t.rows[0].cells[1].text == "Khu dân cư")
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in village_table.rows[1:]}
    assert rows["Thôn Nà Pài (mẫu)"][2:4] == ["10/11/2026", "05/02/2026"] and rows["Thôn Nà Pài (mẫu)"][-1] == "2/5"
    assert rows["Thôn Bản Quân (mẫu)"][-1] == "2/5" and rows["Thôn Khuổi Đeng (mẫu)"][-1] == "0/5"

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))["Chỉ tiêu"]
    year_values = {row[0].value: row[6].value for row in sheet.iter_rows(min_row=2)}
    for indicator, (_text, _docx, value) in BY_HAND.items():
        assert abs(year_values[indicator] - value) < 0.01, (indicator, year_values[indicator])
