"""/tonghop's XLSX written by a second render worker while the first writes the text, the DOCX and the chart
(summaries/parallel_files.py): the files still come, in order, and tell one state of the data even when a report
is committed between the two workers' readings."""

from __future__ import annotations

import io
import json
import logging
import sqlite3

import openpyxl
import pytest
from docx import Document
from support import bad_renders, two_readings
from support.app import ChatUser, attach_recorder, make_app
from support.report_menu import file_form

from summaries.parallel_files import SHEET_WORKER, TEXT_WORKER

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


@pytest.fixture
async def bot(sqlite_url, clock):
    app = await make_app(sqlite_url, clock, render_processes=2, render_timeout_seconds=120)
    yield app
    await app.close()


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


async def test_the_xlsx_comes_from_the_second_worker(bot):
    recorder = attach_recorder(bot)
    text, names, _ = await tonghop(bot, recorder)
    assert text.startswith("📊 Tổng hợp quý IV năm 2026") and names == FILES
    workers = {await bot.render_jobs.pool.run_on(slot, bad_renders.pid) for slot in (TEXT_WORKER, SHEET_WORKER)}
    assert len(workers) == 2  # two processes, each reached by its own calls


@pytest.mark.parametrize("edit", [False, True], ids=["a-new-report", "an-edit"])
async def test_a_report_committed_between_the_readings_is_in_neither_file_or_in_both(bot, sqlite_url, caplog, edit):
    """A new report is left out of the second worker's reading; an edit cannot be undone there, so the first
    worker writes the XLSX itself. Either way the DOCX and the XLSX tell the same state, that of the text."""
    recorder = attach_recorder(bot)
    await file_a_report(bot, recorder)
    path = two_readings.database_path(sqlite_url)
    with sqlite3.connect(path) as connection:
        template, answers = connection.execute(
            "SELECT id, answers FROM report WHERE deleted_at IS NULL ORDER BY activity_date DESC, id DESC").fetchone()
    connection.close()
    renamed = {key: TITLE if isinstance(value, str) else value for key, value in json.loads(answers).items()}
    path.with_suffix(".new").write_text(json.dumps({"template": template, "answers": renamed, "edit": edit}))
    parallel = bot.render_jobs.parallel
    parallel.text_read_fn, parallel.sheet_read_fn = two_readings.read_then_say_read, two_readings.read_after_a_commit
    with caplog.at_level(logging.INFO, logger="summaries.parallel_files"):
        _, names, files = await tonghop(bot, recorder)
    assert names == FILES
    assert ("written again" in caplog.text) == edit  # a new report is simply left out
    assert [TITLE in text for text in files] == [False, False]  # both files tell the text's reading
    parallel.text_read_fn = parallel.sheet_read_fn = two_readings.read_in_worker
    _, _, files = await tonghop(bot, recorder)  # asked again: what was committed is in both
    assert [TITLE in text for text in files] == [True, True]


async def test_a_second_worker_that_crashes_is_retried_like_the_first(bot, clock):
    """The XLSX's worker dies: the job is retried (the text went out once), and the next attempt has its files."""
    recorder = attach_recorder(bot)
    bot.render_jobs.parallel.sheet_read_fn = bad_renders.crash
    chair = ChatUser(bot, recorder, "chair", "Chủ tịch")
    await chair.say("/tonghop")
    assert [ref for _, reply in recorder.sent for ref in (reply.document, reply.photo) if ref] == []
    bot.render_jobs.parallel.sheet_read_fn = two_readings.read_in_worker
    clock.advance(minutes=1)  # the first retry, in a fresh worker
    await bot.tick()
    await bot.render_jobs.drain()
    await bot.outbox.drain()
    summaries = [text for text in recorder.texts_for("chair") if text.startswith("📊 Tổng hợp quý IV năm 2026")]
    assert len(summaries) == 1  # the text once, though its job ran twice
    assert [ref.name for _, reply in recorder.sent for ref in (reply.document, reply.photo) if ref] == FILES
