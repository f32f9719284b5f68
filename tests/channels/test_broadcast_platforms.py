"""A broadcast to ~300 chats over the fake Zalo AND Telegram servers, with the process killed half-way:
after a restart every recipient has it, blocked Telegram users are failed and marked.

The outbox's guarantee after a crash is "at least once, at most one duplicate per chat": a message whose row
was claimed ("sending") when the process died may have reached the platform or not, and nobody can know, so it
is sent again; a row already marked sent never is. The test asserts exactly that, whatever the interleaving:
every chat once, and twice only if its row was in doubt at the crash."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

import pytest
from support.app import ChatUser, attach_recorder, make_app
from support.fake_telegram import FakeTelegram
from support.fake_zalo import FakeZalo
from support.telegram_harness import FAST_LIMITS
from support.telegram_harness import TOKEN as TG_TOKEN

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.zalo import ZaloChannel
from storage.models import Chat, Person

PEOPLE = 300  # half on Zalo, half on Telegram, plus one group on each
HANG_AFTER = 60  # messages each platform accepts before the process freezes mid-send
BLOCKED = {5_000_007, 5_000_041}  # Telegram users who blocked the bot (odd n: Telegram)
TEXT = "Họp Ban công tác Mặt trận toàn xã lúc 8 giờ sáng thứ Hai"


@dataclass
class FreezingZalo(FakeZalo):
    """Accepts `hang_after` messages, then holds every further send unanswered, like a frozen process."""

    hang_after: int = 10**9
    hanging: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)
    froze: asyncio.Event = field(default_factory=asyncio.Event)

    async def _m_sendMessage(self, body: dict):
        if len(self.sent) >= self.hang_after:
            self.hanging += 1
            self.froze.set()
            await self.release.wait()
            return await super()._m_sendMessage({})  # a 400 nobody reads: the process is gone
        return await super()._m_sendMessage(body)


class FreezingTelegram(FakeTelegram):
    """The same freeze on the Telegram side; frozen calls are not counted as delivered."""

    def __init__(self, token: str, hang_after: int, froze: asyncio.Event) -> None:
        super().__init__(token)
        self.hang_after, self.accepted, self.hanging, self.release = hang_after, 0, 0, asyncio.Event()
        self.froze = froze  # shared with the Zalo fake: set when either platform froze

    async def _m_sendMessage(self, params: dict, call):
        if self.accepted >= self.hang_after:
            self.hanging, call.ok, params["_frozen"] = self.hanging + 1, False, True
            self.froze.set()
            await self.release.wait()
            return {}  # an answer nobody reads: the process is gone
        self.accepted += 1
        return await super()._m_sendMessage(params, call)


def zalo_id(n: int) -> str:
    return f"{n:020x}"


async def _people_with_chats(app) -> tuple[set[str], set[str]]:
    """PEOPLE reporters round robin over the demo units, one private chat each; a registered group per platform."""
    zalo, telegram = {"g-zalo-0000000000001"}, {"-1001000000001"}
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        units = [u for u in await repos.directory.units(commune.id) if u.kind != "commune"]
        people = [Person(commune_id=commune.id, unit_id=units[n % len(units)].id, name=f"Người {n:03d}",
                         role="reporter", created_at=app.clock()) for n in range(PEOPLE)]
        repos.session.add_all(people)
        await repos.session.flush()
        for n, person in enumerate(people):
            channel, chat_id = ("telegram", str(5_000_000 + n)) if n % 2 else ("zalo", zalo_id(n))
            (telegram if n % 2 else zalo).add(chat_id)
            repos.session.add(Chat(channel=channel, external_id=chat_id, kind="private", person_id=person.id,
                                   commune_id=commune.id))
        for channel, chat_id in (("zalo", "g-zalo-0000000000001"), ("telegram", "-1001000000001")):
            await repos.directory.add(Chat(channel=channel, external_id=chat_id, kind="group", commune_id=commune.id,
                                           title=f"Nhóm {channel}", registered=True))
    return zalo, telegram


async def _app_on_both(url, clock, zalo_fake, tg_fake, tmp_path, *, demo: bool):
    app = await make_app(url, clock, demo=demo, zalo_bot_token=zalo_fake.token, zalo_api_base=zalo_fake.url,
                         telegram_bot_token=TG_TOKEN, telegram_api_base=tg_fake.url, **FAST_LIMITS)
    zalo = ZaloChannel(app.channel_host(app.settings.zalo_section()), lock_dir=tmp_path)
    telegram = TelegramChannel(app.channel_host(app.settings.telegram_section()))
    await telegram.bot.initialize()
    app.add_sender(zalo.sender)
    app.add_sender(telegram.sender)
    return app, zalo, telegram


async def _close(app, zalo, telegram) -> None:
    await zalo.stop()
    await telegram.stop()
    await app.close()


async def _in_doubt(app) -> set[str]:
    """The chats whose row was claimed but not marked sent when the process died: delivered or not, unknown."""
    async with app.db.transaction() as repos:
        rows = [*await repos.outbox.of_channel("zalo"), *await repos.outbox.of_channel("telegram")]
    return {row.chat_id for row in rows if row.status == "sending"}


@pytest.fixture
async def fakes():
    zalo = await FreezingZalo(hang_after=HANG_AFTER).start()
    telegram = await FreezingTelegram(TG_TOKEN, HANG_AFTER, zalo.froze).start()
    telegram.blocked = set(BLOCKED)
    yield zalo, telegram
    zalo.release.set()  # only now: the killed process's frozen sends must never complete during the test
    telegram.release.set()
    await zalo.stop()
    await telegram.stop()


async def test_crash_half_way_then_restart_delivers_each_chat_once_and_only_an_in_doubt_one_twice(
        fakes, database_url, clock, tmp_path):
    zalo_fake, tg_fake = fakes
    app, zalo, telegram = await _app_on_both(database_url, clock, zalo_fake, tg_fake, tmp_path, demo=True)
    zalo_chats, tg_chats = await _people_with_chats(app)
    console = attach_recorder(app)
    chair = ChatUser(app, console, "chair")
    for text in ("/thongbao", TEXT, "6"):
        await chair.say(text)
    await app.handle(chair.inbound("1"))  # confirmed: one outbox row per chat, nothing sent yet
    drain = asyncio.create_task(app.outbox.drain())
    async with asyncio.timeout(120):  # a bound for a broken outbox only: the freeze comes after HANG_AFTER sends
        await zalo_fake.froze.wait()
    drain.cancel()  # the process dies; its claimed rows stay "sending" until the lease runs out
    await asyncio.gather(drain, return_exceptions=True)
    in_doubt = await _in_doubt(app)  # at least the frozen send; other lanes may have had one in flight
    await _close(app, zalo, telegram)
    before_crash = len(zalo_fake.sent) + tg_fake.accepted
    zalo_fake.hang_after = tg_fake.hang_after = 10**9

    clock.advance(minutes=3)
    app, zalo, telegram = await _app_on_both(database_url, clock, zalo_fake, tg_fake, tmp_path, demo=False)
    recorder = attach_recorder(app)
    try:
        await app.outbox.drain()
        got = Counter(m.chat_id for m in zalo_fake.sent if m.text.endswith(TEXT))
        got += Counter(str(c.params["chat_id"]) for c in tg_fake.of("sendMessage") if c.ok)
        assert HANG_AFTER <= before_crash <= 2 * HANG_AFTER  # one platform froze, after HANG_AFTER sends
        assert in_doubt and before_crash < 4 * HANG_AFTER < len(got)  # really half-way
        assert set(got) == zalo_chats | tg_chats - {str(b) for b in BLOCKED}  # nobody left out
        assert {chat: n for chat, n in got.items() if n > 1 and (n > 2 or chat not in in_doubt)} == {}
        refused = Counter(str(c.params["chat_id"]) for c in tg_fake.of("sendMessage")
                          if not c.ok and "_frozen" not in c.params)
        assert set(refused) == {str(b) for b in BLOCKED}  # tried, failed, never again (once more if in doubt)
        assert all(n == 1 or (n == 2 and chat in in_doubt) for chat, n in refused.items()), refused
        total = len(zalo_chats) + len(tg_chats) + 1  # and the chair's own console chat
        async with app.db.transaction() as repos:
            assert await repos.broadcasts.delivery_counts(1) == {"sent": total - 2, "failed": 2}
            assert [(await repos.chats.get("telegram", str(b))).active for b in sorted(BLOCKED)] == [False, False]
        status = (await ChatUser(app, recorder, "chair").say("/thongbao trạng thái"))[0]
        assert f"đã gửi {total - 2}, đang chờ 0, lỗi 2" in status
        assert "Người 007 (Telegram) — đã chặn bot hoặc rời nhóm" in status and "Người 041 (Telegram)" in status
        clock.advance(hours=1)
        assert await app.outbox.drain() == 0
    finally:
        await _close(app, zalo, telegram)
