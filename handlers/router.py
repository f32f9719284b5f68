"""The entry point of the conversation core: one inbound message in, replies collected on the context."""

from __future__ import annotations

import logging

from handlers import account, invite_flow, my_reports, report_flow
from handlers.commands import allowed, parse_command
from handlers.context import Context

log = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 10_000

# A stored conversation names its flow; each flow resumes from its state and can ask its question again.
FLOWS = {
    report_flow.FLOW: (report_flow.resume, report_flow.prompt),
    my_reports.FLOW: (my_reports.resume, my_reports.prompt),
    invite_flow.FLOW: (invite_flow.resume, invite_flow.prompt),
    account.LANGUAGE_FLOW: (account.on_language, None),
}
PRIVATE_ONLY = frozenset({"baocao", "cuatoi", "moi", "ngonngu"})


async def handle(ctx: Context) -> None:
    """Route one message: registration, commands, the stored conversation, or a hint."""
    inbound = ctx.inbound
    if len(inbound.text) > MAX_MESSAGE_CHARS:
        ctx.say(ctx.t("err.message_too_long", max=MAX_MESSAGE_CHARS))
        await _ask_again(ctx)
        return
    command = parse_command(inbound.text) if inbound.kind == "text" and inbound.choice is None else None
    if ctx.person is None:
        if command is not None and command.name == "start":
            await account.register(ctx, command.args)
        elif inbound.chat_kind == "private":
            account.introduce(ctx)
        return  # in groups, strangers are not answered: the group would drown in replies
    if command is not None:
        await _run_command(ctx, command.name, command.args, command.known)
    elif inbound.chat_kind == "group":
        return  # group chatter that is not a command is not for the bot
    elif ctx.state is not None:
        await _continue(ctx)
    elif inbound.kind != "text":
        ctx.say(ctx.t(f"err.inbound.{inbound.kind}" if inbound.kind in ("photo", "sticker", "voice") else
                      "err.inbound.unsupported"))
    else:
        account.hint(ctx)


async def _run_command(ctx: Context, name: str, args: str, known: bool) -> None:
    if not known:
        ctx.say(ctx.t("err.unknown_command", command=name[:30]))
        account.show_help(ctx)
        return
    if not allowed(name, ctx.role):
        ctx.say(ctx.t("err.not_allowed"))
        return
    if ctx.inbound.chat_kind == "group" and name in PRIVATE_ONLY:
        ctx.say(ctx.t("group.use_private_chat", name=ctx.person.name))
        return
    if name in ("baocao", "cuatoi", "moi", "ngonngu") and ctx.state is not None:
        await ctx.forget()  # a new command replaces whatever conversation was half-way
    starts = {"baocao": report_flow.start, "cuatoi": my_reports.start, "moi": invite_flow.start,
              "ngonngu": account.ask_language, "huy": account.cancel, "start": _already_started}
    if name in starts:
        await starts[name](ctx)
    else:
        account.show_help(ctx)


async def _already_started(ctx: Context) -> None:
    ctx.say(ctx.t("start.already_registered", name=ctx.person.name))


async def _continue(ctx: Context) -> None:
    resume, _ = FLOWS[ctx.flow]
    await resume(ctx, ctx.state)


async def _ask_again(ctx: Context) -> None:
    if ctx.state is None or ctx.flow not in FLOWS:
        return
    _, prompt = FLOWS[ctx.flow]
    if prompt is not None:
        await prompt(ctx, ctx.state)
