"""`/kiennghi KN-2026-014`: show one petition; staff move it along its lifecycle, every change audit-logged.

States (inside the petition flow): transition → (body → date | date → result) → updated.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from core.flowstate import FlowState
from core.menus import option
from core.roles import STAFF_ROLES
from core.vnparse import ParseError, clean_text, match_choice, parse_date
from handlers.context import Context
from handlers.forms import SKIP_WORDS
from plan import petition_lifecycle as life
from storage.models import Petition

FLOW = "petition"  # the same stored flow as petition.py, which hands these steps over
STEPS = ("transition", "body", "date", "result")
# What each move asks, in order: the body it goes to and when, or when and with what result.
QUESTIONS = {life.FORWARDED: ("body", "date")}
DEFAULT_QUESTIONS = ("date", "result")


class PetitionState(FlowState):
    """The petition flow's state: a new item's answers so far, or the move under way for an existing one.

    Defined here (not in petition.py) because these update steps use it and petition.py imports this module.
    """

    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "unit": ("source_kind",), "content": ("source_kind", "unit_id"),
        "received": ("source_kind", "unit_id", "content"),
        "duplicate": ("source_kind", "unit_id", "content", "received_on", "duplicate_ref"),
        "origin": ("source_kind", "unit_id", "content", "received_on"),
        "forwarded": ("source_kind", "unit_id", "content", "received_on"),
        "confirm": ("source_kind", "unit_id", "content", "received_on", "forwarded_to"),
        "transition": ("petition_id",), **{step: ("petition_id", "target", "received_on") for step in STEPS[1:]}}

    step: Literal["menu", "source", "unit", "content", "received", "duplicate", "origin", "forwarded", "confirm",
                  "transition", "body", "date", "result"]
    # recording a new petition
    source_kind: str | None = None
    unit_id: int | None = None
    content: str | None = None
    received_on: str | None = None  # ISO date; for a move, the item's own (no date of the move may precede it)
    origin_report_id: int | None = None
    duplicate_ref: str | None = None  # the register's likely twin of this one (KN-2026-014), asked about
    forwarded_to: str | None = None
    # moving an existing one along its lifecycle
    petition_id: int | None = None
    target: str | None = None
    answers: dict[str, str] = {}

    def takes_free_text(self) -> bool:
        """The petition's words, where it was forwarded, the result: "kiến nghị sửa đường …" is the answer there."""
        return self.step in ("content", "forwarded", "body", "result")


async def open_reference(ctx: Context, year: int, number: int, wanted: str = "") -> None:
    """Show the item; for staff, offer its allowed moves (or start the one typed after the reference)."""
    ref = life.reference(year, number)
    petition = await ctx.repos.petitions.by_reference(ctx.person.commune_id, year, number)
    staff = ctx.role in STAFF_ROLES
    if petition is None or (not staff and petition.unit_id != ctx.person.unit_id):
        await ctx.forget()
        ctx.say(ctx.t("petition.unknown_reference", ref=ref))
        return
    details = await _details(ctx, petition)
    moves = life.next_statuses(petition.status)
    if not staff or not moves:
        await ctx.forget()
        ctx.say(details if not staff else details + "\n\n" + ctx.t("petition.closed"))
        return
    options = [option(s, ctx.t(f"petition.status.{s}")) for s in moves]
    if wanted:
        target = _status_named(ctx, wanted)
        if target is not None and target not in moves:
            await ctx.forget()
            ctx.say(_forbidden(ctx, petition, target))
            return
        if target is not None:
            await _ask_next(ctx, PetitionState(step="transition", petition_id=petition.id, target=target))
            return
    await ctx.ask_menu(PetitionState(step="transition", petition_id=petition.id), "transition",
                       details + "\n\n" + ctx.t("petition.ask.transition"), options)


async def resume(ctx: Context, state: PetitionState) -> None:
    if state.step == "transition":
        picked = ctx.pick_or_ask_again(state.options)
        if picked is None:
            return
        await _ask_next(ctx, PetitionState(step="transition", petition_id=state.petition_id, target=picked))
        return
    value = _read(ctx, state)
    if isinstance(value, ParseError):
        ctx.say(ctx.t(value.code, **value.params) + "\n" + ctx.t(f"petition.ask.{state.step}"))
        return
    if isinstance(value, date) and value < date.fromisoformat(state.received_on):
        ctx.say(ctx.t("petition.err.before_received", date=_day(date.fromisoformat(state.received_on))))
        return
    state.answers[state.step] = value.isoformat() if isinstance(value, date) else value
    await _ask_next(ctx, state)


def _read(ctx: Context, state: PetitionState) -> Any:
    text = ctx.inbound.text if ctx.inbound.kind == "text" else ""
    if state.step == "date":
        return parse_date(text, ctx.today)
    if state.step == "result" and ctx.typed(*SKIP_WORDS):
        return ""
    return clean_text(text, 200 if state.step == "body" else 500)


async def _ask_next(ctx: Context, state: PetitionState) -> None:
    petition = await ctx.repos.petitions.get(state.petition_id)
    state.received_on = petition.received_on.isoformat()
    missing = [q for q in QUESTIONS.get(state.target, DEFAULT_QUESTIONS) if q not in state.answers]
    if missing:
        state.step, state.options = missing[0], []
        ctx.say(ctx.t(f"petition.ask.{missing[0]}"))
        await ctx.remember(state)
        return
    await _apply(ctx, petition, state.target, state.answers)


async def _apply(ctx: Context, petition: Petition, target: str, answers: dict[str, Any]) -> None:
    """Move the item if the lifecycle still allows it (another staff member may have moved it meanwhile)."""
    await ctx.forget()
    if not life.allowed(petition.status, target):
        ctx.say(_forbidden(ctx, petition, target))
        return
    before = _snapshot(petition)
    day = date.fromisoformat(answers["date"])
    if target == life.FORWARDED:
        changes = {"status": target, "forwarded_to": answers["body"], "forwarded_on": day}
    else:
        changes = {"status": target, "closed_on": day, "result": answers.get("result", "")}
    await ctx.repos.petitions.update(petition, ctx.now, **changes)
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="petition", entity_id=petition.id,
                                 action="status", before=before, after=_snapshot(petition))
    ctx.say(ctx.t("petition.updated", ref=life.reference(petition.year, petition.number),
                  status=ctx.t(f"petition.status.{target}"), date=_day(day)))


def _forbidden(ctx: Context, petition: Petition, target: str) -> str:
    moves = ", ".join(ctx.t(f"petition.status.{s}") for s in life.next_statuses(petition.status))
    return ctx.t("petition.forbidden", ref=life.reference(petition.year, petition.number),
                 current=ctx.t(f"petition.status.{petition.status}"), target=ctx.t(f"petition.status.{target}"),
                 allowed=moves or ctx.t("petition.no_moves"))


def _status_named(ctx: Context, text: str) -> str | None:
    labels = [[ctx.t(f"petition.status.{s}"), s.replace("_", " ")] for s in life.STATUSES]
    index = match_choice(text, labels)
    return life.STATUSES[index] if index is not None else None


async def _details(ctx: Context, petition: Petition) -> str:
    unit = await ctx.repos.directory.unit(petition.unit_id)
    lines = [ctx.t("petition.details", ref=life.reference(petition.year, petition.number),
                   status=ctx.t(f"petition.status.{petition.status}"), unit=unit.name if unit else "",
                   source=ctx.t(f"petition.source.{petition.source_kind}"), content=petition.content,
                   received=_day(petition.received_on), days=(ctx.today - petition.received_on).days)]
    if petition.forwarded_to:
        lines.append(ctx.t("petition.details.forwarded", body=petition.forwarded_to,
                           date=_day(petition.forwarded_on) if petition.forwarded_on else ""))
    if petition.closed_on:
        lines.append(ctx.t("petition.details.closed", date=_day(petition.closed_on),
                           result=petition.result or ctx.t("answer.skipped")))
    return "\n".join(lines)


def _snapshot(petition: Petition) -> dict[str, Any]:
    return {"status": petition.status, "forwarded_to": petition.forwarded_to,
            "forwarded_on": petition.forwarded_on.isoformat() if petition.forwarded_on else None,
            "closed_on": petition.closed_on.isoformat() if petition.closed_on else None, "result": petition.result}


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")
