"""setMyCommands: the "/" menu in Vietnamese (English for language_code=en), each person seeing their commands.

Reporters (and people not yet registered) get the all-private-chats menu; groups a menu of what anyone may run
there, and the groups' administrators (in a commune's groups, its staff) what staff run there too (/tonghop,
/kyhop); staff, chair, admin and viewers get a menu for their own private chat, set at start-up and again when
they register or change language (a reply that carries `menu_role`). Descriptions are the .po entries
"command.<name>"; a command without one stays out of the menu (it still works when typed), and a test keeps
every command but /start described. Every call goes through the flood limiter, behind the messages.
"""

from __future__ import annotations

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
from telegram.error import TelegramError

from bot.channels.base import Transactions
from bot.channels.telegram.limiter import FloodLimiter
from bot.channels.telegram.platform import CHANNEL
from core.i18n import Translate, Translator
from core.messages import MenuCommand
from core.roles import ALL_ROLES, REPORTER, STAFF

log = logging.getLogger(__name__)
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


async def publish_menus(bot: Bot, limiter: FloodLimiter, transaction: Transactions, translator: Translator,
                        table: Sequence[MenuCommand]) -> int:
    """Set the shared menus and one per non-reporter private chat; returns how many calls failed (the channel
    publishes again until none does)."""
    failed = 0
    for language_code, language in ((None, translator.default_language), ("en", "en")):
        t = translator.for_language(language)
        for role, scope, group in ((REPORTER, BotCommandScopeAllPrivateChats(), False),
                                   (REPORTER, BotCommandScopeAllGroupChats(), True),
                                   (STAFF, BotCommandScopeAllChatAdministrators(), True)):
            failed += not await _set(bot, limiter, menu_for(table, role, t, group=group), scope, language_code)
    async with transaction() as repos:
        chats = await repos.chats.private_chats_with_roles(CHANNEL, tuple(r for r in ALL_ROLES if r != REPORTER))
    for chat_id, role, language in chats:
        menu = menu_for(table, role, translator.for_language(language))
        failed += not await _set(bot, limiter, menu, BotCommandScopeChat(int(chat_id)))
    log.info("Telegram command menus set (%d staff/viewer chats), %d calls failed", len(chats), failed)
    return failed


async def set_chat_menu(bot: Bot, limiter: FloodLimiter, chat_id: str, role: str, t: Translate,
                        table: Sequence[MenuCommand]) -> bool:
    """One private chat's menu, when its person registers or changes language (not only at start-up).

    Called after the message that announced it was delivered, so a failure here is logged, never retried:
    retrying would send the message again. The next start-up publishes it anyway.
    """
    return await _set(bot, limiter, menu_for(table, role, t), BotCommandScopeChat(int(chat_id)))


async def _set(bot: Bot, limiter: FloodLimiter, commands: list[BotCommand], scope,
               language_code: str | None = None) -> bool:
    try:
        await limiter.call(lambda: bot.set_my_commands(commands, scope=scope, language_code=language_code),
                           background=True)
        return True
    except TelegramError as exc:
        log.warning("setMyCommands failed (%s)", type(exc).__name__)
        return False
