"""A simulated year of a 20-village commune against Zalo's free budget of 3,000 messages a month.

Everything goes through the real app on a fake clock: every ticker (reminders, quarter-end summaries,
petition notices) at every moment the reminder planner names; each village head answers every reminder
message — files the first item's report through the menu once a month, otherwise "nhắc lại sau"; the chair
asks /tonghop each month (text and three files); staff send two announcements a month to everyone.
Every message the bot sends counts (as Zalo would: a text over 2,000 characters is several messages).
The numbers are recorded in docs/benchmarks.md; the test fails when a month goes over the budget.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from support.app import VN, ChatUser, FakeClock, attach_recorder, make_app
from support.fuzz_states import PLAN, valid_answer
from support.reminding import ticker_of
from support.report_menu import NGAY_HOI

from bot.channels.text_menu import render_numbered
from reminders.planner import schedule
from reminders.tick import load_snapshot
from storage.models import Identity, Person, Unit

BUDGET = 3_000  # Zalo OA free messages a month
VILLAGES = 20
ZALO_TEXT = 2_000
START, END = datetime(2026, 1, 2, 8, 0, tzinfo=VN), datetime(2026, 12, 31, 20, 0, tzinfo=VN)


async def _commune(app, recorder) -> list[ChatUser]:
    """The demo commune grown to 20 villages, one front head each; everyone has written to the bot once."""
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        villages = [u for u in await repos.directory.units(commune.id) if u.kind == "village"]
        villages += [await repos.directory.add(Unit(commune_id=commune.id, name=f"Thôn {number}", kind="village"))
                     for number in range(len(villages) + 1, VILLAGES + 1)]
        for number, unit in enumerate(villages[1:], 2):  # the first, Nà Pài, has the demo head ("reporter")
            person = await repos.directory.add(Person(commune_id=commune.id, unit_id=unit.id, role="reporter",
                                                      name=f"Trưởng ban thôn {number}", created_at=app.clock()))
            await repos.directory.add(Identity(person_id=person.id, channel="console", external_id=f"v{number}"))
        heads = ["reporter", *(f"v{n}" for n in range(2, VILLAGES + 1))]
    users = [ChatUser(app, recorder, who) for who in heads]
    for user in [*users, ChatUser(app, recorder, "chair"), ChatUser(app, recorder, "staff")]:
        await user.say("/trogiup")
    return users


def _moments(app, snapshot, config) -> list[datetime]:
    """Every reminder slot, the chair's monthly summary and two announcements a month, in order."""
    slots = {s.slot for s in schedule(app.plan, snapshot, config) if START <= s.slot <= END}
    for month in range(1, 13):
        slots |= {datetime(2026, month, 5, 9, 0, tzinfo=VN), datetime(2026, month, 10, 14, 0, tzinfo=VN),
                  datetime(2026, month, 25, 14, 0, tzinfo=VN)}
    slots |= {START + timedelta(days=day, hours=2) for day in range(0, 364, 3)}  # odd hours: retries, notices
    return sorted(slots)


async def _answer(head: ChatUser, text: str, reported: set[tuple[str, int]], month: int) -> None:
    """A village head's answer: the first item's report once a month, otherwise "remind me later"."""
    if (head.external_id, month) in reported:
        await head.say("nhắc lại sau")
        return
    reported.add((head.external_id, month))
    opened = (await head.say("đã làm 1" if "việc):" in text else "1"))[0]
    if opened.startswith(("Báo cáo hoạt động gì?", "Báo cáo việc gì?")):  # the menu, one level or groups first
        opened = (await head.say(NGAY_HOI))[0]  # any report will do: the Ngày hội, by its name
    form = next(f for f in PLAN.forms if opened.startswith(f"(1/{len(f.fields)}) {f.fields[0].prompt.vi}"))
    for field in form.fields:
        answer, photo = valid_answer(field)
        await head.say(answer, photo=photo)
    await head.say("1")  # send


async def test_a_20_village_commune_stays_within_the_zalo_budget_every_month(sqlite_url):
    app = await make_app(sqlite_url, FakeClock(START))
    try:
        recorder = attach_recorder(app)
        heads = {user.target: user for user in await _commune(app, recorder)}
        chair, staff = ChatUser(app, recorder, "chair"), ChatUser(app, recorder, "staff")
        async with app.db.transaction() as repos:
            snapshot = (await load_snapshot(repos, app.plan, 1)).snapshot
        reported: set[tuple[str, int]] = set()
        kinds: Counter[tuple[int, str]] = Counter()
        for now in _moments(app, snapshot, ticker_of(app).config):
            app.clock.set(now)
            before = len(recorder.sent)
            if (now.day, now.hour) == (5, 9):
                await chair.say("/tonghop")
            elif now.day in (10, 25) and now.hour == 14:
                await staff.say("/thongbao")
                await staff.say(f"Họp giao ban tháng {now.month} lúc 8 giờ sáng thứ Hai tại hội trường xã.")
                await staff.say("6")  # everyone
                await staff.say("1")  # send
            await app.tick()
            await app.render_jobs.drain()
            await app.outbox.drain()
            reminders = [(chat, r) for chat, r in recorder.sent[before:] if "reminders" in r.meta]
            for chat, reply in reminders:
                if chat in heads:
                    await _answer(heads[chat], reply.text, reported, now.month)
            for _, reply in recorder.sent[before:]:
                kind = "reminder" if "reminders" in reply.meta else "bot reply"
                messages = 1 + (len(render_numbered(reply, app.translator.for_language("vi"))) - 1) // ZALO_TEXT
                kinds[(now.month, kind)] += messages
    finally:
        await app.close()
    months = {month: sum(n for (m, _), n in kinds.items() if m == month) for month in range(1, 13)}
    print("\nmonth  reminders  other  total")  # recorded in docs/benchmarks.md
    for month, total in months.items():
        print(f"{month:5}  {kinds[(month, 'reminder')]:9}  {kinds[(month, 'bot reply')]:5}  {total:5}")
    print(f"year   {sum(months.values())}  (budget {BUDGET}/month)")
    assert len(reported) >= VILLAGES * 4  # the heads really reported (each quarter), so replies are counted
    assert all(total <= BUDGET for total in months.values()), months
