"""/nhom (staff): the registered group chats, and per group whether it gets reminder digests, summaries, broadcasts.

States: group → prefs (each pick switches one kind on/off and shows the menu again; "xong" ends).
"""

from __future__ import annotations

from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.menus import choices_of, option
from handlers.context import Context
from handlers.flows.broadcast_status import channel_name
from storage.broadcasts import GROUP_KINDS

FLOW = "group_prefs"


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
    lines = [ctx.t("groups.title")]
    options = []
    for number, (chat, prefs) in enumerate(groups, start=1):
        lines.append(f"{number}. {_describe(ctx, chat, prefs)}")
        options.append(option(chat.id, chat.title or chat.external_id))
    lines.append(ctx.t("groups.pick_hint"))
    await ctx.ask_menu(GroupPrefsState(step="group"), "group", "\n".join(lines), options)


async def resume(ctx: Context, state: GroupPrefsState) -> None:
    if state.step == "group":
        picked = ctx.pick_or_ask_again(state.options)
        if picked is None:
            return
        await _show_prefs(ctx, int(picked))
        return
    picked = ctx.picked(state.options)
    if picked is None:
        ctx.say(ctx.t("err.answer.pick_number", last=len(state.options)), choices_of(state.options))
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


def _describe(ctx: Context, chat, prefs: dict[str, bool]) -> str:
    kinds = ", ".join(ctx.t(f"groups.kind.{kind}") for kind in GROUP_KINDS if prefs[kind]) or ctx.t("groups.nothing")
    state = "" if chat.active else " " + ctx.t("groups.inactive")
    return f"{chat.title or chat.external_id} ({channel_name(ctx, chat.channel)}){state}: {kinds}"


def _on_off(ctx: Context, on: bool) -> str:
    return ctx.t("groups.on") if on else ctx.t("groups.off")
