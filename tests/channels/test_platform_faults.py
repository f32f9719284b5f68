"""Platform faults against the fake Zalo server: 429, 500/502, timeouts, a server that is down, slow sends.

Every message is eventually delivered, the outbox's retry schedule is bounded (asserted on next_attempt_at
with the FakeClock, no waiting), and inbound messages are handled while every send fails or hangs.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from aiohttp import web
from support.app import make_app
from support.fake_zalo import FakeZalo, text_update
from support.zalo_harness import WEBHOOK_SECRET, free_port, running, wait_until, zalo_app

from bot.channels.zalo.client import ZaloClient, ZaloTimeout
from bot.channels.zalo.quota import ZaloQuota, month_of
from bot.channels.zalo.sender import ZaloSender
from bot.outbox import MAX_ATTEMPTS, backoff
from core.messages import Inbound, Reply

CHAT = "zf0001"


class FlakyZalo(FakeZalo):
    """The fake, plus answers that take `delay` seconds (the message is still recorded, as a slow platform does)."""

    delay: float = 0.0
    failing_text: str = ""  # a text containing this gets 500 while `failing_times` lasts
    failing_times: int = 0

    async def _m_sendMessage(self, body: dict):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failing_times and self.failing_text and self.failing_text in str(body.get("text")):
            self.failing_times -= 1
            return web.json_response({"ok": False, "error_code": 500, "description": "Internal"}, status=500)
        return await super()._m_sendMessage(body)


@pytest.fixture
async def fake():
    server = await FlakyZalo().start()
    yield server
    await server.stop()


async def _app_with_sender(fake: FakeZalo, url: str, clock, *, read_timeout: float = 2.0, base: str | None = None):
    """The app with a Zalo sender whose client gives up reading after `read_timeout`."""
    app = await make_app(url, clock)
    http = httpx.AsyncClient(timeout=httpx.Timeout(2.0, read=read_timeout))
    client = ZaloClient(fake.token, base or fake.url, http=http)
    quota = ZaloQuota(app.db.transaction, app.translator, app.clock, app.settings.tz, client.account, 100_000)
    app.add_sender(ZaloSender(client, app.translator, app.web.file_url, quota))
    return app, client


async def _say(app, text: str) -> None:
    await app.handle(Inbound(channel="zalo", chat_id=CHAT, sender_id=CHAT, message_id=f"{text}-{time.monotonic()}",
                             received_at=app.clock(), kind="text", chat_kind="private", sender_name="Bà Lan",
                             text=text))


async def _row(app):
    async with app.db.transaction() as repos:
        [row] = await repos.outbox.for_chat("zalo", CHAT)
    return row


async def _retry_schedule(app, clock, rounds: int) -> list[float]:
    """Deliver `rounds` times, each at the row's next attempt; the waits (seconds) the outbox chose."""
    waits = []
    for _ in range(rounds):
        assert await app.outbox.deliver_due() == 0
        row = await _row(app)
        assert row.status == "pending"
        waits.append((row.next_attempt_at - clock()).total_seconds())
        clock.set(row.next_attempt_at)
    return waits


@pytest.mark.parametrize(("label", "status", "description", "rounds"), [
    ("429 without retry_after", 429, "Quota exceeded", 2),  # a third 429 in a row would be the month's quota
    ("403 (Zalo's 'internal server error')", 403, "Internal server error", 4),
    ("500", 500, "Internal Server Error", 4),
    ("502", 502, "Bad Gateway", 4),
])
async def test_errors_back_off_on_a_bounded_schedule_then_deliver_once(fake, sqlite_url, clock, label, status,
                                                                      description, rounds):
    app, client = await _app_with_sender(fake, sqlite_url, clock)
    try:
        fake.fail_next(rounds, status, description)  # one call per outbox attempt
        await _say(app, "/trogiup")
        assert await _retry_schedule(app, clock, rounds) == [2, 4, 8, 16][:rounds], label
        assert await app.outbox.deliver_due() == 1
        assert len(fake.texts_to(CHAT)) == 1 and (await _row(app)).status == "sent"
    finally:
        await client.close()
        await app.close()


async def test_a_send_accepted_behind_a_502_goes_out_once_per_outbox_attempt_and_is_counted(fake, sqlite_url, clock):
    app, client = await _app_with_sender(fake, sqlite_url, clock)
    try:
        fake.accept_then_fail = [502]  # Zalo took the message; the proxy before it answered 502
        await _say(app, "/trogiup")
        assert await _retry_schedule(app, clock, 1) == [2]
        assert fake.calls.count("sendMessage") == 1 and len(fake.texts_to(CHAT)) == 1  # not 4, as with client retries
        async with app.db.transaction() as repos:
            usage = await repos.usage.get("zalo", client.account, month_of(clock(), app.settings.tz))
        assert usage.count == 1  # Zalo may have counted it: so does the budget
    finally:
        await client.close()
        await app.close()


def test_backoff_is_bounded_and_gives_up_after_max_attempts():
    waits = [backoff(n).total_seconds() for n in range(1, MAX_ATTEMPTS + 1)]
    assert waits[:4] == [2, 4, 8, 16] and max(waits) == 600 and waits == sorted(waits)
    assert sum(waits) < 2 * 3600  # a message is either delivered or failed within two hours


async def test_a_timeout_is_retried_and_the_message_arrives(fake, sqlite_url, clock):
    app, client = await _app_with_sender(fake, sqlite_url, clock, read_timeout=0.1)
    try:
        fake.delay = 0.3  # past the client's read timeout
        await _say(app, "/trogiup")
        assert await _retry_schedule(app, clock, 1) == [2]
        fake.delay = 0.0
        assert await app.outbox.deliver_due() == 1
        # The timed-out request was still recorded by the platform: at-least-once, never zero.
        await wait_until(lambda: len(fake.texts_to(CHAT)) >= 2, timeout=5)
        assert len(set(fake.texts_to(CHAT))) == 1
    finally:
        await client.close()
        await app.close()


async def test_a_hung_send_holds_the_lane_one_timeout_not_a_retry_loop(fake):
    """A send with no answer is given up after the send timeout, once: not retried in the client (the platform
    may have it; the outbox retries after its backoff), so one lane waits one timeout, not retries × timeout."""
    client = ZaloClient(fake.token, fake.url, send_timeout=0.2, poll_timeout=0)
    try:
        fake.delay = 1.0
        started = time.monotonic()
        with pytest.raises(ZaloTimeout):
            await client.send_message(CHAT, "xin chào")
        assert time.monotonic() - started < 0.6 and fake.calls.count("sendMessage") == 1
        # A long poll still gets its own, longer read: held 0.5 s by an idle server, then answered 408.
        fake.idle_wait = 0.5
        assert await client.get_updates(timeout=1) is None
    finally:
        await client.close()


async def test_a_split_reply_failing_half_way_sends_only_its_rest_at_the_retry(fake, sqlite_url, clock):
    """A reply over 2,000 characters is two Zalo messages: when the second fails, the retry must not repeat
    the first (the row remembers how many parts were delivered)."""
    app, client = await _app_with_sender(fake, sqlite_url, clock)
    try:
        text = "Chi hội A đã làm. " * 120 + "\n\n" + "Chi hội B đã làm. " * 40  # ~2,900 characters
        async with app.db.transaction() as repos:
            await repos.outbox.enqueue(channel="zalo", chat_id=CHAT, payload=Reply(text=text).to_payload(),
                                       dedupe_key="long-summary", now=clock())
        fake.failing_text, fake.failing_times = "Chi hội B", 1  # the second part fails once
        assert await _retry_schedule(app, clock, 1) == [2]
        assert (await _row(app)).parts_sent == 1 and len(fake.texts_to(CHAT)) == 1
        assert await app.outbox.deliver_due() == 1
        first, second = fake.texts_to(CHAT)
        assert "Chi hội A" in first and "Chi hội B" not in first and "Chi hội B" in second
        assert (first + second).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")
    finally:
        await client.close()
        await app.close()


async def test_a_server_that_is_down_for_a_while_gets_the_message_when_back(fake, sqlite_url, clock):
    app, client = await _app_with_sender(fake, sqlite_url, clock, base=f"http://127.0.0.1:{free_port()}")
    try:
        await _say(app, "/trogiup")
        assert await _retry_schedule(app, clock, 5) == [2, 4, 8, 16, 32]  # connection refused each time
        client.base_url = fake.url  # the server is back
        assert await app.outbox.deliver_due() == 1
        assert len(fake.texts_to(CHAT)) == 1
    finally:
        await client.close()
        await app.close()


async def test_a_message_that_never_gets_through_fails_after_max_attempts(fake, sqlite_url, clock):
    app, client = await _app_with_sender(fake, sqlite_url, clock)
    try:
        fake.fail_next(MAX_ATTEMPTS, 502, "Bad Gateway")
        await _say(app, "/trogiup")
        await _retry_schedule(app, clock, MAX_ATTEMPTS - 1)
        assert await app.outbox.deliver_due() == 0
        row = await _row(app)
        assert row.status == "failed" and "gave up after 12 attempts" in row.error
    finally:
        await client.close()
        await app.close()


@pytest.mark.parametrize("fault", ["hanging sends", "every send 500"])
async def test_inbound_is_handled_while_every_send_fails_or_hangs(fake, sqlite_url, clock, tmp_path, fault):
    app = await zalo_app(fake, sqlite_url, clock, webhook=True)
    if fault == "hanging sends":
        fake.delay = 1.5
    else:
        fake.fail_next(10_000, 500, "Internal Server Error")
    async with running(app, tmp_path) as channel:
        await wait_until(channel.webhook_ready.is_set)
        for n, text in enumerate(("/trogiup", "bao cao", "/start")):  # a stranger: explanation, reminder, need code
            started = time.monotonic()
            assert await fake.deliver(text_update(CHAT, text)) == 200
            assert time.monotonic() - started < 1.0, f"{fault}: message {n} waited for the sender"
        async with app.db.transaction() as repos:
            rows = await repos.outbox.for_chat("zalo", CHAT)
        assert len(rows) == 3 and all(row.status != "sent" for row in rows)  # each answered, none delivered yet

        async def none_in_flight() -> bool:  # a send answered 500 after the switch would wait for its backoff
            async with app.db.transaction() as repos:
                return all(row.status != "sending" for row in await repos.outbox.for_chat("zalo", CHAT))

        if fault != "hanging sends":
            await wait_until(none_in_flight)
        fake.failures.clear()
        fake.delay = 0.0
        clock.advance(minutes=1)  # past any backoff
        app.outbox_wake.set()
        await wait_until(lambda: len(fake.texts_to(CHAT)) >= len(rows), timeout=10)
    assert WEBHOOK_SECRET not in "".join(fake.texts_to(CHAT))
