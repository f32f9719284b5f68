"""/nhom (staff): the registered group chats (a paged menu when many), and per group whether it gets reminder
digests, summaries, broadcasts.

States: group → prefs (each pick switches one kind on/off and shows the menu again; "xong" ends).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.menus import choices_of, option
from core.wordcut import cut_words
from handlers.context import Context
from handlers.flows.broadcast_status import channel_name
from storage.broadcasts import GROUP_KINDS

FLOW = "group_prefs"
LIST_TITLE_CHARS = 36  # a group's title in the list (whole once picked): several groups a Zalo page


class GroupPrefsState(FlowState):
    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {"prefs": ("chat_id",)}

    step: Literal["group", "prefs"]
    chat_id: int | None = None  # the group whose preferences are shown


async def start(ctx: Context) -> None:
    groups = await ctx.repos.groups.registered(ctx.person.commune_id)
    if not groups:
        ctx.say(ctx.t("groups.none"))
        return
    # The groups are the menu itself (each line says what the group receives), so a commune with many groups
    # gets the list a page at a time like any long menu, every message within core.menus.MESSAGE_CHARS.
    options = [option(chat.id, _describe(ctx, chat, prefs, title_chars=LIST_TITLE_CHARS), chat.title or "")
               for chat, prefs in groups]
    await ctx.ask_menu(GroupPrefsState(step="group"), "group", ctx.t("groups.title"), options)


async def resume(ctx: Context, state: GroupPrefsState) -> None:
    if state.step == "group":
        picked = ctx.pick_or_ask_again(state.options)
        if picked is None:
            return
        await _show_prefs(ctx, int(picked))
        return
    picked = ctx.picked(state.options)
    if picked is None:
        ctx.ask_again(state.options)
    elif picked == "done":
        await ctx.forget()
        ctx.say(ctx.t("groups.saved"))
    else:
        prefs = await _prefs_of(ctx, state.chat_id)
        if prefs is not None:
            await ctx.repos.groups.set_preference(state.chat_id, picked, not prefs[picked])
            await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="group_preference",
                                         entity_id=state.chat_id, action="edit",
                                         before={picked: prefs[picked]}, after={picked: not prefs[picked]})
        await _show_prefs(ctx, state.chat_id)


async def prompt(ctx: Context, state: GroupPrefsState) -> None:
    ctx.say(ctx.t("menu.choose_again"), choices_of(state.options))


async def _prefs_of(ctx: Context, chat_id: int) -> dict[str, bool] | None:
    groups = await ctx.repos.groups.registered(ctx.person.commune_id)
    return next((prefs for chat, prefs in groups if chat.id == chat_id), None)


async def _show_prefs(ctx: Context, chat_id: int) -> None:
    groups = await ctx.repos.groups.registered(ctx.person.commune_id)
    found = next(((chat, prefs) for chat, prefs in groups if chat.id == chat_id), None)
    if found is None:  # unregistered meanwhile
        await ctx.forget()
        ctx.say(ctx.t("groups.gone"))
        return
    chat, prefs = found
    options = [option(kind, ctx.t(f"groups.toggle.{kind}", state=_on_off(ctx, prefs[kind]))) for kind in GROUP_KINDS]
    options.append(option("done", ctx.t("groups.done"), "xong", "done"))
    await ctx.ask_menu(GroupPrefsState(step="prefs", chat_id=chat_id), "prefs",
                       ctx.t("groups.prefs", title=_describe(ctx, chat, prefs)), options)


def _describe(ctx: Context, chat, prefs: dict[str, bool], title_chars: int | None = None) -> str:
    """'Nhóm thôn Nà Pài (Zalo): nhắc việc, tổng hợp' (or 'tất cả'); in the list the title cut at a word to
    `title_chars`."""
    kinds = ", ".join(ctx.t(f"groups.kind.{kind}") for kind in GROUP_KINDS if prefs[kind]) or ctx.t("groups.nothing")
    if all(prefs[kind] for kind in GROUP_KINDS):  # as registered: one short word, so more groups fit a page
        kinds = ctx.t("groups.everything")
    state = "" if chat.active else " " + ctx.t("groups.inactive")
    title = chat.title or chat.external_id
    title = cut_words(title, title_chars) if title_chars else title
    return f"{title} ({channel_name(ctx, chat.channel)}){state}: {kinds}"


def _on_off(ctx: Context, on: bool) -> str:
    return ctx.t("groups.on") if on else ctx.t("groups.off")
