"""Several bot processes on one database: outbox rows, updates and reminder occurrences are each handled once.

Each "process" is an app (or a Database) with its own engine and connection pool, exactly what a second
`mttq-bot run` would have; the database's claims are the only coordination between them.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, datetime

import httpx
import pytest
from support.app import VN, ChatUser, FakeClock, attach_recorder, invite_code, make_app
from support.fake_zalo import FakeZalo, text_update
from support.zalo_harness import WEBHOOK_SECRET, running, wait_until, zalo_app

from bot.channels.zalo.webhook import SECRET_HEADER, webhook_path
from bot.outbox import OutboxWorker
from core.messages import Reply
from storage.db import Database

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)
ROWS = 500
CHAT = "6ede9afa66b88fe6d6a9"
REPORT = ("bao cao", "1", "1", "hôm qua", "Nhà văn hóa thôn", "120 người", "co", "bỏ qua", "bỏ qua", "bỏ qua", "1")


class CountingSender:
    """A channel sender that only counts; yields once per send so concurrent workers really interleave."""

    channel = "zalo"

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        await asyncio.sleep(0)
        self.sent[reply.text] += 1


async def test_two_workers_draining_one_outbox_send_each_row_exactly_once(database_url):
    first, second = Database(database_url), Database(database_url)
    try:
        await first.upgrade()
        async with first.transaction() as repos:
            for n in range(ROWS):
                await repos.outbox.enqueue(channel="zalo", chat_id=f"c{n % 40}", dedupe_key=f"k{n}", now=NOW,
                                           payload=Reply(text=f"m{n}").to_payload())
        sender = CountingSender()
        workers = [OutboxWorker(db, {"zalo": sender}, lambda: NOW) for db in (first, second)]
        delivered = await asyncio.gather(*(worker.drain() for worker in workers))
        async with second.transaction() as repos:
            counts = await repos.outbox.counts()
    finally:
        await first.dispose()
        await second.dispose()
    assert sender.sent == Counter({f"m{n}": 1 for n in range(ROWS)})
    assert sum(delivered) == ROWS and min(delivered) > 0, delivered  # both workers took a share
    assert counts == {"sent": ROWS}


@pytest.fixture
async def fake():
    server = await FakeZalo().start()
    yield server
    await server.stop()


async def test_two_webhook_processes_handle_a_report_redelivered_to_both_once(fake, database_url, clock, tmp_path):
    """A load balancer spreads one reporter's conversation over two processes, and every update arrives at both."""
    apps = [await zalo_app(fake, database_url, clock, webhook=True, demo=n == 0) for n in range(2)]
    code = await invite_code(apps[0])
    async with httpx.AsyncClient(timeout=10) as http, running(apps[0], tmp_path / "a"), \
            running(apps[1], tmp_path / "b"):
        transcript = [await _say_to_both(apps, fake, http, f"/start {code}")]
        for text in REPORT:
            transcript.append(await _say_to_both(apps, fake, http, text))
    async with apps[1].db.transaction() as repos:
        person = await repos.directory.person_by_identity("zalo", CHAT)
        reports = await repos.reports.by_person(person.id, date(2026, 1, 1), date(2026, 12, 31))
        rows = await repos.outbox.for_chat("zalo", CHAT)
    for app in apps:
        await app.close()
    assert len(reports) == 1 and reports[0].answers["so_nguoi_tham_gia"] == 120
    assert "Đã ghi báo cáo số 1" in transcript[-1][0]
    assert all(len(answers) == 1 for answers in transcript[1:]), transcript  # one answer per message, not two
    assert len(fake.texts_to(CHAT)) == len(rows) == sum(map(len, transcript))


async def _say_to_both(apps, fake: FakeZalo, http: httpx.AsyncClient, text: str) -> list[str]:
    """POST the same update to both processes at once (a redelivery racing the first delivery)."""
    before, seen = await _rows(apps[0]), len(fake.texts_to(CHAT))
    update = {"ok": True, "result": text_update(CHAT, text)}
    statuses = await asyncio.gather(*(
        http.post(f"http://127.0.0.1:{app.settings.web_port}{webhook_path(WEBHOOK_SECRET)}", json=update,
                  headers={SECRET_HEADER: WEBHOOK_SECRET}) for app in apps))
    assert [s.status_code for s in statuses] == [200, 200]
    await wait_until(lambda: _all_sent(apps[1], before))
    return fake.texts_to(CHAT)[seen:]


async def _rows(app) -> int:
    async with app.db.transaction() as repos:
        return len(await repos.outbox.for_chat("zalo", CHAT))


async def _all_sent(app, before: int) -> bool:
    async with app.db.transaction() as repos:
        rows = await repos.outbox.for_chat("zalo", CHAT)
    return len(rows) > before and all(row.status == "sent" for row in rows)


async def test_every_process_ticking_at_once_sends_each_reminder_once(database_url):
    clock = FakeClock(datetime(2026, 3, 31, 7, 30, tzinfo=VN))  # quarter end: many deadlines at once
    first = await make_app(database_url, clock)
    second = await make_app(database_url, clock, demo=False)
    try:
        recorders = [attach_recorder(app) for app in (first, second)]
        for who in ("reporter", "chair", "staff"):  # their chats become known, so reminders can reach them
            await ChatUser(first, recorders[0], who).say("/trogiup")
        recorders[0].sent.clear()
        await asyncio.gather(first.tick(), second.tick())
        await asyncio.gather(first.outbox.drain(), second.outbox.drain())
    finally:
        await first.close()
        await second.close()
    messages = [(chat, reply) for recorder in recorders for chat, reply in recorder.sent]
    sent = [(chat, key) for chat, reply in messages for key in reply.meta.get("reminders", [reply.text])]
    assert len(sent) > 3, sent
    assert max(Counter(sent).values()) == 1, Counter(sent).most_common(3)
    assert max(Counter(chat for chat, _ in messages).values()) == 1  # one message per person: all merged
