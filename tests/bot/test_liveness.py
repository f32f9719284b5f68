"""Liveness you can monitor, through the running bot and the fake Zalo: /healthz per channel (mode, last poll or
webhook call, webhook registered, getMe, sends, backlog, budget), 503 while a channel fails too long or a reply
waits too long and 200 again after; setWebhook retried until it works; a stopped channel task restarted; admins
told once per outage and once when it is back; `mttq-bot status` in Vietnamese."""

from __future__ import annotations

import httpx
import pytest
from support.fake_telegram import FakeTelegram
from support.fake_zalo import FakeZalo, text_update
from support.telegram_harness import TOKEN, telegram_bot
from support.zalo_harness import USER, running, wait_until, zalo_app

import bot.runner
from bot.channels.telegram import channel as telegram_channel
from bot.status import print_status
from core.messages import Reply

PAGE_502 = "<html><body>502 Bad Gateway</body></html>"


@pytest.fixture
async def fake():
    server = await FakeZalo().start()
    yield server
    await server.stop()


@pytest.fixture(autouse=True)
def quick_restarts(monkeypatch):
    monkeypatch.setattr(bot.runner, "RESTART_FIRST_WAIT", 0.01)


async def healthz(app) -> tuple[int, dict]:
    async with httpx.AsyncClient(timeout=5) as http:
        response = await http.get(f"http://127.0.0.1:{app.settings.web_port}/healthz")
    return response.status_code, response.json()


async def admin_on_console(app) -> None:
    async with app.db.transaction() as repos:
        admin = next(p for p in await repos.directory.people(1) if p.role == "admin")
        await repos.chats.remember("console", "admin", "private", person_id=admin.id, commune_id=1)


async def admin_texts(app) -> list[str]:
    async with app.db.transaction() as repos:
        return [row.payload["text"] for row in await repos.outbox.for_chat("console", "admin")]


async def test_set_webhook_is_retried_until_it_works_and_healthz_says_so_meanwhile(fake, sqlite_url, clock, tmp_path):
    fake.script("setWebhook", 502, PAGE_502, count=1000)  # Zalo (or the proxy before it) refuses for now
    app = await zalo_app(fake, sqlite_url, clock, webhook=True)
    await admin_on_console(app)
    async with running(app, tmp_path) as channel:
        await wait_until(lambda: fake.calls.count("setWebhook") >= 3)
        status, body = await healthz(app)
        zalo = body["channels"]["zalo"]
        assert status == 200 and zalo["mode"] == "webhook" and zalo["webhook_registered"] is False
        assert zalo["get_me"] is True and "setWebhook" in zalo["last_error"] and zalo["failing_since"]
        clock.advance(seconds=app.settings.health_failing_seconds + 1)  # still failing, now for too long
        status, body = await healthz(app)
        assert status == 503 and body["problems"][0].startswith("zalo: failing for 601 s")
        await app.tick()
        await app.tick()  # the admins are told once, not every minute
        texts = await admin_texts(app)
        assert len(texts) == 1 and "Kênh Zalo" in texts[0] and "đang gặp sự cố" in texts[0]
        fake.scripted["setWebhook"].clear()  # Zalo takes it at the next try
        await wait_until(channel.webhook_ready.is_set)
        status, body = await healthz(app)
        assert status == 200 and body["channels"]["zalo"]["webhook_registered"] is True and not body["problems"]
        assert await fake.deliver(text_update(USER, "/trogiup")) == 200
        status, body = await healthz(app)
        assert body["channels"]["zalo"]["last_received"] == clock().isoformat(timespec="seconds")
        await app.tick()
        texts = await admin_texts(app)
        assert len(texts) == 2 and "hoạt động trở lại" in texts[1]
    await app.close()


async def test_telegram_set_webhook_is_retried_until_it_works(sqlite_url, clock, monkeypatch):
    monkeypatch.setattr(telegram_channel, "WEBHOOK_RETRY_FIRST", 0.01)
    fake = FakeTelegram(TOKEN)
    fake.fail_next("setWebhook", retry_after=0, times=3)  # refused three times, then taken
    async with telegram_bot(sqlite_url, clock, webhook=True, fake=fake) as bot:
        health = bot.channel.health  # the harness waits for the registration to finish
        assert health.mode == "webhook" and health.webhook_registered is True and health.failing_since is None
        assert len(bot.fake.of("setWebhook")) == 4


async def test_polling_403s_for_too_long_make_healthz_503_then_200_when_zalo_is_back(fake, sqlite_url, clock,
                                                                                      tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path):
        await wait_until(lambda: app.channel_health["zalo"].last_received is not None)
        status, body = await healthz(app)
        zalo = body["channels"]["zalo"]
        assert status == 200 and zalo["mode"] == "poll" and zalo["webhook_registered"] is None and zalo["get_me"]
        fake.script("getUpdates", 403, {"ok": False, "error_code": 403, "description": "Internal server error"},
                    count=1000)
        await wait_until(lambda: app.channel_health["zalo"].failing_since is not None)
        assert (await healthz(app))[0] == 200  # failing, but not for long yet
        clock.advance(seconds=601)
        status, body = await healthz(app)
        assert status == 503 and "403" in body["channels"]["zalo"]["last_error"]
        fake.scripted["getUpdates"].clear()
        await wait_until(lambda: app.channel_health["zalo"].failing_since is None, timeout=70)
        assert (await healthz(app))[0] == 200
    await app.close()


async def waiting_reply(app, fake, chat: str = USER) -> None:
    """A reply whose first send fails (500): it waits in the outbox for its retry, 2 s later in business time."""
    fake.fail_next(1, 500, "Internal Server Error")
    async with app.db.transaction() as repos:
        await repos.outbox.enqueue(channel="zalo", chat_id=chat, payload=Reply("Đã nhận báo cáo").to_payload(),
                                   dedupe_key=f"reply-{chat}", now=app.clock())
    app.outbox_wake.set()
    await wait_until(lambda: app.outbox.outcomes.get("zalo") and app.outbox.outcomes["zalo"].last_error_at)


async def test_a_reply_waiting_too_long_makes_healthz_503_until_it_is_sent(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path):
        await waiting_reply(app, fake)
        status, body = await healthz(app)
        zalo = body["channels"]["zalo"]
        assert status == 200 and zalo["outbox"]["pending"] == 1 and "500" in zalo["last_send_error"]["error"]
        clock.advance(seconds=601)
        status, body = await healthz(app)
        assert status == 503 and body["problems"] == ["zalo: a reply has waited 601 s"]
        app.outbox_wake.set()  # its retry is due (the backoff was 2 s): it goes out
        await wait_until(lambda: fake.texts_to(USER))
        await wait_until(lambda: app.outbox.outcomes["zalo"].last_ok is not None)
        status, body = await healthz(app)
        assert status == 200 and body["channels"]["zalo"]["outbox"] == {
            "pending": 0, "oldest_seconds": None, "oldest_reply_seconds": None}
        assert body["channels"]["zalo"]["zalo_budget"]["used"] == 2  # the 500 may have been taken: counted too
    await app.close()


async def test_a_stopped_poller_is_restarted_by_the_runner(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    fake.script("getUpdates", 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}, count=2)
    async with running(app, tmp_path):
        await wait_until(lambda: app.channel_health["zalo"].restarts == 2)  # 401 stops polling; started again
        fake.push(text_update(USER, "/trogiup"))
        await wait_until(lambda: fake.texts_to(USER))
        health = app.channel_health["zalo"]
        assert health.failing_since is None and not health.stopped
    await app.close()


async def test_status_prints_the_same_in_vietnamese(fake, sqlite_url, clock, tmp_path, capsys):
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path):
        await wait_until(lambda: app.channel_health["zalo"].last_received is not None)
        await waiting_reply(app, fake)
        capsys.readouterr()
        assert await print_status(app) == 0
        out = capsys.readouterr().out
    assert "Bot đang chạy" in out and "Kênh Zalo — nhận tin: thăm dò (getUpdates)" in out
    assert "getMe: đã xong" in out and "hàng chờ gửi: 1 tin" in out and "hạn mức Zalo tháng 2026-11" in out
    capsys.readouterr()
    assert await print_status(app) == 0  # the bot has stopped: said plainly, the database part still shown
    out = capsys.readouterr().out
    assert "Không kết nối được với bot" in out and "Hàng đợi gửi (outbox): chờ gửi 1" in out
    await app.close()
