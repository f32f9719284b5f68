"""One reminder message per person per moment, answered by number; never over a report in progress; one a day."""

from __future__ import annotations

from datetime import datetime

import pytest
from support.app import VN
from support.fuzz_states import PLAN, valid_answer
from support.reminding import remind, ticker_of
from support.report_menu import open_form

# Tuesday 8 September 2026, 07:30: the demo village head has six items due (Q3 report and five targets).
MOMENT = datetime(2026, 9, 8, 7, 30, tzinfo=VN)
SIX = ["indicator:1.1.1|2026-Q3|p4", "indicator:1.1.2|2026-Q3|p4", "indicator:1.1.3|2026-Q3|p4",
       "indicator:1.1.4|2026-Q3|p4", "indicator:1.4.4|2026-Q3|p4", "quarter|2026-Q3|p4"]


@pytest.fixture
async def head(app, reporter, clock):
    """The demo village head, whose chat the bot knows (he wrote once in March)."""
    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=VN))
    await reporter.say("/trogiup")
    return reporter


async def _ledger(app) -> dict[str, str]:
    async with app.db.transaction() as repos:
        return {row.key: row.status for row in await repos.reminders.occurrences(1)}


async def test_six_items_at_one_moment_go_out_as_one_numbered_message(app, recorder, head):
    texts = await remind(app, recorder, head, MOMENT)
    assert len(texts) == 1, texts
    lines = texts[0].splitlines()
    assert lines[0] == "Nhắc việc ngày 08/09/2026 (6 việc):"
    assert [line.split(".")[0] for line in lines[1:7]] == ["1", "2", "3", "4", "5", "6"]
    assert "“đã làm 2”" in lines[-1] and "“xong hết”" in lines[-1]
    ledger = await _ledger(app)
    assert {key.rsplit("|", 1)[0] for key, status in ledger.items() if status == "sent"} >= set(SIX)
    assert ledger["day|p4|2026-09-08"] == "sent"
    assert await remind(app, recorder, head, MOMENT.replace(hour=9)) == []  # nothing twice


async def test_done_by_number_opens_that_form_and_the_rest_come_back_after_the_report(app, recorder, head):
    await remind(app, recorder, head, MOMENT)
    form = PLAN.form("mo_hinh_tu_quan")  # item 2: the self-management target
    assert (await head.say("đã làm 2"))[0].startswith(f"(1/{len(form.fields)})")
    for field in form.fields:
        text, photo = valid_answer(field)
        await head.say(text, photo=photo)
    saved = (await head.say("1"))[0]
    assert "Đã ghi báo cáo" in saved and "Còn 5 việc đã nhắc:" in saved
    assert "2. " + "Chỉ tiêu “Mỗi khu dân cư có ít nhất một công trình" in saved  # renumbered: old 3 is now 2
    assert "Đã ghi kỳ họp" not in saved
    answer = await head.say("nhắc lại sau 5")  # the quarterly report, now fifth
    assert answer == ["Vâng, bot sẽ nhắc lại việc 5 vào ngày 11/09/2026."]
    async with app.db.transaction() as repos:
        assert set(await repos.reminders.snoozes(1)) == {"quarter|2026-Q3|p4"}
    assert (await head.say("đã làm 1"))[0].startswith("(1/7) Ngày tổ chức?")  # Ngày hội, first of the rest


async def test_later_by_numbers_snoozes_only_the_items_named(app, recorder, head):
    await remind(app, recorder, head, MOMENT)
    assert await head.say("nhac lai sau 1, 3") == ["Vâng, bot sẽ nhắc lại việc 1, 3 vào ngày 11/09/2026."]
    async with app.db.transaction() as repos:
        assert set(await repos.reminders.snoozes(1)) == {SIX[0], SIX[2]}
    assert await head.say("nhắc lại sau") == ["Vâng, bot sẽ nhắc lại vào ngày 11/09/2026."]  # the rest: all
    async with app.db.transaction() as repos:
        assert set(await repos.reminders.snoozes(1)) == set(SIX)


@pytest.mark.parametrize(("typed", "opens"), [("xong hết", "(1/7) Ngày tổ chức?"), ("xong het", "(1/7)"),
                                               ("4", "(1/"), ("đã làm 6", "Báo cáo việc gì?")])
async def test_all_done_or_a_bare_number_opens_a_report(app, recorder, head, typed, opens):
    await remind(app, recorder, head, MOMENT)
    assert (await head.say(typed))[0].startswith(opens)


@pytest.mark.parametrize("typed", ["đã làm", "đã làm 7", "nhắc lại sau 0", "1 2 3", "không hiểu"])
async def test_an_unclear_answer_to_a_list_gets_the_list_again(app, recorder, head, typed):
    await remind(app, recorder, head, MOMENT)
    answer = await head.say(typed)
    assert answer and ("đã làm 1" in answer[-1] or "“đã làm 2”" in answer[-1]), answer
    assert (await head.say("đã làm 1"))[0].startswith("(1/7)")  # still answerable


async def test_a_reminder_waits_for_a_report_in_progress(app, recorder, head):
    app.clock.set(MOMENT.replace(hour=7, minute=10))
    await open_form(head.say)  # Ngày hội: the date question is asked
    assert await remind(app, recorder, head, MOMENT) == []
    assert await remind(app, recorder, head, MOMENT.replace(minute=45)) == []  # still in the report
    assert (await head.say("hôm qua"))[0].startswith("(2/7)")  # the form was not interrupted
    await head.say("/huy")
    texts = await remind(app, recorder, head, MOMENT.replace(hour=8))
    assert len(texts) == 1 and "(6 việc)" in texts[0]
    assert (await head.say("đã làm 2"))[0].startswith("(1/")


async def test_a_second_moment_the_same_day_is_folded_into_the_next_morning(app, recorder, head):
    await remind(app, recorder, head, MOMENT)
    async with app.db.transaction() as repos:  # a snooze of the Q3 quarterly reminder ending at 10:00 the same day
        await repos.reminders.snooze("quarter|2026-Q3|p4", commune_id=1, until=MOMENT.replace(hour=10, minute=0),
                                     now=MOMENT)
    assert await remind(app, recorder, head, MOMENT.replace(hour=10, minute=1)) == []
    ledger = await _ledger(app)
    assert ledger.get("quarter|2026-Q3|p4|snooze202609081000") == "pending", ledger
    texts = await remind(app, recorder, head, datetime(2026, 9, 9, 7, 30, tzinfo=VN))
    assert len(texts) == 1 and "15/09/2026" in texts[0], texts
    assert (await _ledger(app))["quarter|2026-Q3|p4|snooze202609081000"] == "sent"


async def test_a_waiting_reminder_reported_meanwhile_is_dropped(app, recorder, head):
    app.clock.set(MOMENT.replace(hour=7, minute=10))
    await open_form(head.say)  # a Ngày hội report, under way when the six items fall due
    assert await remind(app, recorder, head, MOMENT) == []
    async with app.db.transaction() as repos:
        assert {key.rsplit("|", 1)[0] for key in await repos.reminders.pending(1)} == set(SIX)
    for field in PLAN.form("ngay_hoi").fields:
        text, photo = valid_answer(field)
        await head.say(text, photo=photo)
    assert "Đã ghi báo cáo" in (await head.say("1"))[0]
    app.clock.set(MOMENT.replace(minute=45))
    summary = await ticker_of(app)(app.clock())
    await app.outbox.drain()
    assert (summary.dropped, summary.sent, summary.messages) == (2, 4, 1)  # the Ngày hội target and the Q3 report
    assert "(4 việc)" in recorder.texts_for(head.target)[-1]
