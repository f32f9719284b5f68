"""Zalo's monthly budget: replies first, then reminders, then broadcasts; admins warned once; 429 pauses."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import event
from support.app import VN, FakeClock, make_app
from support.fake_zalo import FakeZalo

from bot.channels.base import TemporarySendError
from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.quota import ZaloQuota, month_of, seconds_until_next_month
from bot.channels.zalo.sender import ZaloSender
from bot.cli import main
from core.messages import HELD_FOR_QUOTA, PRIORITY_BROADCAST, PRIORITY_REMINDER, PRIORITY_REPLY, Reply
from storage.usage import Usage

ACCOUNT = "1234567890"


@pytest.mark.parametrize(("now", "month", "seconds"), [
    (datetime(2026, 11, 30, 23, 0, tzinfo=VN), "2026-11", 3600),
    (datetime(2026, 12, 31, 16, 59, tzinfo=VN), "2026-12", 7 * 3600 + 60),
    (datetime(2026, 11, 30, 17, 30, tzinfo=VN).astimezone(VN), "2026-11", 6.5 * 3600),
])
def test_months_are_business_time(now, month, seconds):
    assert month_of(now, VN) == month and seconds_until_next_month(now, VN) == seconds


async def test_usage_counts_and_pauses_on_every_backend(database_url):
    app = await make_app(database_url, FakeClock(datetime(2026, 11, 25, 9, tzinfo=VN)), demo=False)
    async with app.db.transaction() as repos:
        assert await repos.usage.add("zalo", ACCOUNT, "2026-11", 3) == 3
        assert await repos.usage.add("zalo", ACCOUNT, "2026-11", 2) == 5
        await repos.usage.pause("zalo", ACCOUNT, "2026-11", 3000)
    async with app.db.transaction() as repos:
        assert await repos.usage.get("zalo", ACCOUNT, "2026-11") == Usage(5, 3000)
        assert await repos.usage.get("zalo", ACCOUNT, "2026-12") == Usage()
    await app.close()


@pytest.fixture
async def setup(sqlite_url, clock):
    fake = await FakeZalo().start()
    app = await make_app(sqlite_url, clock)
    async with app.db.transaction() as repos:
        admin = next(p for p in await repos.directory.people(1) if p.role == "admin")
        await repos.chats.remember("console", "admin", "private", person_id=admin.id, commune_id=1)
    client = ZaloClient(fake.token, fake.url)
    yield fake, app, client
    await client.close()
    await app.close()
    await fake.stop()


class AsTheOutboxSends:
    """A ZaloSender driven as the outbox drives it: what a send counts is written with its mark (SentMarks)."""

    def __init__(self, app, sender: ZaloSender) -> None:
        self.app, self.sender, self.quota = app, sender, sender.quota

    async def send(self, *args, **kwargs) -> None:
        after = await self.sender.send(*args, **kwargs)
        if after is not None:
            async with self.app.db.transaction() as repos:
                await after(repos)


def sender_for(app, client, budget: int) -> AsTheOutboxSends:
    quota = ZaloQuota(app.db.transaction, app.translator, app.clock, app.settings.tz, client.account, budget)
    return AsTheOutboxSends(app, ZaloSender(client, app.translator, app.web.file_url, quota))


async def admin_warnings(app) -> list[str]:
    async with app.db.transaction() as repos:
        return [row.payload["text"] for row in await repos.outbox.for_chat("console", "admin")]


async def test_low_budget_holds_broadcasts_until_next_month_and_warns_admins_once(setup, clock):
    fake, app, client = setup
    sender = sender_for(app, client, budget=10)
    for _ in range(8):
        await sender.send("u1", Reply("trả lời"), priority=PRIORITY_REPLY)
    with pytest.raises(TemporarySendError) as held:
        await sender.send("g1", Reply("thông báo"), priority=PRIORITY_BROADCAST)
    assert held.value.retry_after == seconds_until_next_month(clock(), app.settings.tz)
    await sender.send("u1", Reply("nhắc việc"), priority=PRIORITY_REMINDER)  # 9th: reminders still fit
    with pytest.raises(TemporarySendError):
        await sender.send("u1", Reply("nhắc việc"), priority=PRIORITY_REMINDER)
    for _ in range(3):
        await sender.send("u1", Reply("trả lời"), priority=PRIORITY_REPLY)  # beyond 100%: replies still go
    warnings = await admin_warnings(app)
    assert len(warnings) == 2 and "8/10" in warnings[0] and "80%" in warnings[0] and "hết 10" in warnings[1]
    assert len(fake.sent) == 12 and "thông báo" not in fake.texts_to("g1")
    clock.set(datetime(2026, 12, 1, 0, 1, tzinfo=VN))  # a new month, a new budget
    await sender.send("g1", Reply("thông báo"), priority=PRIORITY_BROADCAST)
    assert fake.texts_to("g1") == ["thông báo"]


async def test_repeated_429_is_the_months_quota_and_holds_every_zalo_send(setup, clock):
    fake, app, client = setup
    sender = sender_for(app, client, budget=3000)
    fake.fail_next(2, 429, "Quota exceeded")
    for _ in range(2):  # a burst: the outbox's short backoff, then it goes
        with pytest.raises(TemporarySendError) as burst:
            await sender.send("u1", Reply("trả lời"), priority=PRIORITY_REPLY)
        assert burst.value.retry_after is None
    await sender.send("u1", Reply("trả lời"), priority=PRIORITY_REPLY)  # an accepted send ends the run of 429s
    fake.fail_next(3, 429, "Quota exceeded")
    for _ in range(2):
        with pytest.raises(TemporarySendError):
            await sender.send("u1", Reply("trả lời"), priority=PRIORITY_REPLY)
    with pytest.raises(TemporarySendError) as paused:
        await sender.send("u1", Reply("trả lời"), priority=PRIORITY_REPLY)  # the third in a row: the month's quota
    assert paused.value.retry_after == seconds_until_next_month(clock(), app.settings.tz)
    assert str(paused.value) == HELD_FOR_QUOTA
    for priority in (PRIORITY_REPLY, PRIORITY_REMINDER):  # held without asking Zalo, replies too
        with pytest.raises(TemporarySendError) as held:
            await sender.send("u1", Reply("nhắc việc"), priority=priority)
        assert held.value.retry_after == paused.value.retry_after
    assert fake.calls.count("sendMessage") == 6 and fake.texts_to("u1") == ["trả lời"]
    warnings = await admin_warnings(app)
    assert len(warnings) == 1 and "hết hạn mức" in warnings[0] and "00:00 01/12/2026" in warnings[0]
    raised = sender_for(app, client, budget=5000)  # the setting raised (and a restart): sends are tried again
    fake.fail_next(3, 429, "Quota exceeded")
    for _ in range(3):
        with pytest.raises(TemporarySendError):
            await raised.send("u1", Reply("nhắc việc"), priority=PRIORITY_REMINDER)
    assert len(await admin_warnings(app)) == 1  # paused again this month: the admins are not told twice
    await sender_for(app, client, budget=6000).send("u1", Reply("nhắc việc"), priority=PRIORITY_REMINDER)
    assert fake.texts_to("u1") == ["trả lời", "nhắc việc"]


async def test_zalo_quota_reset_sets_when_held_sends_resume(setup, clock):
    fake, app, client = setup
    quota = ZaloQuota(app.db.transaction, app.translator, app.clock, app.settings.tz, client.account, 3000,
                      reset=date(2026, 11, 28))
    sender = AsTheOutboxSends(app, ZaloSender(client, app.translator, app.web.file_url, quota))
    fake.fail_next(3, 429, "Quota exceeded")
    for _ in range(3):
        with pytest.raises(TemporarySendError) as held:
            await sender.send("u1", Reply("trả lời"), priority=PRIORITY_REPLY)
    reset = datetime(2026, 11, 28, tzinfo=VN)
    assert held.value.retry_after == (reset - clock()).total_seconds()
    clock.set(reset)  # the quota is back on that day, not on the 1st
    await sender.send("u1", Reply("trả lời"), priority=PRIORITY_REPLY)
    assert fake.texts_to("u1") == ["trả lời"]


async def test_a_long_reply_counts_each_piece(setup):
    fake, app, client = setup
    sender = sender_for(app, client, budget=3000)
    await sender.send("u1", Reply("Báo cáo. " * 500), priority=PRIORITY_REPLY)
    _month, usage = await sender.quota.usage()
    assert usage.count == len(fake.sent) == 3


async def test_the_count_is_written_with_the_sent_mark_in_one_commit(setup):
    """Issue 21.3: the outbox's group commit carries the month's count; no transaction of its own per message."""
    fake, app, client = setup
    quota = ZaloQuota(app.db.transaction, app.translator, app.clock, app.settings.tz, client.account, 3000)
    app.add_sender(ZaloSender(client, app.translator, app.web.file_url, quota))
    async with app.db.transaction() as repos:
        await repos.outbox.enqueue(channel="zalo", chat_id="u1", payload=Reply("trả lời").to_payload(),
                                   dedupe_key="k1", now=app.clock())
    transactions, current = [], []
    engine = app.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", lambda *args: current.append(args[2].split()[0:2]))
    event.listen(engine, "commit", lambda _conn: (transactions.append(list(current)), current.clear()))
    assert await app.outbox.drain() == 1
    assert fake.texts_to("u1") == ["trả lời"] and (await quota.usage())[1].count == 1
    [mark] = [t for t in transactions if ["UPDATE", "outbox"] in t and ["INSERT", "INTO"] in t]
    assert len(mark) == 2  # the mark and the count (one upsert), nothing else
    assert not [t for t in transactions if ["INSERT", "INTO"] in t and t is not mark]  # no count on its own


def test_status_command_prints_the_month(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/mttq.db")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "1234567890:abc")
    monkeypatch.setenv("ZALO_MONTHLY_QUOTA", "2000")
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "/2000 tin" in out and "Zalo tháng 20" in out and "Hàng đợi gửi (outbox): trống" in out and "abc" not in out
