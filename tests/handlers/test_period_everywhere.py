"""The period boundary through the chat (issue 15 tests and bad input): with the shipped cut-off (15th), an
activity dated 16/03 is Quý II everywhere — reminders, /lich, /tonghop's text, the DOCX and the XLSX the bot
sends — and a report edited from one period into another (its date changed in /cuatoi) moves with it."""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
from docx import Document
from support.app import VN, ChatUser
from support.menus import every_page
from support.reminding import remind
from support.report_menu import file_form

from reminders.rules import item_unit_kinds

FORM = "Mô hình tự quản cộng đồng"
TITLE = "Tổ tự quản khu dân cư số 3"  # what the reporter names the activity


async def file(user: ChatUser, app, day: str) -> str:
    form = next(f for f in app.plan.forms if f.label.vi == FORM)

    def answer(field) -> str:
        kind = field.kind.value
        return (day if field.id == form.date_field else "1" if kind == "choice" else "có" if kind == "yesno"
                else str(max(field.min or 1, 1)) if kind == "number" else TITLE if field.required else "bỏ qua")
    return (await file_form(user.say, form, answer))[0]


async def tonghop(app, chair: ChatUser, recorder, period: str) -> tuple[str, list[str], list[list]]:
    """/tonghop <period>: the text, the DOCX's paragraphs and table cells, the XLSX's rows of every sheet."""
    before = len(recorder.sent)
    text = (await chair.say(f"/tonghop {period}"))[0]
    files = [reply.document for _chat, reply in recorder.sent[before:] if reply.document]
    async with app.db.transaction() as repos:
        docx_bytes, xlsx_bytes = [(await repos.files.get(f.file_id)).content for f in files]
    document = Document(io.BytesIO(docx_bytes))
    docx_text = [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows
                                                         for c in r.cells]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes))
    rows = [[c for c in row if c is not None] for sheet in book for row in sheet.iter_rows(values_only=True)]
    return text, docx_text, rows


def mentions(outputs: tuple[str, list[str], list[list]]) -> tuple[bool, bool]:
    """Whether the DOCX and the XLSX describe the activity (by its name, which only the activity carries)."""
    _text, docx_text, rows = outputs
    return any(TITLE in text for text in docx_text), any(TITLE in str(cell) for row in rows for cell in row)


async def whole_agenda(user: ChatUser) -> list[str]:
    pages = await every_page(user.say, (await user.say("/lich"))[-1])
    return [line for page in pages for line in page.splitlines() if line.startswith("•")]


async def i6_units(app) -> int:
    """How many units the quarterly report (I.6) concerns: the chair's digest counts the silent ones."""
    i6 = next(item for item in app.plan.timeline if item.id == "I.6")
    kinds = item_unit_kinds(app.plan, i6)
    async with app.db.transaction() as repos:
        return sum(unit.kind in kinds for unit in await repos.directory.units(1))


def silent_units(text: str) -> str:
    return next(line for line in text.splitlines() if line.startswith("Chưa báo cáo:"))


async def test_an_activity_on_the_16th_is_in_the_next_quarter_everywhere(app, reporter, chair, recorder, clock):
    clock.set(datetime(2026, 3, 2, 9, tzinfo=VN))
    await reporter.say("/trogiup")  # a private chat the reminders can reach
    first = await remind(app, recorder, reporter, datetime(2026, 3, 9, 7, 30, tzinfo=VN))  # Q1's cut-off is 15/03
    assert any("quý I năm 2026" in text for text in first), first
    clock.set(datetime(2026, 3, 17, 9, tzinfo=VN))
    await chair.say("/trogiup")
    assert "Đã ghi báo cáo" in await file(reporter, app, "16/03/2026")

    # reminders: the chair's digest after Q1's cut-off still counts Nà Pài among the silent (16/03 is Quý II)
    digest = await remind(app, recorder, chair, datetime(2026, 3, 19, 7, 30, tzinfo=VN))
    assert len(digest) == 1 and f"Còn {await i6_units(app)} đơn vị chưa báo cáo" in digest[0], digest
    q1_line = next(line for line in await whole_agenda(reporter) if line.startswith("• 15/03/2026"))
    assert "quý I năm 2026" in q1_line and q1_line.endswith("chưa báo cáo"), q1_line

    q1, q2 = await tonghop(app, chair, recorder, "quý 1"), await tonghop(app, chair, recorder, "quý 2")
    assert "Chưa có báo cáo nào trong kỳ này." in q1[0] and "Thôn Nà Pài (mẫu)" in silent_units(q1[0])
    assert "Số báo cáo trong kỳ: 1." in q2[0] and "Thôn Nà Pài (mẫu)" not in silent_units(q2[0])
    assert mentions(q1) == (False, False) and mentions(q2) == (True, True)

    clock.set(datetime(2026, 5, 20, 9, tzinfo=VN))
    q2_line = next(line for line in await whole_agenda(reporter) if line.startswith("• 15/06/2026"))
    assert "quý II năm 2026" in q2_line and q2_line.endswith("— đã báo cáo"), q2_line
    assert not any("quý II" in text for text in await remind(app, recorder, reporter,
                                                              datetime(2026, 6, 8, 7, 30, tzinfo=VN)))


async def test_a_report_edited_into_another_period_counts_there_only(app, reporter, chair, recorder, clock):
    clock.set(datetime(2026, 3, 20, 9, tzinfo=VN))
    await file(reporter, app, "16/03/2026")
    for typed in ("/cuatoi", "1", "Sửa", "Ngày"):
        await reporter.say(typed)
    assert (await reporter.say("10/03/2026"))[0] == "Đã lưu thay đổi."
    q1, q2 = await tonghop(app, chair, recorder, "quý 1"), await tonghop(app, chair, recorder, "quý 2")
    assert "Số báo cáo trong kỳ: 1." in q1[0] and "Thôn Nà Pài (mẫu)" not in silent_units(q1[0])
    assert "Chưa có báo cáo nào trong kỳ này." in q2[0]
    assert mentions(q1) == (True, True) and mentions(q2) == (False, False)
    assert "chưa có báo cáo nào" in (await reporter.say("/cuatoi"))[0]  # not in Quý II's list any more
