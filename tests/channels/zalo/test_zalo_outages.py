"""Zalo unwell for a long time, or not Zalo at all: the poller waits out an hour of 403/5xx (on a fake clock) and
resumes; an idle poll answered 200 with 408 in its body is quiet; a wrong ZALO_API_BASE stops start-up with one
line and deactivates nothing; 403 bursts at start-up are retried."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiohttp import web
from support.fake_zalo import FakeZalo, text_update
from support.zalo_harness import USER, running, wait_until, zalo_app

from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.polling import MAX_ERROR_WAIT, Poller
from bot.cli import main
from bot.settings import ConfigError
from core.messages import Reply

HOUR = 3600.0
OUTAGE = [  # what an unwell Zalo (or the proxy before it) answers, in turn
    (403, '{"ok": false, "error_code": 403, "description": "Internal server error"}', "application/json"),
    (502, "<html><body>502 Bad Gateway</body></html>", "text/html"),
    (500, '{"ok": false, "error_code": 500, "description": "Internal Server Error"}', "application/json"),
    (200, '{"ok": false, "error_code": 503, "description": "Service Unavailable"}', "application/json"),
]


class FakeTime:
    """The poller's clock and sleep: a sleep moves time on at once."""

    def __init__(self) -> None:
        self.now, self.waits = 0.0, []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class UnwellZalo(FakeZalo):
    """getUpdates fails with the OUTAGE answers until `until` on the fake clock, then serves updates."""

    time: FakeTime
    until: float = HOUR

    async def _m_getUpdates(self, body: dict) -> web.Response:
        if self.time.now < self.until:
            status, text, kind = OUTAGE[self.calls.count("getUpdates") % len(OUTAGE)]
            return web.Response(status=status, text=text, content_type=kind)
        return await super()._m_getUpdates(body)


@contextmanager
def not_zalo() -> Iterator[str]:
    """A web server in a thread that answers every request with an HTML 404 page (a wrong ZALO_API_BASE)."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>404 Not Found</body></html>")

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


async def test_the_poller_waits_out_an_hour_of_403_and_5xx_and_resumes(caplog):
    fake = UnwellZalo()
    fake.time = FakeTime()
    await fake.start()
    client = ZaloClient(fake.token, fake.url)
    handled: list[dict] = []

    async def on_update(update: dict) -> bool:
        handled.append(update)
        return True

    fake.push(text_update(USER, "/trogiup"))  # waiting at Zalo all along
    poller = Poller(client, on_update, min_interval=1.0, sleep=fake.time.sleep, monotonic=fake.time.monotonic)
    caplog.set_level(logging.INFO)
    task = asyncio.create_task(poller.run())
    await wait_until(lambda: handled)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await client.close()
    await fake.stop()
    outage_polls = fake.calls.count("getUpdates") - 1
    assert fake.time.now >= HOUR and max(fake.time.waits) == MAX_ERROR_WAIT  # bounded backoff, never a give-up
    assert HOUR / MAX_ERROR_WAIT <= outage_polls <= HOUR / MAX_ERROR_WAIT + 10  # about one poll a minute
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) <= outage_polls / 10 + 2 and "works again" in warnings[-1]  # not one line per poll


async def test_an_idle_poll_answered_200_with_408_in_the_body_is_quiet(fake, caplog):
    fake.script("getUpdates", 200, {"ok": False, "error_code": 408, "description": "Request timeout"}, count=5)
    client = ZaloClient(fake.token, fake.url)
    time = FakeTime()
    poller = Poller(client, lambda _u: asyncio.sleep(0), min_interval=1.0, sleep=time.sleep, monotonic=time.monotonic)
    caplog.set_level(logging.INFO)
    task = asyncio.create_task(poller.run())
    await wait_until(lambda: len(time.waits) >= 5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await client.close()
    assert time.waits[:5] == [1.0] * 5  # the anti-hot-loop pause only: no backoff
    assert not [r for r in caplog.records if r.name.startswith("bot.") and r.levelno >= logging.INFO
                and "getUpdates" in r.getMessage()]


async def _pending_zalo_reply(app) -> None:
    async with app.db.transaction() as repos:
        await repos.chats.remember("zalo", USER, "private", commune_id=1)
        await repos.outbox.enqueue(channel="zalo", chat_id=USER, payload=Reply("chờ gửi").to_payload(),
                                   dedupe_key="waiting-1", now=app.clock(), priority=0)


async def _chat_and_outbox(app) -> tuple[bool, list[str]]:
    async with app.db.transaction() as repos:
        chat = await repos.chats.get("zalo", USER)
        rows = await repos.outbox.for_chat("zalo", USER)
    return chat.active, [row.status for row in rows]


@pytest.mark.parametrize("answer", ["a 404 page", "JSON 404", "JSON 400"])
async def test_a_wrong_api_base_refuses_to_start_and_deactivates_nothing(fake, sqlite_url, clock, tmp_path, answer):
    if answer.startswith("JSON"):  # some other JSON API at that address
        status = int(answer[-3:])
        fake.script("getMe", status, {"ok": False, "error_code": status, "description": "Not Found"})
    base = fake.url + ("/wrong" if answer == "a 404 page" else "")
    app = await zalo_app(fake, sqlite_url, clock, zalo_api_base=base)
    await _pending_zalo_reply(app)
    with pytest.raises(ConfigError, match=r"^ZALO_API_BASE: .* không trả lời như Zalo Bot API") as raised:
        async with running(app, tmp_path):
            pass
    assert "\n" not in str(raised.value) and fake.token not in str(raised.value)
    assert await _chat_and_outbox(app) == (True, ["pending"]) and not fake.sent
    await app.close()


def test_the_command_says_one_line_naming_zalo_api_base(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/mttq.db")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "1234567890:abc")
    with not_zalo() as base:
        monkeypatch.setenv("ZALO_API_BASE", base)
        assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("mttq-bot: ZALO_API_BASE:") and "abc" not in err[0]
    assert "không trả lời như Zalo Bot API" in err[0] and "hãy kiểm tra địa chỉ" in err[0]


async def test_403_bursts_at_start_up_are_retried_not_fatal(fake, sqlite_url, clock, tmp_path):
    fake.script("getMe", 403, {"ok": False, "error_code": 403, "description": "Internal server error"}, count=2)
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path) as channel:
        await wait_until(lambda: channel.bot_names)
        fake.push(text_update(USER, "/trogiup"))
        await wait_until(lambda: fake.texts_to(USER))
    assert fake.calls.count("getMe") == 3
    await app.close()
