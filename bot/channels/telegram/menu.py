"""setMyCommands: the "/" menu in Vietnamese (English for language_code=en), each person seeing their commands.

The shared menus are the reporters': every private chat (and people not yet registered) gets theirs, every group
what anyone may run there — group administrators too: in a village's group its head is often the administrator,
and a menu offering /tonghop only to be refused there was worse than none. Staff, chair, admin and viewers get a
menu of their own private chat (BotCommandScopeChat): set at start-up for each of them (a commune has a handful),
again when they register or change language (a reply that carries `menu_role`), and by `Menus.refresh` (every
MENU_REFRESH_SECONDS) when the directory changed otherwise — a new role, a person removed — which costs one query
when nothing changed. In a group staff type /tonghop and /kyhop (the help lists them); the menu does not offer them.
Descriptions are the .po entries "command.<name>"; a command without one stays out of the menu (it still works
when typed), and a test keeps every command but /start described. Every call goes through the flood limiter,
behind the messages; an error is logged (its type, never the token) and never raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.channels.base import Transactions
from bot.channels.telegram.limiter import FloodLimiter
from bot.channels.telegram.platform import CHANNEL
from core.i18n import Translate, Translator
from core.messages import MenuCommand
from core.roles import ALL_ROLES, REPORTER

log = logging.getLogger(__name__)
STAFF_ROLES = tuple(role for role in ALL_ROLES if role != REPORTER)  # the roles whose chats have a menu of their own
HIDDEN = ("start",)  # reached by the invite link, not from the menu
GROUP_ONLY = ("dangkynhom", "huynhom")  # about the group itself: offered in groups, not in private chats


def menu_for(table: Sequence[MenuCommand], role: str, t: Translate, *, group: bool = False) -> list[BotCommand]:
    """The commands of `table` that `role` may use (in a group: those that run there), with their descriptions."""
    commands = []
    for spec in table:
        description = t(f"command.{spec.name}")
        usable = role in spec.roles and (not spec.private_only if group else spec.name not in GROUP_ONLY)
        if spec.name in HIDDEN or not usable or description == f"command.{spec.name}":
            continue
        commands.append(BotCommand(spec.name, description[:256]))
    return commands


class Menus:
    """The shared menus and each staff chat's own; remembers which role and language each chat's menu was set
    for, so that a refresh calls Telegram only for the chats whose person changed."""

    def __init__(self, bot: Bot, limiter: FloodLimiter, transaction: Transactions, translator: Translator,
                 table: Sequence[MenuCommand]) -> None:
        self.bot, self.limiter, self.transaction = bot, limiter, transaction
        self.translator, self.table = translator, table
        self.shown: dict[str, tuple[str, str]] = {}  # chat id → (role, language) of the menu set for it
        self._lock = asyncio.Lock()  # the start-up's publication and the periodic refresh never interleave

    async def publish(self) -> int:
        """Start-up: the shared menus in both languages and every staff chat's own; returns how many calls
        failed for a reason that may pass (the channel publishes again until none does)."""
        failed = 0
        for language_code, language in ((None, self.translator.default_language), ("en", "en")):
            t = self.translator.for_language(language)
            for scope, group in ((BotCommandScopeAllPrivateChats(), False), (BotCommandScopeAllGroupChats(), True)):
                failed += not await _set(self.bot, self.limiter, menu_for(self.table, REPORTER, t, group=group),
                                         scope, language_code)
            # Versions before gave every group's administrators the staff commands: take that menu away, so
            # they see the groups' menu (deleting a scope never set is not an error)
            failed += not await _delete(self.bot, self.limiter, BotCommandScopeAllChatAdministrators(), language_code)
        return failed + await self.refresh()

    async def refresh(self) -> int:
        """Each staff chat's own menu where its person is new to it, or their role or language changed; a chat
        whose person is no longer staff (now a reporter, removed, the chat gone) loses its own and sees the
        reporters' again. Returns how many calls failed for a reason that may pass (tried at the next one)."""
        async with self._lock:
            async with self.transaction() as repos:
                chats = await repos.chats.private_chats_with_roles(CHANNEL, STAFF_ROLES)
            wanted = {chat_id: (role, language) for chat_id, role, language in chats}
            failed = 0
            for chat_id, (role, language) in wanted.items():
                if self.shown.get(chat_id) == (role, language):
                    continue
                menu = menu_for(self.table, role, self.translator.for_language(language))
                if await _set(self.bot, self.limiter, menu, BotCommandScopeChat(int(chat_id))):
                    self.shown[chat_id] = (role, language)
                else:
                    failed += 1
            for chat_id in [chat_id for chat_id in self.shown if chat_id not in wanted]:
                if await _delete(self.bot, self.limiter, BotCommandScopeChat(int(chat_id))):
                    del self.shown[chat_id]
                else:
                    failed += 1
        log.info("Telegram staff menus: %d chats, %d calls failed", len(wanted), failed)
        return failed

    async def set_chat(self, chat_id: str, role: str, language: str) -> bool:
        """One private chat's menu, when its person registers or changes language (not only at start-up), and
        remembered, so a refresh takes it away if they stop being staff.

        Called after the message that announced it was delivered, so a failure here is logged, never retried:
        retrying would send the message again. A refresh sets a staff chat's menu it does not know of.
        """
        async with self._lock:
            menu = menu_for(self.table, role, self.translator.for_language(language))
            done = await _set(self.bot, self.limiter, menu, BotCommandScopeChat(int(chat_id)))
            if role not in STAFF_ROLES:  # a reporter's own menu (its language) is the reporters': left as it is
                self.shown.pop(chat_id, None)
            elif done:
                self.shown[chat_id] = (role, language)
            return done


async def _set(bot: Bot, limiter: FloodLimiter, commands: list[BotCommand], scope,
               language_code: str | None = None) -> bool:
    """setMyCommands; False only when trying again may help (Telegram unreachable, a 429)."""
    return await _call(lambda: bot.set_my_commands(commands, scope=scope, language_code=language_code),
                       limiter, "setMyCommands", scope)


async def _delete(bot: Bot, limiter: FloodLimiter, scope, language_code: str | None = None) -> bool:
    """deleteMyCommands: the scope falls back to the wider one; False only when trying again may help."""
    return await _call(lambda: bot.delete_my_commands(scope=scope, language_code=language_code),
                       limiter, "deleteMyCommands", scope)


async def _call(call, limiter: FloodLimiter, method: str, scope) -> bool:
    try:
        await limiter.call(call, background=True)
        return True
    except (BadRequest, Forbidden) as exc:  # refused for good (the chat is gone): asking again changes nothing
        log.warning("%s for %s refused (%s)", method, scope.type, type(exc).__name__)
        return True
    except TelegramError as exc:  # the type only: a message may quote the request, and the URL holds the token
        log.warning("%s for %s failed (%s); trying again later", method, scope.type, type(exc).__name__)
        return False
