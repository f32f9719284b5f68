""""typing…" while a reply is slow (and only then), over the Telegram fake; the summary's render shows it too
(tests/channels/test_summary_channels.py, both platforms)."""

from __future__ import annotations

import asyncio

from support.fake_telegram import BOT_ID, BOT_USERNAME, text_update, user
from support.telegram_harness import TgUser, telegram_bot

ALICE, GROUP = 801, -1008000001
SLOW_HANDLING = 0.3  # seconds every message takes in the last test: far above the indicator's 0 s
SLOW_DOWNLOAD = 1.2  # seconds the fake takes to hand over a photo: a slow platform
AFTER = 0.5  # WORKING_INDICATOR_SECONDS here; far above a quick reply's handling (milliseconds)


async def test_a_slow_reply_shows_typing_and_a_quick_one_does_not(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock, working_indicator_seconds=AFTER) as h:
        alice = TgUser(h, ALICE)
        await alice.say(f"/start {await h.invite()}")
        await alice.say("/trogiup")
        assert h.fake.of("sendChatAction", ALICE) == []
        h.fake.download_delay = SLOW_DOWNLOAD
        replies = await alice.send_photo("photo-1", b"\xff\xd8 a jpeg")
        [action] = h.fake.of("sendChatAction", ALICE)  # once: the repeat comes after 4 s
        assert action.params["action"] == "typing" and replies
        assert action.at < h.fake.of("sendMessage", ALICE)[-1].at


async def test_typing_is_shown_where_someone_waits_for_an_answer(sqlite_url, clock):
    """With every message slow to handle: a private message and a command to the bot in a group show it; group
    chatter not for the bot and the bot being added to a group do not (nobody waits for an answer)."""
    async with telegram_bot(sqlite_url, clock, working_indicator_seconds=0) as h:
        handle = h.app.pipeline.process

        async def slowly(*args, **kwargs):
            await asyncio.sleep(SLOW_HANDLING)
            return await handle(*args, **kwargs)

        h.app.pipeline.process = slowly
        group = {"id": GROUP, "type": "supergroup", "title": "Thôn Nà Pài"}
        await h.deliver(text_update(ALICE, "Chiều nay họp lúc 3 giờ", chat=group))
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "MTTQ", "username": BOT_USERNAME}
        await h.deliver({"my_chat_member": {
            "chat": group, "from": user(ALICE), "date": 1795500000,
            "old_chat_member": {"user": bot, "status": "left"}, "new_chat_member": {"user": bot, "status": "member"}}})
        assert h.fake.of("sendChatAction") == []
        await h.deliver(text_update(ALICE, f"/trogiup@{BOT_USERNAME}", chat=group))
        assert len(h.fake.of("sendChatAction", GROUP)) == 1
        await h.deliver(text_update(ALICE, "xin chào"))
        assert len(h.fake.of("sendChatAction", ALICE)) == 1


async def test_a_slow_reply_shows_typing_on_zalo(sqlite_url, clock, tmp_path):
    from support.fake_zalo import FakeZalo
    from support.zalo_harness import USER, ZaloUser, running, zalo_app

    fake = await FakeZalo().start()
    app = await zalo_app(fake, sqlite_url, clock, working_indicator_seconds=0)
    handle = app.pipeline.process

    async def slowly(*args, **kwargs):
        await asyncio.sleep(SLOW_HANDLING)
        return await handle(*args, **kwargs)

    app.pipeline.process = slowly
    try:
        async with running(app, tmp_path):
            assert await ZaloUser(app, fake, USER).say("xin chào")
        assert fake.chat_actions == [(USER, "typing")]
    finally:
        await app.close()
        await fake.stop()
