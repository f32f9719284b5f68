"""A /tonghop asked through the chat with a report filed before it, for the render workers' tests
(tests/summaries/test_parallel_files.py, test_render_warm.py)."""

from __future__ import annotations

import io

import openpyxl
from docx import Document

from support.app import ChatUser
from support.report_menu import file_form

FILES = ["bao-cao-2026-Q4-nam-cuong.docx", "bao-cao-2026-Q4-nam-cuong.xlsx", "bao-cao-2026-Q4-nam-cuong.png"]
TITLE = "Hoạt động ghi giữa hai lần đọc"  # only the report committed between the readings carries it
FORM = "Mô hình tự quản cộng đồng"


async def file_a_report(bot, recorder) -> None:
    """The village reporter files one activity of Quý IV through the chat (the template of the one committed)."""
    form = next(f for f in bot.plan.forms if f.label.vi == FORM)

    def answer(field) -> str:
        kind = field.kind.value
        return ("20/11/2026" if field.id == form.date_field else "1" if kind == "choice" else "có"
                if kind == "yesno" else str(max(field.min or 1, 1)) if kind == "number"
                else "Tổ tự quản số 1" if field.required else "bỏ qua")
    assert "Đã ghi báo cáo" in (await file_form(ChatUser(bot, recorder, "reporter", "Trưởng ban").say, form,
                                                answer))[0]


async def tonghop(bot, recorder) -> tuple[str, list[str], list[str]]:
    """/tonghop: its text, the names of the files sent, and the DOCX's and the XLSX's texts joined."""
    before = len(recorder.sent)
    text = (await ChatUser(bot, recorder, "chair", "Chủ tịch").say("/tonghop"))[0]
    sent = [reply for chat, reply in recorder.sent[before:] if chat == "chair"]
    names = [ref.name for reply in sent for ref in (reply.document, reply.photo) if ref is not None]
    async with bot.db.transaction() as repos:
        docx, xlsx = [(await repos.files.get(r.document.file_id)).content for r in sent if r.document]
    document = Document(io.BytesIO(docx))
    docx_text = "\n".join([p.text for p in document.paragraphs]
                          + [c.text for t in document.tables for r in t.rows for c in r.cells])
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    xlsx_text = "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    return text, names, [docx_text, xlsx_text]
