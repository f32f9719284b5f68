"""Row I.1 asks for the Party committee's plan, the very plan the report cites (TimelineItem.is_reference).
One rule in the plan layer (plan.periods.deadlines: a row settled by the plan's existence has nothing due)
makes reminders, /lich and the DOCX agree: nobody is reminded of it, /lich does not list it, the DOCX shows it
done on the plan's date. II.3.1, due the same month with a form of its own, shows the ladder is running."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from docx import Document
from support.app import VN, ChatUser
from support.menus import every_page
from support.reminding import ticker_of

from core.i18n import Translator
from plan.periods import Period, cited_plan_date, deadlines
from summaries.compile import compile_summary
from summaries.docx import render_docx
from summaries.load import load_snapshot
from summaries.model import DocumentSettings

I_1 = "Ban hành Kế hoạch của Ban Thường vụ Đảng ủy"  # the row's text, as reminders and /lich would quote it
II_3_1 = "Lựa chọn nội dung, lĩnh vực, hình thức phản biện"


async def whole_agenda(user: ChatUser) -> str:
    """Every page of /lich (the last reply of each: a reminder's expired question may be closed first), turned
    with "0" as menus are — or, while a reminder's question is open (it keeps "0"), by "/lich 2"."""
    pages = [(await user.say("/lich"))[-1]]
    if "còn tiếp: gõ /lich" not in pages[0]:
        return "\n".join(await every_page(user.say, pages[0]))
    while "còn tiếp: gõ /lich" in pages[-1]:
        pages.append((await user.say(f"/lich {len(pages) + 1}"))[-1])
        assert len(pages) < 20
    return "\n".join(pages)


def test_the_cited_plan_row_has_nothing_due_and_is_done_on_the_plan_date(app):
    rows = {item.id: item for item in app.plan.timeline}
    assert rows["I.1"].is_reference and deadlines(rows["I.1"], 2026) == []
    assert [d.due for d in deadlines(rows["II.3.1"], 2026)] == [date(2026, 2, 28)]  # same due wording, not cited
    assert cited_plan_date(app.plan.reference) == date(2026, 3, 10)
    assert cited_plan_date("Kế hoạch số 65-KH/TU") is None and cited_plan_date("ngày 31/02/2026") is None


async def test_reminders_lich_and_the_docx_agree_on_row_i1(app, recorder, staff, chair, reporter, clock):
    clock.set(datetime(2026, 1, 30, 9, tzinfo=VN))
    for user in (staff, chair, reporter):
        await user.say("/trogiup")  # each has a private chat the reminders can reach
    before = len(recorder.sent)
    day = datetime(2026, 2, 1, 7, 30, tzinfo=VN)
    while day <= datetime(2026, 3, 12, 7, 30, tzinfo=VN):  # I.1's ladder (-14 … +3) and its digest
        clock.set(day)
        await ticker_of(app)(day)
        day += timedelta(days=1)
    await app.outbox.drain()
    sent = [text for chat in {chat for chat, _reply in recorder.sent[before:]} for text in recorder.texts_for(chat)]
    assert any(II_3_1 in text for text in sent)  # the February ladder ran…
    assert not any(I_1 in text for text in sent)  # …and never for the plan the report cites

    agenda = await whole_agenda(staff)
    assert "28/02/2026" in agenda and II_3_1[:30] in agenda and I_1[:30] not in agenda, agenda

    async with app.db.transaction() as repos:
        snapshot = await load_snapshot(repos, 1, 2026)
    period = Period.quarter(2026, 1, app.plan.settings.period_cutoff)
    summary = compile_summary(app.plan, snapshot, period, clock())
    row = next(r for r in summary.timeline if r.item_id == "I.1")
    assert (row.status, row.done_on, row.deadline) == ("done", date(2026, 3, 10), None)
    t = Translator(app.settings.locales_dir).for_language("vi")
    document = Document(io.BytesIO(render_docx(summary, app.plan, t, DocumentSettings())))
    paragraphs = [p.text for p in document.paragraphs]
    line = next(text for text in paragraphs if text.startswith("- " + I_1))
    assert "đã thực hiện (Kế hoạch số 65-KH/TU ngày 10/03/2026" in line and "chưa có báo cáo" not in line
