"""/lich: the deadlines that concern a person; /kyhop: staff enter the HĐND session dates deadlines follow."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.menus import page_text
from core.roles import STAFF_ROLES
from core.vnparse import parse_date
from handlers.context import Context
from plan.periods import deadlines, window_of
from reminders.rules import ReportIndex, UnitRef, done_mark, filtered_forms, filtered_marks, item_unit_kinds
from reminders.texts import day_text, period_text, shorten, when_text

HORIZON = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class AgendaLine:
    due: date
    item_id: str
    period: str
    task: str
    concerned: int  # units it concerns (of those shown to this person)
    missing: int  # of which still without the linked report


class AgendaState(FlowState):
    """/lich's list read a page at a time: "0" or "xem tiếp" shows the next page, anything else closes it."""

    FLOW: ClassVar[str] = "agenda"
    step: Literal["list"] = "list"

    def browses_only(self) -> bool:
        return True


async def show_agenda(ctx: Context, args: str = "") -> None:
    """Upcoming deadlines (next 60 days) and overdue ones not yet reported, for the person's unit(s); a long list
    a page at a time, turned like a long menu ("0. ➡️ Xem tiếp"); "/lich 2" goes straight to page 2."""
    page = int(args.strip()) - 1 if args.strip().isdigit() and int(args.strip()) > 0 else 0
    if ctx.inbound.chat_kind == "private" and (ctx.state is None or isinstance(ctx.state, AgendaState)):
        await _show_page(ctx, page)
        return
    # A group reads no "0" as an answer, and a form half-way keeps its question: there, pages are "/lich 2".
    listing = await _listing(ctx)
    if listing is not None:
        header, lines = listing
        ctx.say(page_text(header, lines, lambda n, total: ctx.t("agenda.more", page=n, pages=total), page + 1))


async def resume(ctx: Context, state: AgendaState) -> None:
    """The next (or previous) page; the router closed the list already for any other message."""
    await _show_page(ctx, state.list_page + (ctx.page_step() or 0))


async def prompt(ctx: Context, state: AgendaState) -> None:
    await _show_page(ctx, state.list_page)


async def _show_page(ctx: Context, page: int) -> None:
    listing = await _listing(ctx)
    if listing is None:
        if ctx.state is not None:
            await ctx.forget()
        return
    state = AgendaState()
    await ctx.ask_list(state, "list", *listing, page)
    if not state.options:  # it all fit in one message: nothing to turn, no conversation to keep open
        await ctx.forget()


async def _listing(ctx: Context) -> tuple[str, list[str]] | None:
    """The list's header and lines, or None after saying there is nothing to list."""
    units = await _units_of(ctx)
    if not units:
        ctx.say(ctx.t("report.no_unit"))
        return None
    repos, year = ctx.repos, ctx.plan.year
    sessions = tuple(await repos.reminders.sessions(ctx.person.commune_id))
    commune_id, first, last = ctx.person.commune_id, date(year, 1, 1), date(year, 12, 31)
    marks = await repos.reminders.report_marks(commune_id, first, last)
    answered = await repos.reminders.answered_marks(commune_id, first, last, filtered_forms(ctx.plan))
    index = ReportIndex([*marks, *filtered_marks(ctx.plan, answered)])
    lines = agenda(ctx, units, index, sessions)
    if not lines:
        ctx.say(ctx.t("agenda.empty"))
        return None
    staff = ctx.role in STAFF_ROLES
    header = ctx.t("agenda.title_staff" if staff else "agenda.title", unit=units[0].name)
    return header, [_line_text(ctx, line, staff) for line in lines]


def agenda(ctx: Context, units: list[UnitRef], index: ReportIndex, sessions: tuple[date, ...]) -> list[AgendaLine]:
    """Pure: the deadlines that concern these units, between overdue-and-missing and 60 days ahead."""
    found = []
    for item in ctx.plan.timeline:
        kinds = item_unit_kinds(ctx.plan, item)
        concerned = [u for u in units if u.kind in kinds]
        cutoff = ctx.plan.settings.period_cutoff
        for deadline in deadlines(item, ctx.plan.year, sessions, cutoff) if concerned else ():
            window = window_of(item, ctx.plan.year, deadline, sessions, cutoff)
            missing = sum(not index.reported(u.id, done_mark(item), *window) for u in concerned)
            upcoming = ctx.today <= deadline.due <= ctx.today + HORIZON
            if upcoming or (deadline.due < ctx.today and missing):
                found.append(AgendaLine(deadline.due, item.id, deadline.period, item.text, len(concerned), missing))
    return sorted(found, key=lambda line: (line.due, line.item_id))


def _line_text(ctx: Context, line: AgendaLine, staff: bool) -> str:
    if staff:
        state = ctx.t("agenda.missing_count", missing=line.missing, total=line.concerned)
    else:
        state = ctx.t("agenda.missing" if line.missing else "agenda.done")
    return ctx.t("agenda.line", due=day_text(line.due), period=period_text(ctx.t, line.period),
                 when=when_text(ctx.t, line.due, ctx.today), task=shorten(line.task, 70), state=state)


async def _units_of(ctx: Context) -> list[UnitRef]:
    if ctx.role in STAFF_ROLES:
        units = await ctx.repos.directory.units(ctx.person.commune_id)
    else:
        unit = await ctx.repos.directory.unit(ctx.person.unit_id) if ctx.person.unit_id else None
        units = [unit] if unit is not None else []
    return [UnitRef(u.id, u.name, u.kind) for u in units]


async def sessions_command(ctx: Context, args: str) -> None:
    """/kyhop lists the session dates; /kyhop 15/12/2026 adds one (in the plan year, past sessions too)."""
    commune_id = ctx.person.commune_id
    if not args.strip():
        days = await ctx.repos.reminders.sessions(commune_id)
        listed = ", ".join(day_text(d) for d in days) if days else ctx.t("session.none")
        ctx.say(ctx.t("session.list", dates=listed))
        return
    day = _session_day(ctx, args)
    if day is None:
        return
    added = await ctx.repos.reminders.add_session(commune_id, day, person_id=ctx.person.id, now=ctx.now)
    # A past session is accepted: its voters' meetings still need a row of their own in the report.
    message = "session.exists" if not added else "session.added_past" if day < ctx.today else "session.added"
    ctx.say(ctx.t(message, date=day_text(day)))


def _session_day(ctx: Context, args: str) -> date | None:
    """The date typed, or None after telling why it cannot be a session date."""
    year = ctx.plan.year
    if not re.search(r"\d", args):  # relative words ("ngày mai") mean nothing for a future session
        ctx.say(ctx.t("session.usage"))
        return None
    parsed = parse_date(args, date(year, 12, 31), year)  # "today" at year end: any date of the plan year parses
    if not isinstance(parsed, date):
        code = parsed.code
        if code in ("err.date.future", "err.date.outside_year"):
            ctx.say(ctx.t("session.outside_year", year=year))
        else:
            ctx.say(ctx.t(code, **parsed.params) + "\n" + ctx.t("session.usage"))
        return None
    return parsed
