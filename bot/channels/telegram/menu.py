"""setMyCommands: the "/" menu in Vietnamese (English for language_code=en), each person seeing their commands.

Reporters (and people not yet registered) get the all-private-chats menu, groups a menu of what runs
there; staff, chair, admin and viewers get a menu for their own private chat, set at start-up and again
when they register or change language (a reply that carries `menu_role`). Descriptions are the .po
entries "command.<name>"; a command without one stays out of the menu (it still works when typed).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Bot, BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.channels.base import Transactions
from bot.channels.telegram.platform import CHANNEL
from core.i18n import Translate, Translator
from core.messages import MenuCommand
from core.roles import ALL_ROLES, REPORTER

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


async def publish_menus(bot: Bot, transaction: Transactions, translator: Translator,
                        table: Sequence[MenuCommand]) -> int:
    """Set the default menus and one per non-reporter private chat; returns how many calls succeeded."""
    done = 0
    for language_code, language in ((None, translator.default_language), ("en", "en")):
        t = translator.for_language(language)
        done += await _set(bot, menu_for(table, REPORTER, t), BotCommandScopeAllPrivateChats(), language_code)
        done += await _set(bot, menu_for(table, REPORTER, t, group=True), BotCommandScopeAllGroupChats(), language_code)
    async with transaction() as repos:
        chats = await repos.chats.private_chats_with_roles(CHANNEL, tuple(r for r in ALL_ROLES if r != REPORTER))
    for chat_id, role, language in chats:
        menu = menu_for(table, role, translator.for_language(language))
        done += await _set(bot, menu, BotCommandScopeChat(int(chat_id)))
    log.info("Telegram command menus set: %d (%d staff/viewer chats)", done, len(chats))
    return done


async def set_chat_menu(bot: Bot, chat_id: str, role: str, t: Translate, table: Sequence[MenuCommand]) -> bool:
    """One private chat's menu, when its person registers or changes language (not only at start-up).

    Called after the message that announced it was delivered, so a failure here is logged, never retried:
    retrying would send the message again. The next start-up publishes it anyway.
    """
    return bool(await _set(bot, menu_for(table, role, t), BotCommandScopeChat(int(chat_id))))


async def _set(bot: Bot, commands: list[BotCommand], scope, language_code: str | None = None) -> int:
    try:
        await bot.set_my_commands(commands, scope=scope, language_code=language_code)
        return 1
    except TelegramError as exc:
        log.warning("setMyCommands failed (%s)", type(exc).__name__)
        return 0
