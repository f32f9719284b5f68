"""The entry point of the conversation core: one inbound message in, replies collected on the context."""

from __future__ import annotations

from core.messages import MEMBERSHIP_KINDS
from core.roles import REPORTING_ROLES
from core.vnparse import loose
from handlers.commands import FLOWS, Command, parse_command
from handlers.context import Context
from handlers.flows import account, groups, photos, report

MAX_MESSAGE_CHARS = 10_000
# What the bot cannot read: answered with what it can (text and photos); a question in progress is asked again.
UNREADABLE_KINDS = ("sticker", "voice", "document", "location", "unsupported")


async def handle(ctx: Context) -> None:
    """Route one message: registration, commands, the stored conversation, or a hint."""
    inbound = ctx.inbound
    if inbound.kind in MEMBERSHIP_KINDS:
        await groups.membership(ctx)
        return
    too_long = len(inbound.text) > MAX_MESSAGE_CHARS
    command = parse_command(inbound.text) if inbound.kind == "text" and inbound.choice is None and not too_long \
        else None
    if ctx.person is None:
        if inbound.chat_kind != "private":
            return  # in groups strangers are not answered, not even /start: the group would drown in replies
        if command is not None and command.name == "start":
            await account.register(ctx, command.args)
        else:
            await account.introduce(ctx)  # at most twice a day, whatever they send
        return
    if too_long:
        ctx.say(ctx.t("err.message_too_long", max=MAX_MESSAGE_CHARS))
        await _ask_again(ctx)
        return
    if ctx.state is not None and ctx.state.browses_only() and ctx.page_step() is None:
        await ctx.forget()  # a list being read (/lich) waits for nothing but "xem tiếp": the message is handled afresh
    if command is not None and command.spaced and not _spaced_command_meant(ctx, command):
        command = None  # "tổng hợp ý kiến bà con …" from a reporter, or in the village's group, is not /tonghop
    if command is not None and not inbound.text.lstrip().startswith("/") and _answers_the_question(ctx, command):
        command = None  # "Tổng hợp" typed to a menu that offers it is an answer, not the "tong hop" command
    if command is not None:
        await _run_command(ctx, command)
    elif inbound.chat_kind == "group":
        return  # group chatter that is not a command is not for the bot
    elif inbound.kind in UNREADABLE_KINDS:
        ctx.say(ctx.t(f"err.inbound.{inbound.kind}"))
        await _ask_again(ctx)  # a form in progress is not disturbed: the same question again
    elif (step := ctx.page_turn()) is not None:
        await ctx.turn_page(step)  # a long menu's next or previous page (Context.ask_menu); the question stays
    elif ctx.state is not None:
        await FLOWS[ctx.state.FLOW].resume(ctx, ctx.state)
    elif inbound.kind == "photo" and ctx.role in REPORTING_ROLES:
        await photos.start(ctx)  # photos first, as in the village's Zalo group: kept, then "which report?"
    elif inbound.kind != "text":
        ctx.say(ctx.t("err.inbound.photo" if inbound.kind == "photo" else "err.inbound.unsupported"))
    elif not await report.start_from_text(ctx):  # "hôm qua thôn tổ chức ngày hội …" is a report
        account.hint(ctx)


async def _run_command(ctx: Context, command: Command) -> None:
    spec = command.spec
    if spec is None:
        ctx.say(ctx.t("err.unknown_command", command=command.name[:30]))
        account.show_help(ctx)
        return
    if ctx.role not in spec.roles:
        ctx.say(ctx.t("err.not_allowed"))
        return
    if ctx.inbound.chat_kind == "group" and spec.private_only:
        ctx.say(ctx.t("group.use_private_chat", name=ctx.person.name))
        return
    if spec.private_only and ctx.state is not None:
        await ctx.forget()  # a new conversation replaces whatever was half-way
    await spec.start(ctx, command.args)


def _answers_the_question(ctx: Context, command: Command) -> bool:
    """Whether a command phrase typed without "/" is rather the answer: an option's label, or free text.

    Cancelling ("huỷ") and help stay commands everywhere, so nobody is ever stuck in a question.
    """
    if ctx.state is None or command.name in ("huy", "trogiup"):
        return False
    if ctx.state.takes_free_text():
        return True
    key = loose(ctx.inbound.text)
    return any(key == loose(label) for label in ctx.state.option_labels())


def _spaced_command_meant(ctx: Context, command: Command) -> bool:
    """Whether "tong hop quy 1" (a command's spaced name and words after it) is the command: only in a private
    chat (a group's members talk among themselves), from someone who may run it (else it is their own text), and
    not where the conversation reads a typed sentence as its own (a report written after its photos)."""
    reads_sentences = ctx.state is not None and ctx.state.reads_sentences()
    return ctx.inbound.chat_kind == "private" and ctx.role in command.spec.roles and not reads_sentences


async def _ask_again(ctx: Context) -> None:
    spec = FLOWS[ctx.state.FLOW] if ctx.state is not None else None
    if spec is not None and spec.prompt is not None:
        await spec.prompt(ctx, ctx.state)
