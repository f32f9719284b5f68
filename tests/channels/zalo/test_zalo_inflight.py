"""Several Zalo updates in flight (bot/channels/zalo/inflight.py): recorded in the inbox first, polled on while
handled, one chat's updates in order, other chats not held up; what a crash leaves in the inbox is handled at the
next start, once."""

from __future__ import annotations

import asyncio

from support.app import invite_code, make_app
from support.fake_zalo import text_update
from support.zalo_harness import USER, ZaloUser, running, wait_until, zalo_app

from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.inflight import InFlight, update_key
from bot.channels.zalo.polling import Poller


async def inbox(app) -> list[str]:
    async with app.db.transaction() as repos:
        return [key for key, _ in await repos.inbox.waiting("zalo")]


async def test_the_poller_polls_on_while_a_chat_is_handled_and_keeps_each_chats_order(fake, sqlite_url, clock):
    app = await make_app(sqlite_url, clock, demo=False)
    gate = asyncio.Event()
    handled: list[str] = []

    async def on_update(update: dict) -> bool:
        text = update["message"]["text"]
        if text == "A1":
            await gate.wait()  # a slow first message in chat A (a big report, a photo download)
        handled.append(text)
        return True

    client = ZaloClient(fake.token, fake.url)
    inflight = InFlight(app.db.transaction, app.clock, on_update)
    poller = Poller(client, on_update, min_interval=0.01, inflight=inflight)
    updates = {text: text_update(chat, text) for chat, text in (("a", "A1"), ("b", "B1"), ("a", "A2"), ("c", "C1"),
                                                                 ("b", "B2"))}
    for update in updates.values():
        fake.push(update)
    task = asyncio.create_task(poller.run())
    await wait_until(lambda: sorted(handled) == ["B1", "B2", "C1"])  # B and C go on while A1 is being handled
    assert handled.index("B1") < handled.index("B2")  # each chat in Zalo's order
    recorded = set(await inbox(app))  # all five polled and recorded (handled ones leave it a little later)
    assert fake.pending == 0 and {update_key(updates["A1"]), update_key(updates["A2"])} <= recorded
    gate.set()
    await wait_until(lambda: len(handled) == 5)
    assert handled[3:] == ["A1", "A2"]  # chat A in Zalo's order
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await inbox(app) == []  # handled ones leave the inbox
    await client.close()
    await app.close()


async def test_a_crash_leaves_recorded_updates_that_the_next_start_handles_once(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    code = await invite_code(app)
    updates = [text_update(USER, f"/start {code}"), text_update(USER, "/trogiup")]
    async with app.db.transaction() as repos:  # what a crash right after two polls leaves behind
        await repos.inbox.record_many("zalo", [(update_key(u), u) for u in updates], clock())
    async with running(app, tmp_path):
        await wait_until(lambda: len(fake.texts_to(USER)) >= 2)
        user = ZaloUser(app, fake, USER)
        assert "Chào đồng chí" in fake.texts_to(USER)[0]  # handled in order: registered, then the help
        await user.say("/trogiup")  # the bot goes on as usual
    assert await inbox(app) == []
    async with app.db.transaction() as repos:  # recorded again (a replay): the ledger handles it once
        await repos.inbox.record_many("zalo", [(update_key(updates[1]), updates[1])], clock())
    sent = len(fake.sent)
    async with running(app, tmp_path):
        await wait_until(lambda: _inbox_empty(app))
    assert len(fake.sent) == sent
    await app.close()


async def _inbox_empty(app) -> bool:
    return await inbox(app) == []
