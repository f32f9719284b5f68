"""The real tick through the app: a simulated year, two ticks at once, and a crash half-way."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from support.app import VN, ChatUser, FakeClock, attach_recorder, make_app

from bot.channels.text_menu import render_numbered
from reminders.planner import schedule
from reminders.tick import ReminderTicker, load_snapshot
from storage.db import Database
from storage.models import Chat, Identity, Person, Report

START, END = datetime(2026, 1, 1, 0, 0, tzinfo=VN), datetime(2026, 12, 31, 23, 59, tzinfo=VN)


def at(day: str, hm: str = "07:30") -> datetime:
    return datetime.fromisoformat(f"{day}T{hm}").replace(tzinfo=VN)


async def _people(app, recorder) -> dict[str, int]:
    """Two more reporters, a registered group; everyone greets the bot once so their chats are known."""
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        units = {u.name: u for u in await repos.directory.units(commune.id)}
        for console_id, unit in (("banquan", "Thôn Bản Quân (mẫu)"), ("nongdan", "Hội Nông dân xã (mẫu)")):
            person = await repos.directory.add(Person(commune_id=commune.id, unit_id=units[unit].id,
                                                      name=f"Người {console_id}", role="reporter",
                                                      created_at=app.clock()))
            await repos.directory.add(Identity(person_id=person.id, channel="console", external_id=console_id))
        await repos.directory.add(Chat(channel="console", external_id="group-xa", kind="group",
                                       commune_id=commune.id, title="Nhóm xã", registered=True))
    for who in ("reporter", "chair", "banquan", "nongdan"):  # staff never wrote: unreachable, recorded as such
        await ChatUser(app, recorder, who).say("/trogiup")
    recorder.sent.clear()
    return {name: unit.id for name, unit in units.items()} | {"commune": commune.id}


async def _report(app, unit_id: int, form_id: str, day: date) -> None:
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        person = (await repos.directory.people(commune.id))[0]
        await repos.reports.add(Report(commune_id=commune.id, unit_id=unit_id, person_id=person.id,
                                       form_id=form_id, activity_date=day, answers={}, created_at=app.clock()))


def _noise() -> list[datetime]:
    """Ticks at odd hours (nights, Sundays, holidays) besides the planner's own moments."""
    hours = (1, 6, 13, 19, 22)
    return [START + timedelta(days=d, hours=hours[d % 5], minutes=17) for d in range(0, 365, 4)]


async def _simulate_year(app, recorder, ticker, reports) -> list[tuple[datetime, str, object]]:
    """Tick at every moment the planner names (slots do not depend on reports), at odd hours, and at reports."""
    async with app.db.transaction() as repos:
        snapshot = (await load_snapshot(repos, app.plan, 1)).snapshot
    steps = schedule(app.plan, snapshot, ticker.config)
    sent = []
    for now in sorted({*(s.slot for s in steps if s.slot <= END), *_noise(), *reports}):
        app.clock.set(now)
        for unit_id, form_id in reports.get(now, ()):
            await _report(app, unit_id, form_id, now.date())
        await ticker(now)
        before = len(recorder.sent)
        await app.outbox.drain()
        sent += [(now, chat, reply) for chat, reply in recorder.sent[before:]]
    return sent


NA_PAI_EXPECTED = [  # Thôn Nà Pài reports a self-management model on 10/05, nothing else all year
    # one quarterly deadline per quarter (the plan's cut-off, 15th of the quarter's last month), no I.6 ladder
    ("2026-03-09", "quarter|2026-Q1|p4|-7"),  # cut-off 15/03 − 7 = Sunday 08/03 → Monday
    ("2026-09-08", "quarter|2026-Q3|p4|-7"), ("2026-09-08", "indicator:1.1.1|2026-Q3|p4|-7"),
    ("2026-09-08", "indicator:1.1.3|2026-Q3|p4|-7"), ("2026-09-08", "indicator:1.1.4|2026-Q3|p4|-7"),
    ("2026-09-08", "indicator:1.4.4|2026-Q3|p4|-7"),  # no feedback to the Party cell yet
    # Ngày hội: the season ends on 18/11 (Ngày truyền thống MTTQ), so the ladder counts down to it
    ("2026-11-04", "item:II.1.1|2026-Q4|p4|-14"), ("2026-11-11", "item:II.1.1|2026-Q4|p4|-7"),
    ("2026-11-16", "item:II.1.1|2026-Q4|p4|-2"), ("2026-11-18", "item:II.1.1|2026-Q4|p4|+0"),
    ("2026-11-21", "item:II.1.1|2026-Q4|p4|+3"),
    ("2026-12-08", "quarter|2026-Q4|p4|-7"), ("2026-12-08", "indicator:1.1.1|2026-Q4|p4|-7"),
    ("2026-12-08", "indicator:1.1.3|2026-Q4|p4|-7"), ("2026-12-08", "indicator:1.1.4|2026-Q4|p4|-7"),
    ("2026-12-08", "indicator:1.4.4|2026-Q4|p4|-7"),
]
# I.1 is not among them: it is the plan in use (is_reference), nothing is due for it
MISSED_DEADLINES = {"II.2.1|2026-01", "II.3.1|2026-02", "I.2|2026-Q1", "I.3|2026-Q1",
                    "I.6|2026-Q1", "I.6|2026-Q2", "I.4|2026-Q3", "I.6|2026-Q3",
                    "I.6|2026-Q4", "II.1.1|2026-Q4"}  # the Q4 report (15/12) and Ngày hội (18/11) digests are
# in 2026 now; later ones fall in 2027


async def test_a_simulated_year_sends_each_reminder_once_in_sending_hours(sqlite_url):
    app = await make_app(sqlite_url, FakeClock(START))
    try:
        recorder = attach_recorder(app)
        units = await _people(app, recorder)
        ban_quan = units["Thôn Bản Quân (mẫu)"]
        reports = {at("2026-05-10", "10:00"): [(units["Thôn Nà Pài (mẫu)"], "mo_hinh_tu_quan")],
                   at("2026-07-10", "09:00"): [(units["Ủy ban MTTQ Việt Nam xã"], "tiep_xuc_cu_tri")],
                   **{at(day, "08:00"): [(ban_quan, "tuyen_truyen")]
                      for day in ("2026-02-02", "2026-05-04", "2026-08-03", "2026-11-02")}}
        await ChatUser(app, recorder, "chair").say("/kyhop 15/07/2026")
        recorder.sent.clear()
        ticker = next(t for t in app.tickers if isinstance(t, ReminderTicker))
        sent = await _simulate_year(app, recorder, ticker, reports)
    finally:
        await app.close()
    calendar = ticker.config.calendar
    keyed = [(when, chat, key) for when, chat, reply in sent for key in reply.meta["reminders"]]
    assert all(calendar.allows(when) for when, _, _ in keyed), "sent at night, on a holiday or a Sunday"
    counts = Counter((chat, key) for _, chat, key in keyed)
    assert max(counts.values()) == 1, [k for k, n in counts.items() if n > 1][:5]
    per_day = Counter((chat, when.date()) for when, chat, _ in sent)
    assert max(per_day.values()) == 1, [k for k, n in per_day.items() if n > 1][:5]  # one message a day at most
    na_pai = sorted((when.date().isoformat(), key) for when, chat, key in keyed if chat == "reporter")
    assert na_pai == sorted(NA_PAI_EXPECTED)
    assert len([r for _, chat, r in sent if chat == "reporter"]) == len({day for day, _ in NA_PAI_EXPECTED})
    assert not [key for _, chat, key in keyed if chat == "banquan" and ("I.6" in key or "quarter" in key)]
    chair_digests = [k for _, chat, k in keyed if chat == "chair" and k.startswith("digest:")]
    group_digests = [k for _, chat, k in keyed if chat == "group-xa"]
    assert len(chair_digests) == len(group_digests) == len(MISSED_DEADLINES)
    assert not [k for _, c, k in keyed if "II.4.1" in k and c == "chair"][2:], "II.4.1 stops once reported"
    singles = [r for _, _, r in sent if len(r.meta["reminders"]) == 1]
    assert all(len(render_numbered(r, lambda *a, **k: "Gõ số 1 hoặc 2.")) < 300 for r in singles)
    bundles = [r.text for _, _, r in sent if len(r.meta["reminders"]) > 1]
    assert bundles and all(len(text) < 2000 for text in bundles), max(bundles, key=len)  # Zalo: 2000 characters
    assert max(len(line) for text in bundles for line in text.splitlines()) <= 170
    assert len(keyed) > 100 and len(sent) < len(keyed)  # one quarterly deadline: no I.6 ladder


async def test_two_ticks_at_once_send_each_occurrence_once(database_url):
    clock = FakeClock(at("2026-03-31"))
    app = await make_app(database_url, clock)
    second = Database(database_url)  # another process on the same database
    try:
        recorder = attach_recorder(app)
        await _people(app, recorder)
        config = app.reminder_config
        one = ReminderTicker(app.db, app.plan, app.translator, config)
        two = ReminderTicker(second, app.plan, app.translator, config)
        first, other = await asyncio.gather(one(clock()), two(clock()))
        await app.outbox.drain()
    finally:
        await second.dispose()
        await app.close()
    assert len(first.keys) + len(other.keys) == len(set(first.keys) | set(other.keys)) > 10
    assert first.taken + other.taken > 0 or not (first.keys and other.keys)  # they really raced, or one was first
    delivered = Counter((chat, key) for chat, reply in recorder.sent for key in reply.meta["reminders"])
    assert max(delivered.values()) == 1 and len(recorder.sent) == first.messages + other.messages


class Crash(Exception):
    pass


async def test_a_crash_half_way_then_a_rerun_sends_everything_exactly_once(database_url):
    clock = FakeClock(at("2026-03-31"))
    app = await make_app(database_url, clock)
    try:
        recorder = attach_recorder(app)
        await _people(app, recorder)
        config = app.reminder_config
        seen = []

        messages = []

        def crash_at_the_second(occurrences) -> None:  # called once per message, after its commit
            seen.extend(o.key for o in occurrences)
            messages.append(occurrences)
            if len(messages) == 2:  # fewer messages fall due on 31/03 since the I.6 ladder went
                raise Crash

        with pytest.raises(Crash):
            await ReminderTicker(app.db, app.plan, app.translator, config, on_claimed=crash_at_the_second)(clock())
        before = await _sent_keys(app)
        rerun = await ReminderTicker(app.db, app.plan, app.translator, config)(clock())
        again = await ReminderTicker(app.db, app.plan, app.translator, config)(clock())
        await app.outbox.drain()
        after = await _sent_keys(app)
    finally:
        await app.close()
    assert before == set(seen) and rerun.keys and not before & set(rerun.keys)
    assert after == before | set(rerun.keys)
    assert again.sent == again.skipped == again.unreachable == 0
    delivered = Counter((chat, key) for chat, reply in recorder.sent for key in reply.meta["reminders"])
    assert max(delivered.values()) == 1
    assert {key for _, key in delivered} == {k for k in after if "|p3|" not in k}  # p3 (staff) has no chat


async def _sent_keys(app) -> set[str]:
    async with app.db.transaction() as repos:
        return {r.key for r in await repos.reminders.occurrences(1)
                if r.status != "skipped" and not r.key.startswith("day|")}


async def test_preview_prints_the_year_and_writes_nothing(app, capsys):
    from bot.remind_cli import print_preview

    assert await print_preview(app, date(2026, 1, 1), date(2026, 12, 31), with_text=True) == 0
    out = capsys.readouterr().out
    assert "09/03/2026 07:30  quarter|2026-Q1|p4|-7  → Trưởng ban" in out
    assert "Quá hạn 31/03/2026 (quý I năm 2026)" in out and "(nothing was sent)" in out
    async with app.db.transaction() as repos:
        assert await repos.reminders.occurrences(1) == [] and await repos.outbox.counts() == {}
