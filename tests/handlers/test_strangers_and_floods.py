"""Strangers cost almost nothing, and nobody can hold up the others' replies (issue 19.3), through fake Zalo."""

from __future__ import annotations

import asyncio
import time

from support.app import ChatUser, attach_recorder, invite_code
from support.fake_zalo import FakeZalo, text_update
from support.zalo_harness import running, wait_until, zalo_app

from bot.channels.zalo.platform import CHANNEL
from bot.channels.zalo.quota import month_of

FLOOD = 1_600
POSTERS = 8  # the flood arrives on this many connections at once, as a platform retrying in parallel would


async def _zalo_usage(app, account: str) -> int:
    async with app.db.transaction() as repos:
        return (await repos.usage.get(CHANNEL, account, month_of(app.clock(), app.settings.tz))).count


async def test_a_stranger_flood_gets_two_replies_and_does_not_delay_registered_people(tmp_path, clock):
    fake = await FakeZalo().start()
    app = await zalo_app(fake, f"sqlite+aiosqlite:///{tmp_path}/flood.db", clock, webhook=True,
                         inbound_per_minute=20)
    try:
        async with running(app, tmp_path) as channel:
            await wait_until(lambda: fake.webhook_url)
            reporter = "reporter-zalo"
            assert await fake.deliver(text_update(reporter, f"/start {await invite_code(app)}")) == 200
            await wait_until(lambda: len(fake.texts_to(reporter)) >= 2)
            used_before = await _zalo_usage(app, channel.client.account)
            stranger_updates = [text_update("stranger-zalo", "hi") for _ in range(FLOOD)]

            async def poster(share):
                for update in share:
                    assert await fake.deliver(update) == 200

            flood = asyncio.gather(*(poster(stranger_updates[n::POSTERS]) for n in range(POSTERS)))
            delays = []
            for text in ("/trogiup", "/lich", "/trogiup", "/lich", "/trogiup"):
                await asyncio.sleep(0.2)
                seen, started = len(fake.texts_to(reporter)), time.monotonic()
                assert await fake.deliver(text_update(reporter, text)) == 200
                await wait_until(lambda seen=seen: len(fake.texts_to(reporter)) > seen)
                delays.append(time.monotonic() - started)
            await flood
            await asyncio.sleep(0.5)  # loopback: anything still queued for the stranger would be sent by now
            to_stranger = fake.texts_to("stranger-zalo")
            used = await _zalo_usage(app, channel.client.account) - used_before
    finally:
        await app.close()
        await fake.stop()
    print(f"flood of {FLOOD}: {len(to_stranger)} replies to the stranger, {used} Zalo messages used, "
          f"registered replies after {', '.join(f'{d:.2f}' for d in delays)} s")
    assert len(to_stranger) <= 2
    assert used <= 2 + len(delays) * 2  # the stranger's two, and the reporter's own answers
    assert max(delays) < 1.0, delays


async def test_a_registered_person_over_the_limit_is_told_once_to_slow_down(tmp_path, clock):
    from support.app import make_app

    app = await make_app(f"sqlite+aiosqlite:///{tmp_path}/rate.db", clock, inbound_per_minute=5)
    try:
        recorder = attach_recorder(app)
        reporter = ChatUser(app, recorder, "reporter")
        t = app.translator.for_language("vi")
        answered = [await reporter.say("/lich") for _ in range(5)]
        assert all(answered)
        assert await reporter.say("/lich") == [t("rate.slow_down", per_minute=5)]
        assert [await reporter.say("/lich") for _ in range(10)] == [[]] * 10  # told once, then not handled
        assert await ChatUser(app, recorder, "chair").say("/lich")  # others are not affected
        clock.advance(minutes=1)
        assert await reporter.say("/lich")  # a minute later all is well again
    finally:
        await app.close()


async def test_a_stranger_is_answered_twice_a_day_whatever_they_send(app, clock):
    recorder = attach_recorder(app)
    t = app.translator.for_language("vi")
    stranger = ChatUser(app, recorder, "stranger")
    replies = [await stranger.say(text) for text in ("hi", "alo", "/baocao", "?", "hello")]
    assert replies == [[t("start.unregistered")], [t("start.unregistered_reminder")], [], [], []]
    clock.advance(days=1)
    assert await stranger.say("hi") == [t("start.unregistered")]
    code = await invite_code(app)
    assert "Chào đồng chí" in (await stranger.say(f"/start {code}"))[0]  # registering always works
