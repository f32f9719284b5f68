"""Issue 21's bad input: a unit holding 20,000 reports of the quarter, some with 10,000-character texts. /tonghop
through the chat still gives its text and its three files, every report counted, no text cut short, and the
village head who writes meanwhile gets her answer."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import insert
from support.app import ChatUser, attach_recorder, make_app
from support.dashboard_data import answers_for
from support.tonghop_chat import FILES

from plan.schema import FieldKind
from storage.models import Report

REPORTS, HUGE = 20_000, "Đ" * 10_000
FORM = "Mô hình tự quản cộng đồng"


@pytest.fixture
async def bot(sqlite_url, clock):
    app = await make_app(sqlite_url, clock, render_processes=2, render_timeout_seconds=120)
    yield app
    await app.close()


async def fill_one_village(bot) -> None:
    """20,000 reports of Quý IV in the first village, every 1,000th with a 10,000-character text in each text
    field; loaded as a migration or an import would be, before anyone read them (stamp 0)."""
    form = next(f for f in bot.plan.forms if f.label.vi == FORM)
    texts = [f.id for f in form.fields if f.kind is FieldKind.TEXT]
    rng = random.Random(21)
    async with bot.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        village = next(u for u in await repos.directory.units(commune.id) if u.kind == "village")
        chair = next(p for p in await repos.directory.people(commune.id) if p.role == "chair")
        rows = []
        for n in range(REPORTS):
            day = date(2026, 10, 1) + timedelta(days=n % 50)
            answers = answers_for(form, day, rng, unit_id=village.id)
            if n % 1000 == 0:
                answers.update(dict.fromkeys(texts, HUGE))
            rows.append({"commune_id": commune.id, "unit_id": village.id, "person_id": chair.id,
                         "form_id": form.id, "activity_date": day, "created_at": bot.clock(), "answers": answers,
                         "change_seq": 0})
        await repos.session.execute(insert(Report), rows)


async def test_a_village_of_20000_reports_with_huge_texts_gets_its_summary_and_files(bot):
    recorder = attach_recorder(bot)
    await fill_one_village(bot)
    chair, reporter = ChatUser(bot, recorder, "chair", "Chủ tịch"), ChatUser(bot, recorder, "reporter", "Trưởng ban")
    text = (await chair.say("/tonghop"))[0]
    assert text.startswith("📊 Tổng hợp quý IV năm 2026") and "Số báo cáo trong kỳ: 20.000." in text
    assert (await reporter.say("/cuatoi"))  # meanwhile a village head is answered
    sent = [reply for chat, reply in recorder.sent if chat == "chair"]
    assert [ref.name for reply in sent for ref in (reply.document, reply.photo) if ref is not None] == FILES
    async with bot.db.transaction() as repos:
        xlsx = [(await repos.files.get(r.document.file_id)).content for r in sent if r.document][1]
    book = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True)
    rows = list(book.worksheets[-1].iter_rows(min_row=2, values_only=True))
    assert len(rows) >= REPORTS
    assert sum(HUGE in (cell or "") for row in rows for cell in row if isinstance(cell, str)) >= REPORTS // 1000
