"""Registration with an invite, help, language, cancel, and the hint for anything unrecognised."""

from __future__ import annotations

from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.menus import choices_of, option
from core.roles import STAFF_ROLES, VIEWER
from handlers.context import Context
from handlers.invites import ATTEMPT_WINDOW, MAX_FAILED_ATTEMPTS, redeem

LANGUAGE_FLOW = "language"


class LanguageState(FlowState):
    FLOW: ClassVar[str] = LANGUAGE_FLOW

    step: Literal["pick"] = "pick"


async def register(ctx: Context, args: str) -> None:
    """/start CODE: bind this sender to the invited person, role and unit."""
    if ctx.person is not None:
        ctx.say(ctx.t("start.already_registered", name=ctx.person.name))
        return
    if not args.strip():
        ctx.say(ctx.t("start.need_code"))
        return
    inbound = ctx.inbound
    attempts = ctx.repos.invite_attempts
    if await attempts.failures_since(inbound.channel, inbound.sender_id, ctx.now - ATTEMPT_WINDOW) \
            >= MAX_FAILED_ATTEMPTS:
        ctx.say(ctx.t("start.too_many_attempts", minutes=int(ATTEMPT_WINDOW.total_seconds() // 60)))
        return  # not even looked up: a guesser learns nothing more
    result = await redeem(ctx.repos, args, channel=inbound.channel, external_id=inbound.sender_id,
                          display_name=inbound.sender_name, language=ctx.language, now=ctx.now)
    if result.person is None:
        await attempts.record_failure(inbound.channel, inbound.sender_id, ctx.now)
        ctx.say(ctx.t(f"start.invite_{result.problem}"))
        return
    ctx.person = result.person
    await ctx.forget()  # nothing half-way from a previous (deactivated) account carries over
    await ctx.repos.chats.remember(inbound.channel, inbound.chat_id, inbound.chat_kind,
                                   person_id=result.person.id, commune_id=result.person.commune_id)
    unit = await ctx.repos.directory.unit(result.person.unit_id) if result.person.unit_id else None
    # menu_role: channels with a command menu (Telegram) show this chat the new role's commands from now on
    ctx.say(ctx.t("start.welcome", name=result.person.name, role=ctx.t(f"role.{result.person.role}"),
                  unit=unit.name if unit else ctx.t("start.no_unit")), menu_role=result.person.role)
    show_help(ctx)


def introduce(ctx: Context) -> None:
    """What an unregistered sender is told, whatever they send."""
    ctx.say(ctx.t("start.unregistered"))


def show_help(ctx: Context) -> None:
    key = {VIEWER: "help.viewer"}.get(ctx.role, "help.staff" if ctx.role in STAFF_ROLES else "help.reporter")
    ctx.say(ctx.t(key))


def hint(ctx: Context) -> None:
    ctx.say(ctx.t("hint.unrecognised"))


async def cancel(ctx: Context) -> None:
    had_conversation = ctx.state is not None
    await ctx.forget()
    ctx.say(ctx.t("cancel.done" if had_conversation else "cancel.nothing"))


async def ask_language(ctx: Context) -> None:
    options = [option("vi", "Tiếng Việt", "tieng viet", "vietnamese"), option("en", "English", "tieng anh")]
    await ctx.ask_menu(LanguageState(), "pick", ctx.t("language.choose"), options)


async def on_language(ctx: Context, state: LanguageState) -> None:
    picked = ctx.picked(state.options)
    if picked is None:
        ctx.say(ctx.t("err.answer.pick_number", last=2), choices_of(state.options))
        return
    await ctx.repos.directory.set_language(ctx.person, picked)
    await ctx.forget()
    ctx.say(ctx.t("language.changed"), menu_role=ctx.role)  # the command menu follows, in the new language
