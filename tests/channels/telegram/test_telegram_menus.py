"""Telegram command menus: every command described and in the right scopes (staff commands in staff chats only,
never in a group's administrators' menu: a village head administers their village's group); staff menus follow
the directory; getMe and the menus retried in the background after a failed start, and the username, once known,
used for group command addressing."""

from __future__ import annotations

import asyncio
import logging

import pytest
from support.fake_telegram import BOT_USERNAME, FakeTelegram, text_update
from support.telegram_harness import TOKEN, TgUser, telegram_bot

from bot.channels.telegram.menu import GROUP_ONLY, HIDDEN, menu_for
from core.i18n import Translator
from core.roles import ADMIN, ALL_ROLES, CHAIR, PROVINCE, REPORTER, STAFF, VIEWER
from handlers.commands import menu_commands

ALICE, GROUP = 601, -1007000001
SETTLE = 5.0  # seconds a test waits at most for a background retry (each takes milliseconds with the test settings)


def _translator() -> Translator:
    from bot.settings import Settings
    return Translator(Settings().locales_dir, "vi")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_command_but_start_has_a_menu_description(language):
    t = _translator().for_language(language)
    missing = [spec.name for spec in menu_commands()
               if spec.name not in HIDDEN and t(f"command.{spec.name}") == f"command.{spec.name}"]
    assert missing == []


@pytest.mark.parametrize("role", ALL_ROLES)
def test_a_private_menu_lists_every_command_the_role_may_use_there(role):
    t = _translator().for_language("vi")
    expected = {spec.name for spec in menu_commands()
                if role in spec.roles and spec.name not in HIDDEN and spec.name not in GROUP_ONLY}
    assert {c.command for c in menu_for(menu_commands(), role, t)} == expected
    assert ("tonghop" in expected) == (role in (ADMIN, CHAIR, STAFF, VIEWER, PROVINCE))


def test_the_group_menu_offers_no_staff_command():
    t = _translator().for_language("vi")
    everyone = {c.command for c in menu_for(menu_commands(), REPORTER, t, group=True)}
    assert not everyone & {"tonghop", "kyhop", "web"} and "dangkynhom" in everyone
    assert not everyone & {"baocao", "moi", "thongbao", "ngonngu"}  # forms never run in a group


def _menus(fake: FakeTelegram) -> dict[tuple, dict[str, str]]:
    return {(c.params["scope"]["type"], c.params.get("language_code"), c.params["scope"].get("chat_id")):
            {cmd["command"]: cmd["description"] for cmd in c.params["commands"]}
            for c in fake.of("setMyCommands") if c.ok}


def _deleted(fake: FakeTelegram) -> list[tuple]:
    return [(c.params["scope"]["type"], c.params.get("language_code"), c.params["scope"].get("chat_id"))
            for c in fake.of("deleteMyCommands") if c.ok]


async def test_tonghop_reaches_chair_and_viewer_chats_and_no_group_administrator(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock, webhook=True) as h:  # webhook mode: start-up tasks awaited
        await TgUser(h, ALICE).say(f"/start {await h.invite('chair', 'Ủy ban MTTQ Việt Nam xã')}")
        viewer = TgUser(h, ALICE + 1, "Người xem")
        await viewer.say(f"/start {await h.invite('viewer', None)}")
        head = TgUser(h, ALICE + 2, "Trưởng thôn")  # administers the village's group
        await head.say(f"/start {await h.invite('reporter')}")
        menus = _menus(h.fake)
        assert menus[("chat", None, ALICE)]["tonghop"] == "Tổng hợp kết quả so với chỉ tiêu"
        assert {"tonghop", "web"} <= set(menus[("chat", None, ALICE + 1)])
        assert "tonghop" not in menus.get(("chat", None, ALICE + 2), {})
        for language in (None, "en"):
            assert not {"tonghop", "kyhop"} & set(menus[("all_group_chats", language, None)])
            assert not {"tonghop", "kyhop"} & set(menus[("all_private_chats", language, None)])
        # the administrators' menu of earlier versions is taken away, and never set again
        assert {scope for scope, _, _ in menus} == {"chat", "all_group_chats", "all_private_chats"}
        assert sorted(_deleted(h.fake), key=str) == [("all_chat_administrators", "en", None),
                                                     ("all_chat_administrators", None, None)]


async def _set_role(h, user_id: int, role: str | None) -> None:
    """Change a person in the directory as /nguoi or an import would (None: removed)."""
    async with h.app.db.transaction() as repos:
        person = await repos.directory.person_by_identity("telegram", str(user_id))
        await repos.directory_admin.change(person, **({"role": role} if role else {"active": False}))


async def test_staff_menus_follow_the_directory_and_a_refresh_with_no_change_calls_nobody(sqlite_url, clock):
    async with telegram_bot(sqlite_url, clock, webhook=True) as h:
        staff, head = TgUser(h, ALICE, "Cán bộ"), TgUser(h, ALICE + 1, "Trưởng thôn")
        await staff.say(f"/start {await h.invite('staff', 'Ủy ban MTTQ Việt Nam xã')}")
        await head.say(f"/start {await h.invite('reporter')}")
        assert h.channel.menus.shown == {str(ALICE): ("staff", "vi")}  # set when the welcome was delivered
        calls = len(h.fake.calls)
        assert await h.channel.refresh_menus() and len(h.fake.calls) == calls  # unchanged: one query, no call

        await _set_role(h, ALICE + 1, "staff")  # the village head becomes staff…
        await _set_role(h, ALICE, "reporter")  # …and the staff member a reporter
        assert await h.channel.refresh_menus()
        assert "tonghop" in _menus(h.fake)[("chat", None, ALICE + 1)]
        assert _deleted(h.fake)[-1] == ("chat", None, ALICE)  # back to the reporters' menu

        await _set_role(h, ALICE + 1, None)  # removed from the directory
        assert await h.channel.refresh_menus()
        assert _deleted(h.fake)[-1] == ("chat", None, ALICE + 1) and h.channel.menus.shown == {}

        chair = TgUser(h, ALICE + 2, "Chủ tịch")  # registered, then removed before any refresh: still taken away
        await chair.say(f"/start {await h.invite('chair', 'Ủy ban MTTQ Việt Nam xã')}")
        await _set_role(h, ALICE + 2, None)
        assert await h.channel.refresh_menus() and _deleted(h.fake)[-1] == ("chat", None, ALICE + 2)


async def test_menu_errors_are_logged_without_the_token_and_only_passing_ones_tried_again(sqlite_url, clock, caplog):
    async with telegram_bot(sqlite_url, clock, webhook=True) as h:
        await TgUser(h, ALICE, "Cán bộ").say(f"/start {await h.invite('staff', 'Ủy ban MTTQ Việt Nam xã')}")
        await TgUser(h, ALICE + 1, "Chủ tịch").say(f"/start {await h.invite('chair', 'Ủy ban MTTQ Việt Nam xã')}")
        h.channel.menus.shown.clear()  # as after a restart: both chats' menus to set
        h.fake.fail_next("setMyCommands", status=502)  # Telegram unreachable: tried at the next refresh
        h.fake.fail_next("setMyCommands", status=400)  # the next, to the chair: refused for good, not asked again
        with caplog.at_level(logging.INFO):
            assert not await h.channel.refresh_menus()
            assert await h.channel.refresh_menus()
            assert await h.channel.refresh_menus()
        chat_calls = [c for c in h.fake.of("setMyCommands") if c.params["scope"]["type"] == "chat"][-3:]
        assert [(c.params["scope"]["chat_id"], c.ok) for c in chat_calls] == [(ALICE, False), (ALICE + 1, False),
                                                                              (ALICE, True)]
        assert "setMyCommands for chat failed (NetworkError)" in caplog.text
        assert "setMyCommands for chat refused (BadRequest)" in caplog.text and TOKEN not in caplog.text


async def test_get_me_and_menus_are_retried_until_they_succeed_and_the_username_then_addresses_groups(
        sqlite_url, clock):
    fake = FakeTelegram(TOKEN)
    fake.fail_next("getMe", status=502, times=3)  # Telegram unreachable at start, and a while after
    fake.fail_next("setMyCommands", status=502, times=2)
    async with telegram_bot(sqlite_url, clock, fake=fake) as h:
        assert h.channel.username is None  # start-up went on without it
        async with asyncio.timeout(SETTLE):
            while h.channel.username is None or len(_menus(fake)) < 4 or len(_deleted(fake)) < 2:
                await asyncio.sleep(0.01)
        assert h.channel.username == BOT_USERNAME
        assert [c.ok for c in fake.of("getMe")] == [False, False, False, True]
        assert {scope for scope, _, _ in _menus(fake)} == {"all_private_chats", "all_group_chats"}

        chair = TgUser(h, ALICE, "Chủ tịch")
        await chair.say(f"/start {await h.invite('chair', 'Ủy ban MTTQ Việt Nam xã')}")
        group = {"id": GROUP, "type": "supergroup", "title": "MTTQ xã"}
        await h.deliver(text_update(ALICE, f"/dangkynhom@{BOT_USERNAME}", chat=group))
        before = len(h.fake.texts(GROUP))
        await h.deliver(text_update(ALICE, "/trogiup@another_bot", chat=group))
        assert len(h.fake.texts(GROUP)) == before  # another bot's command, now that ours is known
        await h.deliver(text_update(ALICE, f"/trogiup@{BOT_USERNAME}", chat=group))
        assert len(h.fake.texts(GROUP)) == before + 2  # staff help: daily commands, then managing ones


async def test_menus_are_published_again_after_a_database_fault(sqlite_url, clock, monkeypatch):
    """The staff chats' menus read the database: a fault there is retried like a Telegram failure."""
    from sqlalchemy.exc import OperationalError

    from storage.chats import ChatRepo

    read = ChatRepo.private_chats_with_roles
    faults = [OperationalError("SELECT", {}, Exception("database is locked"))]

    async def flaky(self, *args, **kwargs):
        if faults:
            raise faults.pop()
        return await read(self, *args, **kwargs)

    monkeypatch.setattr(ChatRepo, "private_chats_with_roles", flaky)
    async with telegram_bot(sqlite_url, clock, webhook=True) as h:  # start-up tasks awaited: they ended
        private = [c for c in h.fake.of("setMyCommands") if c.params["scope"]["type"] == "all_private_chats"]
        assert not faults and len(private) == 4  # both languages, published twice
