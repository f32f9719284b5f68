"""/dangkynhom and /huynhom: an admin or chair (un)registers a group chat so the bot may send to it."""

from __future__ import annotations

from core.roles import ADMIN, CHAIR
from handlers.context import Context

MAY_REGISTER = frozenset({ADMIN, CHAIR})


async def register(ctx: Context, _args: str) -> None:
    """Bind this group to the commune of the person who asked; reminders and summaries may then go here."""
    if not _allowed(ctx):
        return
    inbound = ctx.inbound
    await ctx.repos.chats.remember(inbound.channel, inbound.chat_id, "group", registered=True,
                                   commune_id=ctx.person.commune_id, title=inbound.chat_title or None)
    commune = ctx.commune.name if ctx.commune else ""
    ctx.say(ctx.t("group_reg.registered", commune=commune))


async def unregister(ctx: Context, _args: str) -> None:
    """Stop sending to this group (its messages stay in the reports they belong to)."""
    if not _allowed(ctx):
        return
    inbound = ctx.inbound
    chat = await ctx.repos.chats.get(inbound.channel, inbound.chat_id)
    if chat is None or not chat.registered:
        ctx.say(ctx.t("group_reg.not_registered"))
        return
    await ctx.repos.chats.remember(inbound.channel, inbound.chat_id, "group", registered=False)
    ctx.say(ctx.t("group_reg.unregistered"))


def _allowed(ctx: Context) -> bool:
    """Only in a group, and only by an admin or chair; anyone else is told kindly why not."""
    if ctx.inbound.chat_kind != "group":
        ctx.say(ctx.t("group_reg.only_in_group"))
        return False
    if ctx.role not in MAY_REGISTER:
        ctx.say(ctx.t("group_reg.not_allowed"))
        return False
    return True
