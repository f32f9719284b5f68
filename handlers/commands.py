"""The command table, and recognising commands: "/baocao", "/baocao@bot", or typed "bao cao"/"báo cáo".

Adding a feature's command is one entry in COMMANDS; the router needs no change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from core.flowstate import FlowState, StateUnreadable
from core.messages import MenuCommand
from core.roles import ADMIN, ALL_ROLES, CHAIR, PROVINCE, REPORTER, ROLES, STAFF, VIEWER
from core.vnparse import fold, loose
from handlers.context import Context
from handlers.flows import (
    account,
    baselines_admin,
    broadcast,
    group_prefs,
    groups,
    invite,
    my_reports,
    people_admin,
    petition,
    photos,
    report,
    units_admin,
    web_link,
)
from handlers.flows.agenda import AgendaState, sessions_command, show_agenda
from handlers.flows.agenda import prompt as agenda_prompt
from handlers.flows.agenda import resume as agenda_resume
from handlers.flows.reminder import prompt_reminder, resume_reminder
from handlers.flows.summary import start as start_summary
from reminders.answers import ReminderAnswer

Start = Callable[[Context, str], Awaitable[None]]
Resume = Callable[[Context, Any], Awaitable[None]]  # called with the flow's own FlowState subclass


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    start: Start  # called with the context and the text after the command
    aliases: tuple[str, ...] = ()  # folded phrases that call it without the slash
    roles: frozenset[str] = frozenset(ROLES)
    private_only: bool = False  # conversations with forms never run in a group


@dataclass(frozen=True, slots=True)
class FlowSpec:
    state: type[FlowState]  # what the flow keeps between messages; its FLOW names the stored conversation
    resume: Resume  # handles the next message of a stored conversation
    prompt: Resume | None = None  # asks the current question again


def menu_commands() -> tuple[MenuCommand, ...]:
    """The table as a command menu shows it (names, roles, where they run), for channels to publish."""
    return tuple(MenuCommand(s.name, s.roles, s.private_only) for s in COMMANDS.values())


def _no_args(start: Callable[[Context], Awaitable[None]]) -> Start:
    async def call(ctx: Context, _args: str) -> None:
        await start(ctx)
    call.reads_args = False  # "báo cáo hôm qua thôn …" is then a report's text, not /baocao with words dropped
    return call


async def _already_registered(ctx: Context, _args: str) -> None:  # "bắt đầu CODE" has its own rule below
    ctx.say(ctx.t("start.already_registered", name=ctx.person.name))


async def _help(ctx: Context, _args: str) -> None:
    account.show_help(ctx)


REPORTING = frozenset({ADMIN, CHAIR, STAFF, REPORTER})
STAFF_ONLY = frozenset({ADMIN, CHAIR, STAFF})
# who may read the summary and open the dashboard; a province viewer's scope is every commune of the province
DASHBOARD_ROLES = frozenset({ADMIN, CHAIR, STAFF, VIEWER, PROVINCE})
EVERYONE = frozenset(ALL_ROLES)  # commands about one's own account: a province viewer has one too

COMMANDS: dict[str, CommandSpec] = {spec.name: spec for spec in (
    CommandSpec("start", _already_registered, ("start", "bat dau"), EVERYONE),
    CommandSpec("baocao", _no_args(report.start), ("bao cao", "gui bao cao", "report"), REPORTING, True),
    CommandSpec("cuatoi", _no_args(my_reports.start), ("cua toi", "bao cao cua toi", "my reports"), REPORTING,
                True),
    CommandSpec("trogiup", _help, ("tro giup", "giup", "huong dan", "help"), EVERYONE),
    CommandSpec("ngonngu", _no_args(account.ask_language), ("ngon ngu", "language"), EVERYONE, True),
    CommandSpec("huy", _no_args(account.cancel), ("huy", "huy bo", "cancel"), EVERYONE),
    CommandSpec("lich", show_agenda, ("lich", "lich bao cao", "han bao cao", "deadlines"), REPORTING),
    CommandSpec("kyhop", sessions_command, ("ky hop", "ky hop hdnd", "council sessions"), STAFF_ONLY),
    # bare "mới" (new) is an ordinary answer, so /moi has only the slash form and a longer phrase
    CommandSpec("moi", _no_args(invite.start), ("tao ma moi", "invite"), STAFF_ONLY, True),
    CommandSpec("thongbao", broadcast.start, ("thong bao", "gui thong bao", "broadcast"), STAFF_ONLY, True),
    CommandSpec("nhom", _no_args(group_prefs.start), ("cac nhom", "nhom chat", "groups"), STAFF_ONLY, True),
    CommandSpec("kiennghi", petition.start, ("kien nghi", "y kien kien nghi", "petitions"), REPORTING, True),
    CommandSpec("dangkynhom", _no_args(groups.register), ("dang ky nhom", "register group")),
    CommandSpec("huynhom", _no_args(groups.unregister), ("huy nhom", "huy dang ky nhom", "unregister group")),
    CommandSpec("tonghop", start_summary, ("tong hop", "bao cao tong hop", "summary"), DASHBOARD_ROLES),
    CommandSpec("web", _no_args(web_link.start), ("trang web", "bang dieu khien", "dashboard"),
                DASHBOARD_ROLES, True),
    # chat administration of the directory (docs/directory.md): units, people, a unit's yearly figures
    CommandSpec("donvi", units_admin.start, ("don vi", "quan ly don vi", "units"), STAFF_ONLY, True),
    CommandSpec("nguoi", people_admin.start, ("quan ly nguoi", "nguoi dung", "people"), STAFF_ONLY, True),
    CommandSpec("chiso", baselines_admin.start, ("chi so", "chi so nen", "baselines"), STAFF_ONLY, True),
)}

FLOWS: dict[str, FlowSpec] = {spec.state.FLOW: spec for spec in (
    FlowSpec(report.ReportState, report.resume, report.prompt),
    FlowSpec(photos.PhotosState, photos.resume, photos.prompt),
    FlowSpec(my_reports.MyReportsState, my_reports.resume, my_reports.prompt),
    FlowSpec(invite.InviteState, invite.resume, invite.prompt),
    FlowSpec(account.LanguageState, account.on_language),
    FlowSpec(ReminderAnswer, resume_reminder, prompt_reminder),
    FlowSpec(broadcast.BroadcastState, broadcast.resume, broadcast.prompt),
    FlowSpec(group_prefs.GroupPrefsState, group_prefs.resume, group_prefs.prompt),
    FlowSpec(petition.PetitionState, petition.resume, petition.prompt),
    FlowSpec(units_admin.UnitsAdminState, units_admin.resume, units_admin.prompt),
    FlowSpec(people_admin.PeopleAdminState, people_admin.resume, people_admin.prompt),
    FlowSpec(baselines_admin.BaselinesState, baselines_admin.resume, baselines_admin.prompt),
    FlowSpec(AgendaState, agenda_resume, agenda_prompt),
)}


def read_state(flow: str, data: Any) -> FlowState:
    """A stored conversation row as its flow's typed state; StateUnreadable if no flow can continue it."""
    spec = FLOWS.get(flow)
    if spec is None:
        raise StateUnreadable(f"no flow {flow!r}")
    return spec.state.from_row(data)


_PHRASES = sorted(((fold(phrase), spec.name) for spec in COMMANDS.values() for phrase in spec.aliases),
                  key=lambda item: -len(item[0]))
_LOOSE_PHRASES = [(loose(phrase), name) for phrase, name in _PHRASES]
# Lookups for every ordinary answer (most messages are not commands); the first, longest phrase wins as above.
_EXACT = {phrase: name for phrase, name in reversed(_PHRASES)}
_LOOSE = {phrase: name for phrase, name in reversed(_LOOSE_PHRASES)}
_START_PHRASES = [phrase for phrase, name in _PHRASES if name == "start"]
# The help lists "/tonghop", "/kiennghi mới" and says the slash may be left out, so "tonghop quy 1" is that command.
# Only names joined from a spaced phrase ("tong hop" -> tonghop): one-syllable names (lich, huy, moi, nhom) are
# ordinary words an answer may start with, and a joined word never is.
_JOINED = {phrase.replace(" ", ""): name for phrase, name in _PHRASES
           if " " in phrase and phrase.replace(" ", "") == name}


# "tong hop quy 1", "kien nghi moi", "don vi thon 3": a command's spaced name, then its arguments. Only names of
# two words or more (one word — lich, huy, moi — often begins an answer) of commands that read arguments; the
# router still takes such a message as the answer where a question reads free text, in a group, or from someone
# the command is not for (rather a report's or petition's own words). "/baocao" and the like read none: skipped.
_SPACED = [(phrase, name) for phrase, name in _PHRASES
           if " " in phrase and name != "start" and getattr(COMMANDS[name].start, "reads_args", True)]


@dataclass(frozen=True, slots=True)
class Command:
    name: str  # the canonical name, or the unknown word after a slash
    args: str
    spec: CommandSpec | None
    spaced: bool = False  # typed as its spaced name followed by words: an ordinary sentence may begin the same


def parse_command(text: str) -> Command | None:
    """The command in a message, or None when the message is an ordinary answer."""
    stripped = text.strip()
    if stripped.startswith("/"):
        head, _, args = stripped[1:].partition(" ")
        word = fold(head.split("@", 1)[0]).replace(" ", "")
        spec = COMMANDS.get(word) or next((COMMANDS[n] for p, n in _PHRASES if p.replace(" ", "") == word), None)
        return Command(spec.name if spec else word, args.strip(), spec)
    folded = fold(stripped)
    if folded in _EXACT:  # before the "bắt đầu CODE" prefixes: an exact phrase is never shorter than a prefix match
        return Command(_EXACT[folded], "", COMMANDS[_EXACT[folded]])
    for phrase in _START_PHRASES:
        if folded.startswith(phrase + " "):
            # the code follows every word of the phrase ("bắt đầu CODE" has two)
            return Command("start", stripped.split(None, phrase.count(" ") + 1)[-1].strip(), COMMANDS["start"])
    head, _, args = stripped.partition(" ")
    if (joined := _JOINED.get(fold(head).removesuffix(":"))) is not None:  # "Tonghop: quý 1", written as a heading
        return Command(joined, args.strip(), COMMANDS[joined])
    for phrase, name in _SPACED:  # longest first: "bao cao tong hop quy 1" is /tonghop, not /baocao
        if folded.startswith((phrase + " ", phrase + ": ")):
            words = stripped.split(None, phrase.count(" ") + 1)
            return Command(name, words[-1].strip(), COMMANDS[name], spaced=True)
    name = _LOOSE.get(loose(stripped))  # "baos caos": typed with Telex habits while the input method was off
    return Command(name, "", COMMANDS[name]) if name else None
