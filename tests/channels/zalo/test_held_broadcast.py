"""A broadcast held by Zalo's monthly budget says why and until when: in /thongbao trạng thái and mttq-bot status."""

from __future__ import annotations

from support.app import ChatUser, attach_recorder
from support.broadcast_data import populate
from support.fake_zalo import FakeZalo

from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.quota import ZaloQuota, month_of
from bot.channels.zalo.sender import ZaloSender
from bot.status import print_status


async def test_a_held_broadcast_says_why_and_until_when(app, clock, capsys):
    fake = await FakeZalo().start()
    client = ZaloClient(fake.token, fake.url)
    try:
        recorder = attach_recorder(app)
        quota = ZaloQuota(app.db.transaction, app.translator, app.clock, app.settings.tz, client.account, 100)
        app.add_sender(ZaloSender(client, app.translator, app.web.file_url, quota))
        async with app.db.transaction() as repos:
            await populate(repos, clock(), reporters=3, channels=("zalo",), without_chat=0)
            await repos.usage.add("zalo", client.account, month_of(clock(), app.settings.tz), 85)  # 15% left
        chair = ChatUser(app, recorder, "chair")
        await chair.say("/thongbao")
        await chair.say("Họp Ban công tác Mặt trận toàn xã")
        await chair.say("1")
        assert "Đã xếp thông báo số 1" in (await chair.say("1"))[0]
        assert fake.sent == []  # under 20% left: the broadcast waits, replies and reminders keep the rest
        status = (await chair.say("/thongbao trạng thái"))[0]
        assert "đã gửi 0, đang chờ 3, lỗi 0" in status
        assert ("3 tin đang giữ lại: phần còn lại của hạn mức tin Zalo tháng này dành cho trả lời và nhắc việc; "
                "sẽ gửi tiếp lúc 00:00 01/12/2026") in status
        capsys.readouterr()
        assert await print_status(app) == 0
        out = capsys.readouterr().out
        assert ("3 tin đang giữ lại: phần còn lại của hạn mức tin Zalo tháng này dành cho trả lời và nhắc việc; "
                "sẽ gửi tiếp lúc 00:00 01/12/2026") in out
    finally:
        await client.close()
        await fake.stop()
