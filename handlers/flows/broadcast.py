"""/thongbao (chair, staff, admin): write an announcement, pick who gets it, preview the counts, send.

States: text → audience → (units | unit_kind | role) → confirm → queued.   `/thongbao trạng thái`: status.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Literal

from core.flowstate import FlowState
from core.menus import choices_of, option
from core.roles import ROLES
from core.vnparse import ParseError, clean_text, fold
from core.wordcut import cut_words
from handlers.context import Context
from handlers.flows import broadcast_audience as aud
from handlers.flows.admin_common import role_options
from handlers.flows.broadcast_status import channel_name, show_status
from plan.schema import UnitKind

FLOW = "broadcast"
STATUS_WORDS = ("trang thai", "tinh trang", "ket qua", "status", "tt")
PREVIEW_CHARS = 300
MAX_BROADCAST_CHARS = 10_000  # the router's message limit; channels split long text to their own limit


class BroadcastState(FlowState):
    """The announcement's text (from the second step on) and, at the preview, the audience chosen."""

    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {
        step: ("text",) for step in ("audience", "units", "unit_kind", "role")} | {"confirm": ("text", "audience")}

    step: Literal["text", "audience", "units", "unit_kind", "role", "confirm"]
    text: str | None = None
    audience: dict[str, Any] | None = None  # as broadcast_audience.resolve reads it (and the broadcast row keeps)

    def takes_free_text(self) -> bool:
        """The announcement's own words: "thông báo họp thôn …" typed there is its text, not /thongbao again."""
        return self.step == "text"


async def start(ctx: Context, args: str) -> None:
    """`/thongbao`, `/thongbao <text>` or `/thongbao trạng thái`."""
    if fold(args) in STATUS_WORDS:
        await show_status(ctx)
    elif args.strip():
        await _take_text(ctx, args)
    else:
        ctx.say(ctx.t("broadcast.ask_text"))
        await ctx.remember(BroadcastState(step="text"))


async def resume(ctx: Context, state: BroadcastState) -> None:
    steps = {"text": _on_text, "audience": _on_audience, "units": _on_units, "unit_kind": _on_pick,
             "role": _on_pick, "confirm": _on_confirm}
    await steps[state.step](ctx, state)


async def prompt(ctx: Context, state: BroadcastState) -> None:
    """Ask the current question again (after an input the step could not use)."""
    if state.step == "text":
        ctx.say(ctx.t("broadcast.ask_text"))
    else:
        ctx.say(ctx.t("menu.choose_again"), choices_of(state.options))


async def _on_text(ctx: Context, state: BroadcastState) -> None:
    if ctx.typed(*STATUS_WORDS):
        await ctx.forget()
        await show_status(ctx)
        return
    await _take_text(ctx, ctx.inbound.text)


async def _take_text(ctx: Context, raw: str) -> None:
    text = clean_text(raw, MAX_BROADCAST_CHARS) if ctx.inbound.kind == "text" else ParseError("err.text.empty")
    if isinstance(text, ParseError):
        ctx.say(ctx.t("broadcast.empty" if text.code == "err.text.empty" else text.code, **text.params))
        ctx.say(ctx.t("broadcast.ask_text"))
        await ctx.remember(BroadcastState(step="text"))
        return
    await _ask_audience(ctx, text)


async def _ask_audience(ctx: Context, text: str) -> None:
    options = [option(kind, ctx.t(f"broadcast.audience.{kind}")) for kind in aud.AUDIENCE_KINDS]
    await ctx.ask_menu(BroadcastState(step="audience", text=text), "audience", ctx.t("broadcast.ask_audience"),
                       options)


async def _on_audience(ctx: Context, state: BroadcastState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    if picked == aud.UNITS:
        await ctx.ask_menu(state, "units", ctx.t("broadcast.ask_units"), await ctx.unit_options())
    elif picked == aud.UNIT_KIND:
        options = [option(k.value, ctx.t(f"unit_kind.{k.value}")) for k in UnitKind]
        await ctx.ask_menu(state, "unit_kind", ctx.t("broadcast.ask_unit_kind"), options)
    elif picked == aud.ROLE:
        await ctx.ask_menu(state, "role", ctx.t("broadcast.ask_role"), role_options(ctx, ROLES))
    else:
        await _preview(ctx, state, {"kind": picked})


def pick_many(text: str, count: int) -> list[int] | None:
    """1-based numbers typed as "1,3,5", "1 3 5" or "1, 3 và 5" → 0-based indexes; None if any is wrong."""
    words = [w for w in re.split(r"[\s,;.+&]+|\bva\b|\band\b", fold(text)) if w]
    if not words or not all(w.isdigit() and 1 <= int(w) <= count for w in words):
        return None
    return sorted({int(w) - 1 for w in words})


async def _on_units(ctx: Context, state: BroadcastState) -> None:
    every = ctx.every_option(state.options)  # a long list is shown a page at a time; numbers are the whole list's
    indexes = pick_many(ctx.inbound.text, len(every))
    if indexes is None:
        picked = ctx.picked(state.options)  # a unit typed by name
        indexes = None if picked is None else [[o["value"] for o in every].index(picked)]
    if indexes is None:
        ctx.say_with_menu(ctx.t("broadcast.err.units", last=len(every)), state.options)
        return
    await _preview(ctx, state, {"kind": aud.UNITS, "unit_ids": [int(every[i]["value"]) for i in indexes]})


async def _on_pick(ctx: Context, state: BroadcastState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    await _preview(ctx, state, {"kind": state.step, state.step: picked})


async def _preview(ctx: Context, state: BroadcastState, audience: dict[str, Any]) -> None:
    recipients = await aud.resolve(ctx.repos, ctx.person.commune_id, audience, ctx.settings.default_language)
    if not recipients.targets:
        ctx.say(ctx.t("broadcast.nobody"))
        await _ask_audience(ctx, state.text)
        return
    state.audience = audience
    options = [option("send", ctx.t("broadcast.confirm.send")), option("audience", ctx.t("broadcast.confirm.audience")),
               option("cancel", ctx.t("broadcast.confirm.cancel"))]
    await ctx.ask_menu(state, "confirm", _preview_text(ctx, state.text, recipients), options)


def _preview_text(ctx: Context, text: str, recipients: aud.Recipients) -> str:
    shown = cut_words(text, PREVIEW_CHARS + 1)
    channels = ", ".join(f"{channel_name(ctx, name)}: {count}" for name, count in recipients.per_channel().items())
    lines = [ctx.t("broadcast.preview", text=shown, chars=len(text)),
             ctx.t("broadcast.preview.counts", total=len(recipients.targets), channels=channels,
                   people=recipients.people, groups=recipients.groups)]
    if recipients.unreachable_people:
        lines.append(ctx.t("broadcast.preview.unreachable", count=recipients.unreachable_people))
    return "\n\n".join(lines)


async def _on_confirm(ctx: Context, state: BroadcastState) -> None:
    picked = ctx.picked(state.options)
    if picked is None and ctx.said_yes():
        picked = "send"
    if picked == "send":
        await _send(ctx, state)
    elif picked == "audience":
        await _ask_audience(ctx, state.text)
    elif picked == "cancel":
        await ctx.forget()
        ctx.say(ctx.t("broadcast.cancelled"))
    else:
        ctx.ask_again(state.options)


async def _send(ctx: Context, state: BroadcastState) -> None:
    """Resolve the audience again (chats may have changed since the preview) and queue one row per chat."""
    recipients = await aud.resolve(ctx.repos, ctx.person.commune_id, state.audience, ctx.settings.default_language)
    if not recipients.targets:
        ctx.say(ctx.t("broadcast.nobody"))
        await _ask_audience(ctx, state.text)
        return
    broadcast = await aud.queue_broadcast(ctx.repos, ctx.translator, commune_id=ctx.person.commune_id,
                                          person_id=ctx.person.id, sender=ctx.person.name, text=state.text,
                                          audience=state.audience, recipients=recipients, now=ctx.now)
    await ctx.forget()
    ctx.say(ctx.t("broadcast.queued", id=broadcast.id, total=broadcast.recipients))
