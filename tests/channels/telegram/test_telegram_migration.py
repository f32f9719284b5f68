"""A group upgraded to a supergroup keeps its registration, preferences and queued messages under the new id,
whichever way Telegram tells the bot: the service messages in either chat, or a send refused with the new id."""

from __future__ import annotations

import time

from support.fake_telegram import BOT_USERNAME, text_update, user
from support.telegram_harness import TgUser, telegram_bot

from core.messages import Reply

CHAIR = 701
OLD, NEW = -4001, -1004001


async def _registered_group(h, *, summaries: bool = True) -> None:
    """The chair registers the (basic) group OLD and, optionally, turns summaries off for it."""
    await TgUser(h, CHAIR, "Chủ tịch").say(f"/start {await h.invite('chair', 'Ủy ban MTTQ Việt Nam xã')}")
    group = {"id": OLD, "type": "group", "title": "MTTQ xã Nam Cường"}
    await h.deliver(text_update(CHAIR, f"/dangkynhom@{BOT_USERNAME}", chat=group))
    async with h.app.db.transaction() as repos:
        chat = await repos.chats.get("telegram", str(OLD))
        assert chat.registered
        if not summaries:
            await repos.groups.set_preference(chat.id, "summaries", False)


async def _group(h, chat_id: int):
    async with h.app.db.transaction() as repos:
        chat = await repos.chats.get("telegram", str(chat_id))
        if chat is None:
            return None, None
        groups = await repos.groups.registered(chat.commune_id) if chat.commune_id else []
        return chat, next((prefs for row, prefs in groups if row.id == chat.id), None)


def _service(chat: dict, **field: int) -> dict:
    return {"message": {"message_id": 9, "date": int(time.time()), "chat": chat, "from": user(CHAIR), **field}}


async def test_the_migrate_service_messages_move_registration_and_preferences(database_url, clock):
    async with telegram_bot(database_url, clock) as h:
        await _registered_group(h, summaries=False)
        old_chat, _ = await _group(h, OLD)
        await h.deliver(_service({"id": OLD, "type": "group", "title": "MTTQ xã Nam Cường"}, migrate_to_chat_id=NEW))
        await h.deliver(_service({"id": NEW, "type": "supergroup", "title": "MTTQ xã Nam Cường"},
                                 migrate_from_chat_id=OLD))  # the second notice changes nothing
        moved, prefs = await _group(h, NEW)
        assert (moved.id, moved.registered, moved.commune_id) == (old_chat.id, True, old_chat.commune_id)
        assert prefs == {"reminders": True, "summaries": False, "broadcasts": True}
        assert (await _group(h, OLD))[0] is None
        await h.deliver(text_update(CHAIR, f"/trogiup@{BOT_USERNAME}", chat={"id": NEW, "type": "supergroup"}))
        assert h.fake.texts(NEW)  # the registered person is answered in the new chat


async def test_a_send_refused_with_the_new_id_moves_the_group_and_its_queue(database_url, clock):
    async with telegram_bot(database_url, clock) as h:
        await _registered_group(h)
        h.fake.migrated[OLD] = NEW
        async with h.app.db.transaction() as repos:
            for n in range(2):
                await repos.outbox.enqueue(channel="telegram", chat_id=str(OLD), dedupe_key=f"notice:{n}",
                                           payload=Reply(text=f"Thông báo {n}").to_payload(), now=clock())
        await h.app.outbox.drain()  # refused: the group and both messages move
        await h.app.outbox.drain()  # sent to the supergroup, in order, without waiting
        assert h.fake.texts(NEW) == ["Thông báo 0", "Thông báo 1"]
        assert (await _group(h, NEW))[0].registered and (await _group(h, OLD))[0] is None
        async with h.app.db.transaction() as repos:
            rows = await repos.outbox.for_chat("telegram", str(NEW))
        assert [row.status for row in rows] == ["sent", "sent"]


async def test_a_supergroup_seen_before_the_move_takes_over_the_registration(database_url, clock):
    async with telegram_bot(database_url, clock) as h:
        await _registered_group(h, summaries=False)
        async with h.app.db.transaction() as repos:  # a message from the new chat arrived first
            await repos.chats.remember("telegram", str(NEW), "group", title="MTTQ xã Nam Cường")
        await h.deliver(_service({"id": OLD, "type": "group"}, migrate_to_chat_id=NEW))
        moved, prefs = await _group(h, NEW)
        assert moved.registered and prefs["summaries"] is False
        old, _ = await _group(h, OLD)
        assert not old.registered and not old.active  # retired: nothing is sent there any more
