"""Nothing is acknowledged that is not recorded: a database that refuses writes under a running bot (SQLite: a
read-only file; PostgreSQL: the server stopped), updates arriving by webhook and by polling on Zalo and Telegram.

During the fault webhooks answer 500 (the platform redelivers), pollers hold their update, /healthz answers 503;
when the fault clears the database layer recovers by itself and every update is answered exactly once.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import httpx
import pytest
from support.app import FakeClock, invite_code, make_app
from support.db_faults import write_fault
from support.fake_telegram import FakeTelegram
from support.fake_telegram import text_update as tg_text
from support.fake_zalo import FakeZalo
from support.fake_zalo import text_update as zalo_text
from support.telegram_harness import FAST_LIMITS
from support.telegram_harness import TOKEN as TG_TOKEN
from support.zalo_harness import WEBHOOK_SECRET, free_port, wait_until

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.webhook import SECRET_HEADER as TG_HEADER
from bot.channels.telegram.webhook import webhook_path as tg_path
from bot.channels.zalo import ZaloChannel
from bot.cli import main
from bot.runner import serve

ZALO_USER, TG_USER = "zalo-fault-user", 424242
BACKENDS = pytest.mark.parametrize("backend", ["sqlite", "postgresql"])


@asynccontextmanager
async def running_bot(database_url, clock, tmp_path, *, webhook: bool):
    """The runner's serve() with both channels against their fakes; registers one person on each."""
    zalo, telegram = await FakeZalo().start(), await FakeTelegram(TG_TOKEN).start()
    port = free_port()
    hooks = {"public_base_url": f"http://127.0.0.1:{port}", "webhook_secret": WEBHOOK_SECRET} if webhook else {}
    app = await make_app(database_url, clock, zalo_bot_token=zalo.token, zalo_api_base=zalo.url,
                         telegram_bot_token=TG_TOKEN, telegram_api_base=telegram.url, telegram_poll_timeout=1,
                         telegram_retry_seconds=0.05, web_port=port, **FAST_LIMITS, **hooks)
    channels = [ZaloChannel(app.channel_host(app.settings.zalo_section()), poll_min_interval=0.01,
                            retry_backoff=0.01, lock_dir=tmp_path),
                TelegramChannel(app.channel_host(app.settings.telegram_section()))]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, channels, stop))
    await wait_until(lambda: app.web._runner is not None and (not webhook or zalo.webhook_url))
    try:
        yield app, zalo, telegram, f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        await task
        await app.close()
        await zalo.stop()
        await telegram.stop()


async def register(app, zalo, telegram, deliver_zalo, deliver_tg):
    await deliver_zalo(zalo_text(ZALO_USER, f"/start {await invite_code(app)}"))
    await deliver_tg(tg_update(telegram, f"/start {await invite_code(app)}"))
    await wait_until(lambda: len(zalo.texts_to(ZALO_USER)) >= 2 and len(telegram.texts(TG_USER)) >= 2)


def tg_update(telegram: FakeTelegram, text: str) -> dict:
    return {**tg_text(TG_USER, text), "update_id": telegram.next_update_id()}


def help_answers(app, texts: list[str]) -> int:
    """How many times the reporter's help was sent (it starts with the same line each time)."""
    first_line = app.translator.for_language("vi")("help.reporter").splitlines()[0]
    return sum(text.startswith(first_line) for text in texts)


@BACKENDS
async def test_webhooks_answer_500_until_the_database_takes_writes_again(backend, tmp_path, clock, caplog):
    with write_fault(backend, tmp_path) as fault:
        async with running_bot(fault.url, clock, tmp_path, webhook=True) as (app, zalo, telegram, base), \
                httpx.AsyncClient(timeout=10) as http:
            async def post_tg(update: dict) -> int:
                response = await http.post(base + tg_path(WEBHOOK_SECRET), json=update,
                                             headers={TG_HEADER: WEBHOOK_SECRET})
                return response.status_code

            async def deliver_zalo(update):
                assert await zalo.deliver(update) == 200

            async def deliver_tg(update):
                assert await post_tg(update) == 200

            await register(app, zalo, telegram, deliver_zalo, deliver_tg)
            assert (await http.get(base + "/healthz")).status_code == 200
            zalo_update, tg_help = zalo_text(ZALO_USER, "/trogiup"), tg_update(telegram, "/trogiup")

            fault.refuse()
            caplog.clear()
            with caplog.at_level(logging.WARNING):
                refused = [await zalo.deliver(zalo_update), await post_tg(tg_help),
                           await zalo.deliver(zalo_update), await post_tg(tg_help)]  # the platforms retry
                health = await http.get(base + "/healthz")
            assert refused == [500, 500, 500, 500]
            assert (health.status_code, health.json()["ok"]) == (503, False)
            assert not [r for r in caplog.records if r.exc_info], "a database fault is one line, not a traceback"

            fault.allow()  # no restart: the next request must find the database working again
            await wait_until(lambda: _status(http, base + "/healthz", 200), timeout=20)
            assert [await zalo.deliver(zalo_update), await post_tg(tg_help)] == [200, 200]
            assert [await zalo.deliver(zalo_update), await post_tg(tg_help)] == [200, 200]  # replays: no new answer
            await wait_until(lambda: help_answers(app, zalo.texts_to(ZALO_USER)) >= 2
                             and help_answers(app, telegram.texts(TG_USER)) >= 2, timeout=20)
            await asyncio.sleep(0.3)  # loopback: a duplicate would be sent by now
            # the welcome includes the help once; /trogiup answered exactly once more on each platform
            assert help_answers(app, zalo.texts_to(ZALO_USER)) == 2
            assert help_answers(app, telegram.texts(TG_USER)) == 2


@BACKENDS
async def test_pollers_hold_an_update_they_could_not_record_and_answer_it_after_recovery(backend, tmp_path, clock):
    with write_fault(backend, tmp_path) as fault:
        async with running_bot(fault.url, clock, tmp_path, webhook=False) as (app, zalo, telegram, base):
            async def push_zalo(update):
                zalo.push(update)

            async def push_tg(update):
                telegram.push(update)

            await register(app, zalo, telegram, push_zalo, push_tg)
            fault.refuse()
            zalo.push(zalo_text(ZALO_USER, "/trogiup"))
            telegram.push(tg_update(telegram, "/trogiup"))
            await wait_until(lambda: zalo.pending == 0)  # Zalo handed its update out: only the bot holds it now
            await asyncio.sleep(1.0)  # both pollers meet the fault several times
            async with httpx.AsyncClient(timeout=10) as http:
                assert (await http.get(base + "/healthz")).status_code == 503
            assert help_answers(app, zalo.texts_to(ZALO_USER)) == 1 and help_answers(app, telegram.texts(TG_USER)) == 1
            fault.allow()
            await wait_until(lambda: help_answers(app, zalo.texts_to(ZALO_USER)) >= 2
                             and help_answers(app, telegram.texts(TG_USER)) >= 2, timeout=90)
            await asyncio.sleep(0.5)
            assert help_answers(app, zalo.texts_to(ZALO_USER)) == 2
            assert help_answers(app, telegram.texts(TG_USER)) == 2


async def _status(http: httpx.AsyncClient, url: str, expected: int) -> bool:
    try:
        return (await http.get(url)).status_code == expected
    except httpx.HTTPError:
        return False



@pytest.mark.parametrize("fault", ["read-only file", "unwritable folder", "server stopped"])
def test_a_database_that_refuses_writes_stops_start_up_with_one_line(fault, tmp_path, monkeypatch, capsys):
    with write_fault("postgresql" if fault == "server stopped" else "sqlite", tmp_path) as switch:
        asyncio.run(_migrated(switch.url))  # a database that worked yesterday
        if fault == "unwritable folder":
            for name in ("mttq.db-wal", "mttq.db-shm"):  # gone after a clean stop; SQLite must create them again
                (tmp_path / name).unlink(missing_ok=True)
            subprocess.run(["chattr", "+i", str(tmp_path)], check=True)
        else:
            switch.refuse()
        monkeypatch.chdir(tmp_path)  # no .env of the developer's
        monkeypatch.setenv("DATABASE_URL", switch.url)
        try:
            code = main(["run"])
        finally:
            if fault == "unwritable folder":
                subprocess.run(["chattr", "-i", str(tmp_path)], check=True)
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("mttq-bot: DATABASE_URL: cơ sở dữ liệu không ghi được ("), err
    assert "Traceback" not in err


async def _migrated(url: str) -> None:
    app = await make_app(url, FakeClock(datetime(2026, 11, 25, tzinfo=UTC)), demo=False)
    await app.close()
