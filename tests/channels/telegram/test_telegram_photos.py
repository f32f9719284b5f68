"""Photos first and what the bot cannot read, over the fake Telegram (issue 17.2, 17.5)."""

from __future__ import annotations

from support.fake_telegram import text_update
from support.telegram_harness import TgUser, telegram_bot

ALICE = 777001


async def registered(h) -> TgUser:
    alice = TgUser(h, ALICE)
    code = await h.invite("reporter")
    assert "Chào đồng chí" in (await alice.say(f"/start {code}"))[0]
    return alice

IMAGE = b"\xff\xd8\xff\xe0 fake jpeg bytes"


async def test_a_photo_first_then_the_report_in_one_sentence(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        alice = await registered(h)
        [which] = await alice.send_photo("first-photo", IMAGE)
        assert "Ảnh này thuộc báo cáo nào?" in which
        assert [c.params["file_id"] for c in h.fake.of("getFile")] == ["first-photo"]  # kept at once
        *summary, question = await alice.say("hôm qua ngày hội ở nhà văn hóa 150 người, có đánh giá hương ước")
        summary = "\n".join(summary)
        assert "Xin kiểm tra lại báo cáo" in summary and "📷 Gửi kèm 1 ảnh" in summary  # over 300 characters with
        assert question.startswith("Gửi báo cáo này?")  # its menu: the answers, then the question (issue 15.7)
        assert "Đã ghi báo cáo số 1" in (await alice.press("Gửi báo cáo"))[0]
        async with h.app.db.transaction() as repos:
            report = await repos.reports.get(1)
            stored = await repos.files.get(report.answers["anh"])
        assert stored.content == IMAGE and stored.report_id == 1


async def test_a_location_or_a_sticker_in_a_form_is_answered_and_the_form_goes_on(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock) as h:
        alice = await registered(h)
        await alice.say("/baocao")
        await alice.press("Ngày hội")  # the group, then its form
        await alice.press("Ngày hội")
        location = text_update(alice.user_id, "")
        del location["message"]["text"]
        location["message"]["location"] = {"latitude": 22.1, "longitude": 105.8}
        reason, question = await alice._after(location)
        assert "chưa đọc được vị trí" in reason and "(1/7) Ngày tổ chức?" in question
        sticker = text_update(alice.user_id, "")
        del sticker["message"]["text"]
        sticker["message"]["sticker"] = {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1,
                                         "is_animated": False, "is_video": False, "type": "regular"}
        reason, question = await alice._after(sticker)
        assert "chưa hiểu nhãn dán" in reason and "(1/7)" in question
        assert "(2/7)" in (await alice.say("hôm qua"))[0]
