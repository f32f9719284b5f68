"""Registration with an invite, help, language, cancel, and the hint for anything unrecognised."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.menus import option
from core.roles import PROVINCE, STAFF_ROLES, VIEWER
from handlers.context import Context
from handlers.invites import ATTEMPT_WINDOW, MAX_FAILED_ATTEMPTS, redeem
from handlers.positions import position

LANGUAGE_FLOW = "language"
# A stranger costs almost nothing: whatever they send, they are answered at most this often a business day —
# the explanation, then one reminder of how to register — and then not at all until the next day.
STRANGER_ANSWERS_PER_DAY = 2
# /start CODE attempts are answered a little more often (typos happen; the 5-an-hour limit still applies).
STRANGER_CODE_ANSWERS_PER_DAY = 8


class LanguageState(FlowState):
    FLOW: ClassVar[str] = LANGUAGE_FLOW

    step: Literal["pick"] = "pick"


async def register(ctx: Context, args: str) -> None:
    """/start CODE: bind this sender to the invited person, role and unit."""
    if ctx.person is not None:
        ctx.say(ctx.t("start.already_registered", name=ctx.person.name))
        return
    if not args.strip():
        await answer_stranger(ctx, ctx.t("start.need_code"), STRANGER_CODE_ANSWERS_PER_DAY)
        return
    inbound = ctx.inbound
    attempts = ctx.repos.invite_attempts
    if await attempts.failures_since(inbound.channel, inbound.sender_id, ctx.now - ATTEMPT_WINDOW) \
            >= MAX_FAILED_ATTEMPTS:
        minutes = int(ATTEMPT_WINDOW.total_seconds() // 60)
        await answer_stranger(ctx, ctx.t("start.too_many_attempts", minutes=minutes), STRANGER_CODE_ANSWERS_PER_DAY)
        return  # not even looked up: a guesser learns nothing more
    result = await redeem(ctx.repos, args, channel=inbound.channel, external_id=inbound.sender_id,
                          display_name=inbound.sender_name, language=ctx.language, now=ctx.now)
    if result.person is None:
        await attempts.record_failure(inbound.channel, inbound.sender_id, ctx.now)
        await answer_stranger(ctx, ctx.t(f"start.invite_{result.problem}"), STRANGER_CODE_ANSWERS_PER_DAY)
        return
    ctx.person = result.person
    await ctx.forget()  # nothing half-way from a previous (deactivated) account carries over
    await ctx.repos.chats.remember(inbound.channel, inbound.chat_id, inbound.chat_kind,
                                   person_id=result.person.id, commune_id=result.person.commune_id)
    unit = await ctx.repos.directory.unit(result.person.unit_id) if result.person.unit_id else None
    # menu_role: channels with a command menu (Telegram) show this chat the new role's commands from now on
    commune = await ctx.repos.directory.commune(result.person.commune_id)
    title = position(ctx.t, result.person, unit, commune.name if commune else "")
    ctx.say(ctx.t("start.welcome", name=result.person.name, position=title), menu_role=result.person.role)
    show_help(ctx)


async def introduce(ctx: Context) -> None:
    """What an unregistered sender is told, whatever they send: the explanation, once a day a reminder, then nothing."""
    answered = await _stranger_answers(ctx)
    if answered < STRANGER_ANSWERS_PER_DAY:
        await answer_stranger(ctx, ctx.t("start.unregistered" if answered == 0 else "start.unregistered_reminder"),
                              STRANGER_ANSWERS_PER_DAY)


async def answer_stranger(ctx: Context, text: str, allowance: int) -> None:
    """Say `text` to an unregistered sender unless they have had `allowance` answers today (then: silence)."""
    if await _stranger_answers(ctx) >= allowance:
        return
    ctx.say(text)
    await ctx.repos.strangers.count_answer(ctx.inbound.channel, ctx.inbound.sender_id, _business_day(ctx))


async def _stranger_answers(ctx: Context) -> int:
    return await ctx.repos.strangers.answers_on(ctx.inbound.channel, ctx.inbound.sender_id, _business_day(ctx))


def _business_day(ctx: Context) -> date:
    return ctx.now.astimezone(ctx.tz).date()


def show_help(ctx: Context) -> None:
    default = "help.staff" if ctx.role in STAFF_ROLES else "help.reporter"
    key = {VIEWER: "help.viewer", PROVINCE: "help.province"}.get(ctx.role, default)
    ctx.say(ctx.t(key))
    if key == "help.staff":  # two short messages rather than one too long for a phone screen
        ctx.say(ctx.t("help.staff_manage"))


def hint(ctx: Context) -> None:
    ctx.say(ctx.t("hint.province" if ctx.role == PROVINCE else "hint.unrecognised"))  # province: reports nothing


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
        ctx.ask_again(state.options)
        return
    await ctx.repos.directory.set_language(ctx.person, picked)
    await ctx.forget()
    ctx.say(ctx.t("language.changed"), menu_role=ctx.role)  # the command menu follows, in the new language
