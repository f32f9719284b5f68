"""Telegram sending: 429 honoured through the outbox, blocked chats, splitting, files, groups, invite links."""

from __future__ import annotations

from datetime import timedelta

from support.fake_telegram import BOT_USERNAME, text_update
from support.telegram_harness import TgUser, telegram_bot

from bot.channels.telegram.links import bot_username, deep_link
from bot.channels.telegram.platform import LIMITS
from core.messages import FileOut, Reply
from storage.models import StoredFile

ALICE, GROUP = 501, -1001234567


async def test_429_delays_by_exactly_retry_after_and_loses_nothing(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        alice = TgUser(h, ALICE)
        h.fake.fail_next("sendMessage", retry_after=7, times=2)
        assert await alice.say("xin chào") == []
        async with h.app.db.transaction() as repos:
            row = (await repos.outbox.for_chat("telegram", str(ALICE)))[0]
        assert row.status == "pending" and row.next_attempt_at == clock() + timedelta(seconds=7)
        clock.advance(seconds=6.9)
        assert await h.app.outbox.drain() == 0
        clock.advance(seconds=0.1)
        assert await h.app.outbox.drain() == 0  # the second 429: seven seconds more
        clock.advance(seconds=7)
        assert await h.app.outbox.drain() == 1
        assert "mã mời" in h.fake.texts(ALICE)[-1]
        assert len(h.fake.of("sendMessage", ALICE)) == 3


async def test_blocked_user_marks_the_chat_inactive_and_unblocking_revives_it(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        alice = TgUser(h, ALICE)
        code = await h.invite()
        await alice.say(f"/start {code}")
        h.fake.blocked.add(ALICE)
        await alice.say("/trogiup")
        assert len(h.fake.of("sendMessage", ALICE)) == 3  # the refused one was tried once, not retried
        assert not await _chat_active(h, ALICE)
        member = {"user": {"id": 7000000001, "is_bot": True, "first_name": "MTTQ"}}
        change = {"chat": {"id": ALICE, "type": "private"}, "from": {"id": ALICE, "is_bot": False, "first_name": "A"},
                  "date": 1795500000, "old_chat_member": {**member, "status": "kicked", "until_date": 0},
                  "new_chat_member": {**member, "status": "member"}}
        await h.deliver({"my_chat_member": change})
        assert await _chat_active(h, ALICE)
        change["old_chat_member"], change["new_chat_member"] = change["new_chat_member"], change["old_chat_member"]
        await h.deliver({"my_chat_member": change})
        assert not await _chat_active(h, ALICE)


async def _chat_active(h, chat_id: int) -> bool:
    async with h.app.db.transaction() as repos:
        return (await repos.chats.get("telegram", str(chat_id))).active


async def test_long_text_is_split_at_4096_without_losing_a_word(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        text = "\n".join(f"Dòng {n}: thôn Nà Pài tổ chức Ngày hội Đại đoàn kết toàn dân tộc." for n in range(300))
        await h.channel.sender.send(str(ALICE), Reply(text=text))
        pieces = h.fake.texts(ALICE)
        assert len(text) // LIMITS.text + 1 <= len(pieces) <= len(text) // LIMITS.text + 2
        assert all(len(piece) <= LIMITS.text for piece in pieces)
        assert "\n".join(pieces).split() == text.split()


async def test_documents_go_as_files_and_images_as_photos(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        docx, png = b"PK\x03\x04 fake docx", b"\x89PNG fake chart"
        async with h.app.db.transaction() as repos:
            doc = await repos.files.add(StoredFile(kind="document", name="bao_cao_quy_IV.docx", size=len(docx),
                                                   mime="application/vnd.openxmlformats-officedocument."
                                                        "wordprocessingml.document", content=docx, created_at=clock()))
            chart = await repos.files.add(StoredFile(kind="photo", name="bieu_do.png", mime="image/png",
                                                     size=len(png), content=png, created_at=clock()))
        await h.channel.sender.send(str(ALICE), Reply(text="Báo cáo quý IV", document=FileOut(
            doc.id, doc.name, doc.mime)))
        await h.channel.sender.send(str(ALICE), Reply(text="Biểu đồ", photo=FileOut(chart.id, chart.name, chart.mime)))
        sent_doc, sent_photo = h.fake.of("sendDocument", ALICE)[0], h.fake.of("sendPhoto", ALICE)[0]
        assert sent_doc.files == {"bao_cao_quy_IV.docx": docx} and sent_doc.params["caption"] == "Báo cáo quý IV"
        assert list(sent_photo.files.values()) == [png] and sent_photo.params["caption"] == "Biểu đồ"


async def test_a_file_with_a_long_text_failing_at_the_text_resends_only_the_text(sqlite_url, clock):
    """File first, then the text (too long for a caption): a 429 on the text must not send the file twice."""
    async with telegram_bot(sqlite_url, clock) as h:
        docx = b"PK\x03\x04 fake docx"
        text = "Báo cáo quý IV: " + "thôn Nà Pài đã tổ chức Ngày hội. " * 60  # over the 1,024 of a caption
        async with h.app.db.transaction() as repos:
            doc = await repos.files.add(StoredFile(kind="document", name="bao_cao.docx", size=len(docx),
                                                   mime="application/octet-stream", content=docx, created_at=clock()))
            await repos.outbox.enqueue(channel="telegram", chat_id=str(ALICE), dedupe_key="doc-and-text",
                                       payload=Reply(text=text, document=FileOut(doc.id, doc.name, doc.mime))
                                       .to_payload(), now=clock())
        h.fake.fail_next("sendMessage", retry_after=90)  # longer than a later piece may wait inside one attempt
        assert await h.app.outbox.drain() == 0
        async with h.app.db.transaction() as repos:
            [row] = await repos.outbox.for_chat("telegram", str(ALICE))
        assert (row.status, row.parts_sent) == ("pending", 1)
        clock.advance(seconds=90)
        assert await h.app.outbox.drain() == 1
        assert len(h.fake.of("sendDocument", ALICE)) == 1 and h.fake.texts(ALICE)[-1] == text.strip()


async def test_a_429_on_a_later_piece_ends_the_attempt_and_the_outbox_sends_only_the_rest(sqlite_url, clock):
    """No retry inside the sender: one API call per piece per outbox attempt, however short the retry_after."""
    async with telegram_bot(sqlite_url, clock) as h:
        text = "\n".join(f"Dòng {n}: thôn Nà Pài tổ chức Ngày hội Đại đoàn kết toàn dân tộc." for n in range(100))
        async with h.app.db.transaction() as repos:
            await repos.outbox.enqueue(channel="telegram", chat_id=str(ALICE), dedupe_key="long-text",
                                       payload=Reply(text=text).to_payload(), now=clock())
        h.fake.fail_next("sendMessage", retry_after=2, after=1)
        assert await h.app.outbox.drain() == 0
        assert [c.ok for c in h.fake.of("sendMessage", ALICE)] == [True, False]  # tried once, not waited out
        async with h.app.db.transaction() as repos:
            [row] = await repos.outbox.for_chat("telegram", str(ALICE))
        assert (row.status, row.parts_sent, row.next_attempt_at) == ("pending", 1, clock() + timedelta(seconds=2))
        clock.advance(seconds=2)
        assert await h.app.outbox.drain() == 1
        assert [c.ok for c in h.fake.of("sendMessage", ALICE)] == [True, False, True]
        assert "\n".join(h.fake.texts(ALICE)).split() == text.split()


async def test_in_a_group_registered_people_are_answered_but_no_form_starts(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        chair, stranger = TgUser(h, ALICE, "Chủ tịch"), 999
        await chair.say(f"/start {await h.invite('chair', 'Ủy ban MTTQ Việt Nam xã')}")
        group = {"id": GROUP, "type": "supergroup", "title": "MTTQ xã Nam Cường"}
        await h.deliver(text_update(ALICE, f"/dangkynhom@{BOT_USERNAME}", chat=group))
        async with h.app.db.transaction() as repos:
            assert (await repos.chats.get("telegram", str(GROUP))).registered
        await h.deliver(text_update(ALICE, "/baocao", chat=group))
        assert "nhắn riêng" in h.fake.texts(GROUP)[-1]
        async with h.app.db.transaction() as repos:
            assert await repos.conversations.get("telegram", str(GROUP), str(ALICE)) is None
        before = len(h.fake.texts(GROUP))
        await h.deliver(text_update(stranger, "/baocao", chat=group))
        await h.deliver(text_update(ALICE, "Chiều nay họp lúc 3 giờ", chat=group))
        assert len(h.fake.texts(GROUP)) == before  # strangers and chatter get no answer


async def test_command_menus_are_scoped_and_translated(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock, webhook=True) as h:  # webhook mode: start-up tasks awaited
        await TgUser(h, ALICE).say(f"/start {await h.invite('chair', 'Ủy ban MTTQ Việt Nam xã')}")
        await h.channel._publish_menus()
        menus = {(c.params["scope"]["type"], c.params.get("language_code"), c.params["scope"].get("chat_id")):
                 {cmd["command"]: cmd["description"] for cmd in c.params["commands"]}
                 for c in h.fake.of("setMyCommands")}
        private = menus[("all_private_chats", None, None)]
        assert private["baocao"] == "Báo cáo một hoạt động" and "moi" not in private and "start" not in private
        assert menus[("all_private_chats", "en", None)]["baocao"] == "Report an activity"
        assert "baocao" not in menus[("all_group_chats", None, None)]
        assert menus[("chat", None, ALICE)]["moi"] == "Tạo mã mời người dùng mới"


async def test_a_chat_gets_its_menu_when_its_person_registers_and_again_in_a_new_language(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock, webhook=True) as h:  # start-up's menus done before she registers
        def chat_menus() -> list[dict[str, str]]:
            return [{cmd["command"]: cmd["description"] for cmd in c.params["commands"]}
                    for c in h.fake.of("setMyCommands") if c.params["scope"] == {"type": "chat", "chat_id": ALICE}]

        before = len(chat_menus())
        alice = TgUser(h, ALICE)
        await alice.say(f"/start {await h.invite('staff', 'Ủy ban MTTQ Việt Nam xã')}")
        menus = chat_menus()[before:]
        assert len(menus) == 1 and menus[0]["moi"] == "Tạo mã mời người dùng mới"  # no restart needed
        await alice.say("/ngonngu")
        await alice.say("2")
        menus = chat_menus()[before:]
        assert len(menus) == 2 and menus[1]["baocao"] == "Report an activity"


async def test_invite_deep_link_uses_the_configured_or_asked_username(sqlite_url, clock):
    assert deep_link("@mttq_bot", "ABCD-EFGH-JKMN-PQRS") == "https://t.me/mttq_bot?start=ABCDEFGHJKMNPQRS"
    async with telegram_bot(sqlite_url, clock) as h:
        assert await bot_username(h.app.settings) == BOT_USERNAME  # getMe on the fake
        named = h.app.settings.model_copy(update={"telegram_bot_username": "given_bot"})
        assert await bot_username(named) == "given_bot"
