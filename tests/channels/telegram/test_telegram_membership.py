"""The bot added to or removed from a Telegram group: a neutral inbound the groups flow records, silently."""

from __future__ import annotations

from support.telegram_harness import TgUser, telegram_bot

ADMIN, STRANGER, GROUP = 601, 602, -1009876543
BOT_MEMBER = {"user": {"id": 7000000001, "is_bot": True, "first_name": "MTTQ"}}


def _change(by: int, status: str, old: str) -> dict:
    return {"my_chat_member": {
        "chat": {"id": GROUP, "type": "supergroup", "title": "MTTQ thôn Nà Pài"},
        "from": {"id": by, "is_bot": False, "first_name": "Người"}, "date": 1795500000,
        "old_chat_member": {**BOT_MEMBER, "status": old}, "new_chat_member": {**BOT_MEMBER, "status": status}}}


async def _group(h):
    async with h.app.db.transaction() as repos:
        return await repos.chats.get("telegram", str(GROUP))


async def test_added_by_a_known_admin_the_group_joins_the_commune_and_nobody_is_answered(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        admin = TgUser(h, ADMIN)
        await admin.say(f"/start {await h.invite('admin', None)}")
        sent_before = len(h.fake.calls)
        await h.deliver(_change(ADMIN, "member", "left"))
        chat = await _group(h)
        async with h.app.db.transaction() as repos:
            commune = (await repos.directory.communes())[0]
        assert (chat.kind, chat.active, chat.title, chat.commune_id) == ("group", True, "MTTQ thôn Nà Pài", commune.id)
        assert not chat.registered  # registering stays a deliberate /dangkynhom
        assert not [c for c in h.fake.calls[sent_before:] if c.method.startswith("send")]
        await h.deliver(_change(ADMIN, "left", "member"))
        assert not (await _group(h)).active


async def test_added_by_a_stranger_the_group_is_remembered_without_a_commune(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        await h.deliver(_change(STRANGER, "member", "left"))
        chat = await _group(h)
        assert chat.active and chat.commune_id is None
        assert not h.fake.of("sendMessage", GROUP) and not h.fake.of("sendMessage", STRANGER)
