"""Telegram end to end: the real app and channel against the fake Bot API, by polling and by webhook."""

from __future__ import annotations

import asyncio

from support.fake_telegram import text_update
from support.report_menu import NGAY_HOI, NGAY_HOI_GROUP
from support.telegram_harness import TOKEN, TgUser, telegram_bot

from bot.channels.telegram.webhook import SECRET_HEADER, ensure_webhook, webhook_path

ALICE = 501


async def registered(h, role: str = "reporter") -> TgUser:
    alice = TgUser(h, ALICE)
    code = await h.invite(role)
    welcome = await alice.say(f"/start {code.replace('-', '')}")  # what the t.me deep link sends
    assert "Chào đồng chí" in welcome[0]
    return alice


async def report_festival_by_buttons(alice: TgUser) -> list[str]:
    menu = await alice.say("/baocao")
    assert NGAY_HOI_GROUP in menu[0]  # the numbered list is in the text too
    await alice.press("Ngày hội")  # the group "Ngày hội, mô hình ở khu dân cư"
    await alice.press("Ngày hội")  # then its form
    for text in ("hôm qua", "Nhà văn hóa thôn", "120 người"):
        await alice.say(text)
    await alice.press("Có")
    for text in ("bỏ qua", "bỏ qua", "bỏ qua"):
        await alice.say(text)
    return await alice.press("Gửi báo cáo")


async def test_register_by_deep_link_report_with_buttons_and_edit_by_polling(database_url, clock):
    await _report_and_edit(database_url, clock, webhook=False)


async def test_register_by_deep_link_report_with_buttons_and_edit_by_webhook(sqlite_url, clock):
    await _report_and_edit(sqlite_url, clock, webhook=True)


async def _report_and_edit(database_url, clock, *, webhook: bool) -> None:
    async with telegram_bot(database_url, clock, webhook=webhook) as h:
        alice = await registered(h)
        receipt = await report_festival_by_buttons(alice)
        assert "Đã ghi báo cáo số 1" in receipt[0]
        pressed = h.fake.of("editMessageText", ALICE)
        assert pressed and pressed[-1].params["text"].endswith("✓ Gửi báo cáo")  # chat shows what was chosen
        assert not pressed[-1].params.get("reply_markup")  # and its buttons are gone

        listing = await alice.say("/cuatoi")
        assert "24/11 Ngày hội Đại đoàn kết… (số 1)" in listing[0]
        await alice.press("(số 1)")
        await alice.press("Sửa")
        await alice.press("Địa điểm")
        edited = await alice.say("Sân thể thao thôn")
        assert any("Sân thể thao thôn" in text for text in edited)
        async with h.app.db.transaction() as repos:
            assert (await repos.reports.get(1)).answers["dia_diem"] == "Sân thể thao thôn"


async def test_typed_numbers_work_like_buttons_and_old_buttons_are_refused(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        alice = await registered(h)
        await alice.say("/baocao")
        old_menu, old_buttons = h.fake.last_keyboard(ALICE)
        await alice.say("1")  # typed instead of pressed
        assert h.fake.of("editMessageReplyMarkup", ALICE)[-1].params["message_id"] == old_menu  # old buttons removed
        await alice.say("1")  # the group's first form
        for text in ("hôm qua", "Nhà văn hóa thôn", "120", "1", "bỏ qua", "bỏ qua", "bỏ qua"):
            await alice.say(text)
        assert "Đã ghi báo cáo số 1" in (await alice.say("1"))[0]

        again = await alice.press_data(old_menu, old_buttons[0]["callback_data"])  # a stale button pressed later
        assert again == []  # not re-applied: no new report started
        alert = h.fake.of("answerCallbackQuery")[-1].params
        assert alert["show_alert"] is True and "đã qua" in alert["text"]
        garbled = await alice.press_data(old_menu, "not-our-data")
        assert garbled == [] and "đã qua" in h.fake.of("answerCallbackQuery")[-1].params["text"]

        await alice.say("/baocao")
        menu, buttons = h.fake.last_keyboard(ALICE)
        assert NGAY_HOI in (await alice.press_data(menu, buttons[0]["callback_data"]))[0]  # the group's forms
        assert await alice.press_data(menu, buttons[0]["callback_data"]) == []  # a double tap counts once


async def test_old_buttons_come_off_aside_and_never_hold_up_the_reply(sqlite_url, clock, monkeypatch):
    monkeypatch.setattr("bot.channels.telegram.sender.COSMETIC_WAIT", 0.5)
    async with telegram_bot(sqlite_url, clock) as h:
        alice = await registered(h)
        await alice.say("/baocao")
        old_menu, _ = h.fake.last_keyboard(ALICE)
        answered, platform_answers = asyncio.Event(), asyncio.Event()
        edit = h.fake._m_editMessageReplyMarkup

        async def slow_edit(params: dict, call) -> dict:  # the platform sits on the edit until told
            await platform_answers.wait()
            answered.set()
            return await edit(params, call)

        h.fake._m_editMessageReplyMarkup = slow_edit
        for typed in ("1", "1"):  # typed instead of pressed: the group, then its form; each closes a menu
            sent = len(h.fake.of("sendMessage", ALICE))
            h.fake.push(text_update(ALICE, typed))
            await h._settled(h.fake.updates[-1]["update_id"])
            async with asyncio.timeout(5):
                await h.app.outbox.drain()
            assert len(h.fake.of("sendMessage", ALICE)) == sent + 1  # the answer went, the edit still unanswered
            assert not answered.is_set()
        async with asyncio.timeout(5):  # an edit that cannot go within COSMETIC_WAIT is dropped, not waited for
            await h.channel.sender.settled()
        assert not answered.is_set()
        platform_answers.set()
        await alice.say("hôm qua")
        assert answered.is_set() and h.fake.of("editMessageReplyMarkup", ALICE)[-1].params["message_id"] != old_menu


async def test_photo_attached_is_fetched_with_get_file_and_stored(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        alice = await registered(h)
        await alice.say("/baocao")
        await alice.press("Ngày hội")  # the group, then its form
        await alice.press("Ngày hội")
        for text in ("hôm qua", "Nhà văn hóa thôn", "120", "có", "bỏ qua"):
            await alice.say(text)
        assert h.fake.of("getFile") == []  # a photo is downloaded only when a form waits for one
        image = b"\xff\xd8\xff\xe0 fake jpeg bytes"
        await alice.send_photo("big-photo", image)
        assert [c.params["file_id"] for c in h.fake.of("getFile")] == ["big-photo"]  # the largest size
        await alice.say("bỏ qua")
        assert "Đã ghi báo cáo số 1" in (await alice.press("Gửi báo cáo"))[0]
        async with h.app.db.transaction() as repos:
            report = await repos.reports.get(1)
            stored = await repos.files.get(report.answers["anh"])
        assert stored.content == image and stored.report_id == 1


async def test_webhook_secret_replays_and_set_webhook(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock, webhook=True) as h:
        path = webhook_path(h.app.settings.webhook_secret.get_secret_value())
        for header in ({}, {SECRET_HEADER: "wrong-secret-123"}):
            response = await h.web.post(path, json=text_update(ALICE, "/start"), headers=header)
            assert response.status == 403
        await h.app.outbox.drain()
        assert h.fake.texts(ALICE) == []  # refused before the body was read: nothing handled

        update = text_update(ALICE, "/trogiup")
        await h.deliver(update)
        await h.deliver(update)  # Telegram retries a webhook call it thinks failed
        assert len(h.fake.texts(ALICE)) == 1

        expected = f"https://bot.example.org{path}"
        assert h.fake.webhook_url == expected and len(h.fake.of("setWebhook")) == 1
        assert await ensure_webhook(h.channel.bot, expected, "another-secret") is False  # same URL: not set again
        assert len(h.fake.of("setWebhook")) == 1


async def test_token_never_reaches_the_logs(sqlite_url, clock, caplog):
    caplog.set_level("DEBUG")
    async with telegram_bot(sqlite_url, clock) as h:
        h.fake.fail_next("sendMessage", retry_after=1)
        await TgUser(h, ALICE).say("xin chào")
    assert TOKEN not in caplog.text
