"""/dangkynhom and /huynhom: an admin or chair (un)registers a group chat so the bot may send to it; and the
bot being added to or removed from a chat (or blocked), which is recorded here and nowhere else."""

from __future__ import annotations

import logging

from core.roles import ADMIN, CHAIR
from handlers.context import Context

log = logging.getLogger(__name__)
MAY_REGISTER = frozenset({ADMIN, CHAIR})


async def register(ctx: Context) -> None:
    """Bind this group to the commune of the person who asked; reminders and summaries may then go here."""
    if not _allowed(ctx) or await _another_communes(ctx):
        return
    inbound = ctx.inbound
    await ctx.repos.chats.remember(inbound.channel, inbound.chat_id, "group", registered=True,
                                   commune_id=ctx.person.commune_id, title=inbound.chat_title or None)
    commune = ctx.commune.name if ctx.commune else ""
    ctx.say(ctx.t("group_reg.registered", commune=commune))


async def unregister(ctx: Context) -> None:
    """Stop sending to this group (its messages stay in the reports they belong to)."""
    if not _allowed(ctx):
        return
    inbound = ctx.inbound
    chat = await ctx.repos.chats.get(inbound.channel, inbound.chat_id)
    if chat is None or not chat.registered:
        ctx.say(ctx.t("group_reg.not_registered"))
        return
    if await _another_communes(ctx):
        return
    await ctx.repos.chats.remember(inbound.channel, inbound.chat_id, "group", registered=False)
    ctx.say(ctx.t("group_reg.unregistered"))


async def membership(ctx: Context) -> None:
    """A "joined" or "left" inbound: the chat row follows it; nobody is answered.

    Added to a group: remember it (with the commune of whoever added the bot, when the core knows them), so
    an admin or chair can register it. Unblocked in a private chat: send there again. Removed or blocked:
    stop sending there (the outbox also marks a chat inactive when the platform says it is gone).
    """
    inbound = ctx.inbound
    if inbound.kind == "joined" and inbound.chat_kind == "group":
        await ctx.repos.chats.remember(inbound.channel, inbound.chat_id, "group", title=inbound.chat_title or None,
                                       commune_id=ctx.person.commune_id if ctx.person else None)
    else:
        await ctx.repos.chats.set_active(inbound.channel, inbound.chat_id, active=inbound.kind == "joined")
    log.info("%s chat %s is now %s", inbound.channel, inbound.chat_id,
             "active" if inbound.kind == "joined" else "inactive")


async def _another_communes(ctx: Context) -> bool:
    """A group registered for another commune stays theirs: a chair of commune B in the same group may neither take
    it over (commune A's reminders and summaries would stop going there) nor unregister it. Told so kindly."""
    chat = await ctx.repos.chats.get(ctx.inbound.channel, ctx.inbound.chat_id)
    if chat is not None and chat.registered and chat.commune_id not in (None, ctx.person.commune_id):
        ctx.say(ctx.t("group_reg.other_commune"))
        return True
    return False


def _allowed(ctx: Context) -> bool:
    """Only in a group, and only by an admin or chair; anyone else is told kindly why not."""
    if ctx.inbound.chat_kind != "group":
        ctx.say(ctx.t("group_reg.only_in_group"))
        return False
    if ctx.role not in MAY_REGISTER:
        ctx.say(ctx.t("group_reg.not_allowed"))
        return False
    return True
