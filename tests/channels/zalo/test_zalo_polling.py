"""Polling that survives: replays handled once (also after a restart), 429 bursts, errors, restarts mid-report."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time

import pytest
from support.app import invite_code
from support.fake_zalo import FakeZalo, text_update
from support.zalo_harness import USER, ZaloUser, running, wait_until, zalo_app

from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.polling import Poller, PollerBusy, PollLock


async def registered_user(app, fake) -> ZaloUser:
    user = ZaloUser(app, fake, USER)
    await user.say(f"/start {await invite_code(app)}")
    return user


async def outbox_rows(app) -> int:
    async with app.db.transaction() as repos:
        return len(await repos.outbox.for_chat("zalo", USER))


async def test_a_replayed_update_is_handled_once_even_after_a_restart(fake, sqlite_url, clock, tmp_path):
    fake.replay = True  # every update is served twice
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path):
        await registered_user(app, fake)
        rows = await outbox_rows(app)
        update = text_update(USER, "/trogiup")
        fake.push(update)
        fake.push(text_update(USER, "/huy"))  # handled after both copies of the update above (one poller, in order)
        await wait_until(lambda: _answered_cancel(fake, 1))  # `say` could return at the help, before /huy
        assert await outbox_rows(app) == rows + 2  # one help, one answer to /huy
    await app.close()
    restarted = await zalo_app(fake, sqlite_url, clock, demo=False)
    async with running(restarted, tmp_path):
        fake.push(update)  # served again, twice, to a new process on the same database
        fake.push(text_update(USER, "/huy"))
        await wait_until(lambda: _answered_cancel(fake, 2))
        assert await outbox_rows(restarted) == rows + 3
    assert len(fake.served) == 2 * 5
    await restarted.close()


def _answered_cancel(fake: FakeZalo, times: int) -> bool:
    """The answer to /huy (nothing to cancel) has reached the user `times` times: it comes after the replays."""
    return sum("Không có việc gì đang làm dở" in text for text in fake.texts_to(USER)) >= times


async def _all_sent(app, expected: int) -> bool:
    async with app.db.transaction() as repos:
        found = await repos.outbox.for_chat("zalo", USER)
    return len(found) == expected and all(row.status == "sent" for row in found)


async def test_a_429_burst_delays_but_loses_nothing(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path):
        await registered_user(app, fake)
        before = len(fake.texts_to(USER))
        fake.fail_next(2)  # a burst of 429s (a third in a row would be the month's quota): the outbox retries
        fake.push(text_update(USER, "bao cao"))
        await wait_until(lambda: _retrying(app))
        await wait_until(lambda: _later_all_sent(app, clock))
    texts = fake.texts_to(USER)[before:]
    assert len(texts) == 1 and "1. Ngày hội" in texts[0] and not fake.failures
    async with app.db.transaction() as repos:
        assert (await repos.usage.get("zalo", "1234567890", "2026-11")).paused_budget is None
    await app.close()


async def _later_all_sent(app, clock) -> bool:
    """The outbox's backoff is in business time: each check moves the fake clock a minute on."""
    clock.advance(minutes=1)
    app.outbox_wake.set()
    return await _all_sent(app, 3)


async def _retrying(app) -> bool:
    async with app.db.transaction() as repos:
        rows = await repos.outbox.for_chat("zalo", USER)
    return any(row.status == "pending" and row.attempts >= 1 for row in rows)


async def test_a_restart_mid_report_resumes_where_it_stopped(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path):
        user = await registered_user(app, fake)
        for text in ("bao cao", "1", "1", "hom qua"):
            await user.say(text)
    await app.close()
    clock.advance(hours=5)
    app = await zalo_app(fake, sqlite_url, clock, demo=False)
    async with running(app, tmp_path):
        user = ZaloUser(app, fake, USER)
        assert "bao nhiêu người" in (await user.say("Nhà văn hóa thôn"))[0]
        for text in ("120", "khong", "bo qua", "bo qua", "bo qua"):
            await user.say(text)
        assert "Đã ghi báo cáo số 1" in (await user.say("1"))[0]
    await app.close()


async def test_a_stop_lets_the_poll_in_flight_end_and_records_its_update(fake, sqlite_url, clock, tmp_path):
    """getUpdates has no ack: an update handed to a poll the bot hangs up on would be lost on every restart."""
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path):
        await registered_user(app, fake)
        rows = await outbox_rows(app)
        fake.idle_wait = 0.5
        polls = fake.calls.count("getUpdates")
        await wait_until(lambda: fake.calls.count("getUpdates") > polls)  # a new poll is waiting on the server
        # the update arrives 0.1 s after the stop below, while the server still holds that poll
        asyncio.get_running_loop().call_later(0.1, fake.push, text_update(USER, "/trogiup"))
    assert fake.pending == 0 and await outbox_rows(app) == rows + 1  # recorded; the reply waits in the outbox
    await app.close()


async def test_the_loop_survives_errors_and_bad_updates(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    fake.poll_failures = [(500, '{"ok": false}'), (502, "<html>bad gateway</html>"), (200, "not json"),
                          (200, '{"ok": true, "result": 42}'), (400, '{"ok": false, "error_code": 400}')]
    for bad in ({"event_name": "message.text.received"}, {"message": "nope"},
                text_update(USER, "hi", chat_type="OFFICIAL"), {"event_name": 7, "message": {"chat": []}}):
        fake.push(bad)
    async with running(app, tmp_path):
        user = await registered_user(app, fake)
        unsupported = {"event_name": "message.unsupported.received", "message": {
            "message_id": "f" * 20, "date": 1795568400000, "from": {"id": USER}, "chat": {"id": USER}}}
        assert "chỉ nhận tin nhắn chữ và ảnh" in (await user.send(unsupported))[0]
    assert not fake.poll_failures and len(fake.served) >= 6
    await app.close()


async def test_queued_updates_are_fetched_back_to_back_not_one_a_second(fake, sqlite_url, clock, tmp_path):
    """getUpdates serves one update a call: the 1 s pacing is for empty or replayed answers, not for a queue."""
    app = await zalo_app(fake, sqlite_url, clock)
    async with running(app, tmp_path, poll_min_interval=1.0):  # the production pacing
        await wait_until(lambda: fake.calls.count("getUpdates") >= 1)
        people = [f"zq{n:04d}" for n in range(6)]
        started = time.monotonic()
        for person in people:
            fake.push(text_update(person, "/trogiup"))
        await wait_until(lambda: all(fake.texts_to(person) for person in people))
        elapsed = time.monotonic() - started
    assert elapsed < 3.0, elapsed  # paced at 1 s a poll, six people would wait 5-6 s for the last answer
    await app.close()


async def test_a_replayed_update_is_paced_like_an_empty_answer(fake):
    client = ZaloClient(fake.token, fake.url)
    seen: list[str] = []

    async def on_update(update: dict) -> bool:
        seen.append(update["message"]["message_id"])
        return seen.count(seen[-1]) == 1  # as the pipeline's ledger says: new the first time only

    fake.replay, fake.idle_wait = True, 0.01  # the update comes twice, then every poll answers 408 at once
    fake.push(text_update(USER, "/trogiup"))
    poller = Poller(client, on_update, min_interval=0.3)
    task = asyncio.create_task(poller.run())
    await asyncio.sleep(0.45)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    await client.close()
    assert len(seen) == 2 and poller.polls == 3  # new → at once; replay → waits 0.3 s; then one empty poll


async def test_an_instant_server_is_not_hot_looped(fake):
    fake.idle_wait = 0  # every poll answers 408 at once
    client = ZaloClient(fake.token, fake.url)
    poller = Poller(client, lambda _u: asyncio.sleep(0), min_interval=0.1)
    task = asyncio.create_task(poller.run())
    started = time.monotonic()
    await asyncio.sleep(0.35)
    task.cancel()
    elapsed = time.monotonic() - started
    assert 1 <= poller.polls <= elapsed / 0.1 + 1
    await client.close()


def test_never_two_pollers_for_one_token(tmp_path):
    lock = PollLock("123:abc", tmp_path)
    lock.acquire()
    with pytest.raises(PollerBusy, match="this process"):
        PollLock("123:abc", tmp_path).acquire()
    holder = ("import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDWR); "
              "fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)")
    other = subprocess.run([sys.executable, "-c", holder, str(lock.path)], capture_output=True)
    assert other.returncode != 0  # another process cannot take the lock either
    lock.release()
    assert subprocess.run([sys.executable, "-c", holder, str(lock.path)]).returncode == 0
    PollLock("123:abc", tmp_path).acquire()
