"""Photos first, albums and what the bot cannot read, over the fake Zalo (issue 17.2, 17.5)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from support.app import invite_code
from support.fake_zalo import PNG, FakeZalo, image_update, new_message_id
from support.report_menu import NGAY_HOI, NGAY_HOI_GROUP, open_form
from support.zalo_harness import USER, ZaloUser, running, wait_until, zalo_app

from storage.models import StoredFile

SENTENCE = "hôm qua ngày hội ở nhà văn hóa 150 người"


@pytest.fixture
async def fake():
    server = await FakeZalo().start()
    for n in range(25):
        server.media[f"anh{n}.jpg"] = PNG + bytes([n])  # 25 different small photos
    server.big_media["big.jpg"] = 6 * 1024 * 1024  # over the 5 MB a photo may be
    yield server
    await server.stop()


@pytest.fixture
async def zalo(fake, sqlite_url, clock, tmp_path):
    app = await zalo_app(fake, sqlite_url, clock)
    code = await invite_code(app)
    async with running(app, tmp_path):
        user = ZaloUser(app, fake, USER)
        await user.say(f"/start {code}")
        yield app, user
    await app.close()


async def _kept(app) -> list[int]:
    """The photos the open conversation keeps (an album's photos get no answer each)."""
    async with app.db.transaction() as repos:
        row = await repos.conversations.get("zalo", USER, USER)
    return (row.state.get("files") or row.state.get("photos") or []) if row else []


async def _album(app, fake: FakeZalo, names: list[str], kept: int) -> None:
    """Photos after the first: pushed one per message, as Zalo delivers an album; wait until they are handled."""
    for name in names:
        fake.push(image_update(USER, fake.media_url(name)))
    await wait_until(lambda: _count_is(app, kept))


async def _count_is(app, kept: int) -> bool:
    return len(await _kept(app)) == kept


async def _reports(app) -> list:
    """Each report and the ids of the files attached to it."""
    async with app.db.transaction() as repos:
        reports = await repos.reports.in_commune(1, date(2026, 1, 1), date(2026, 12, 31))
        files = (await repos.session.execute(select(StoredFile.id, StoredFile.report_id)
                                             .order_by(StoredFile.id))).all()
    return [(r, [f for f, owner in files if owner == r.id]) for r in reports]


async def test_a_photo_first_then_a_new_report(zalo, fake):
    app, user = zalo
    [which] = await user.send_photo(fake.media_url("anh0.jpg"))
    assert "Ảnh này thuộc báo cáo nào?" in which and "1. Báo cáo mới" in which
    assert NGAY_HOI_GROUP in (await user.say("1"))[0]  # the activity menu, its groups first
    [question] = await user.say(NGAY_HOI)
    assert "📷 Gửi kèm 1 ảnh" in question and "(1/7) Ngày tổ chức?" in question
    for text in ("hôm qua", "Nhà văn hóa", "120"):
        await user.say(text)
    *summary, question = await user.say("có")  # the check: answers, then "Gửi báo cáo này?" (over 300 together)
    summary = "\n".join(summary)
    assert question.startswith("Gửi báo cáo này?")
    assert "📷 Gửi kèm 1 ảnh" in summary and "- Ảnh hoạt động: đã gửi ảnh" in summary
    assert "Đã ghi báo cáo số 1" in (await user.say("1"))[0]
    [(report, files)] = await _reports(app)
    assert report.answers["anh"] == files[0] and len(files) == 1


async def test_an_album_goes_to_a_recent_report(zalo, fake):
    app, user = zalo
    for text in (SENTENCE, "có", "1"):
        await user.say(text)
    [which] = await user.send_photo(fake.media_url("anh0.jpg"))
    assert "1. Báo cáo số 1: Ngày hội Đại đoàn kết toàn dân tộc (24/11)" in which and "2. Báo cáo mới" in which
    await _album(app, fake, ["anh1.jpg", "anh2.jpg"], kept=3)  # no answer per photo: the question stands
    [done] = await user.say("1")
    assert "Đã gắn 3 ảnh vào báo cáo số 1" in done
    [(report, files)] = await _reports(app)
    assert len(files) == 3 and report.answers["anh"] == files[0]


async def test_twenty_photos_at_once_keep_the_plan_limit_and_say_so_once(zalo, fake):
    app, user = zalo
    [which] = await user.send_photo(fake.media_url("anh0.jpg"))
    assert "tối đa 10 ảnh" in which
    before = len(fake.texts_to(USER))
    await _album(app, fake, [f"anh{n}.jpg" for n in range(1, 20)], kept=10)
    await wait_until(lambda: len(fake.texts_to(USER)) > before)
    assert fake.texts_to(USER)[before:] == ["Một báo cáo nhận tối đa 10 ảnh; các ảnh gửi thêm không được lưu."]
    await user.say(SENTENCE)  # the report typed after the photos takes them
    await user.say("có")
    assert "Đã ghi báo cáo số 1" in (await user.say("1"))[0]
    [(_report, files)] = await _reports(app)
    assert len(files) == 10


async def test_a_caption_is_read_as_the_report(zalo, fake):
    app, user = zalo
    [question] = await user.send_photo(fake.media_url("anh0.jpg"), caption=SENTENCE)
    assert "- Số người tham gia: 150 người" in question and "📷 Gửi kèm 1 ảnh" in question and "(4/7)" in question
    await user.say("có")
    assert "Đã ghi báo cáo số 1" in (await user.say("1"))[0]
    [(report, files)] = await _reports(app)
    assert report.answers["dia_diem"] == "nhà văn hóa" and report.answers["anh"] == files[0]


async def test_a_photo_over_the_size_limit_is_answered_and_not_kept(zalo, fake):
    app, user = zalo
    [answer] = await user.send_photo(fake.media_url("big.jpg"))
    assert "Chưa tải được ảnh này" in answer and "5 MB" in answer
    assert await _kept(app) == []


async def test_a_photo_during_a_report_is_kept_for_it(zalo, fake):
    app, user = zalo
    await open_form(user.say)
    [kept] = await user.send_photo(fake.media_url("anh0.jpg"))
    assert "sẽ gửi kèm báo cáo này" in kept
    for text in ("hôm qua", "Nhà văn hóa", "120", "có", "xong"):
        await user.say(text)
    assert "Đã ghi báo cáo số 1" in (await user.say("1"))[0]
    [(report, files)] = await _reports(app)
    assert report.answers["anh"] == files[0]


@pytest.mark.parametrize("event, expected", [
    ("message.voice.received", "chưa nghe được tin nhắn thoại"),
    ("message.sticker.received", "chưa hiểu nhãn dán"),
    ("message.unsupported.received", "chỉ nhận tin nhắn chữ và ảnh"),  # files, locations, contacts on Zalo
])
async def test_what_the_bot_cannot_read_is_said_and_the_form_goes_on(zalo, event, expected):
    _app, user = zalo
    await open_form(user.say)
    update = {"event_name": event, "message": {
        "message_id": new_message_id(), "date": 1795568400000,
        "from": {"id": USER, "display_name": "Trưởng thôn", "is_bot": False},
        "chat": {"id": USER, "chat_type": "PRIVATE"}}}
    reason, question = await user.send(update)
    assert expected in reason and "(1/7) Ngày tổ chức?" in question
    assert "(2/7)" in (await user.say("hôm qua"))[0]
