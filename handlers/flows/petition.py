"""/kiennghi: list open petitions with their age, record a new one, or open one by its reference.

Recording states: source → unit (staff) → content → received → duplicate (only when the register already holds
the same words of that unit within days: petition_twins) → origin (supervision/criticism, if any)
→ forwarded (optional body) → confirm → saved as KN-<year>-<number>.
"""

from __future__ import annotations

from datetime import date

from core.menus import choices_of, option
from core.roles import STAFF_ROLES
from core.vnparse import ParseError, clean_text, fold, parse_date
from core.wordcut import cut_words
from handlers.context import Context
from handlers.flows import petition_twins, petition_update
from handlers.flows.petition_update import PetitionState
from handlers.forms import SKIP_WORDS
from plan import petition_lifecycle as life
from storage.models import Petition

FLOW = PetitionState.FLOW
NEW_WORDS = ("moi", "ghi", "ghi moi", "them", "new")


async def start(ctx: Context, args: str) -> None:
    """`/kiennghi`, `/kiennghi mới` or `/kiennghi KN-2026-014 [trạng thái mới]`."""
    reference = life.parse_reference(args)
    if reference is not None:
        await petition_update.open_reference(ctx, *reference)
    elif fold(args) in NEW_WORDS:
        await _ask_source(ctx)
    elif args.strip().isdigit():  # "/kiennghi 2": straight to page 2 of a long list ("0" turns it as well)
        await _list_open(ctx, int(args.strip()) - 1)
    elif args.strip():
        ctx.say(ctx.t("petition.usage"))
    else:
        await _list_open(ctx)


async def resume(ctx: Context, state: PetitionState) -> None:
    if state.step in petition_update.STEPS:
        await petition_update.resume(ctx, state)
        return
    steps = {"menu": _on_menu, "source": _on_source, "unit": _on_unit, "content": _on_content,
             "received": _on_received, "duplicate": _on_duplicate, "origin": _on_origin, "forwarded": _on_forwarded,
             "confirm": _on_confirm}
    await steps[state.step](ctx, state)


async def prompt(ctx: Context, state: PetitionState) -> None:
    if state.options:
        ctx.say(ctx.t("menu.choose_again"), choices_of(state.options))
    else:
        ctx.say(ctx.t(f"petition.ask.{state.step}"))


async def _list_open(ctx: Context, page: int = 0) -> None:
    """The open items, a page at a time under the same "0. ➡️ Xem tiếp" as a long menu, with "1. Ghi mới"."""
    staff = ctx.role in STAFF_ROLES
    if not staff and ctx.person.unit_id is None:
        ctx.say(ctx.t("report.no_unit"))
        return
    items = await ctx.repos.petitions.open_items(ctx.person.commune_id, None if staff else ctx.person.unit_id)
    names = await ctx.repos.directory.unit_names(ctx.person.commune_id, [item.unit_id for item in items])
    options = [option("new", ctx.t("petition.new"), "moi", "ghi moi", "new")]
    hint = ctx.t("petition.list.update_hint") if staff else ""
    if not items:
        await ctx.ask_menu(PetitionState(step="menu"), "menu", "\n".join(filter(None, (
            ctx.t("petition.list.empty"), hint))), options)
        return
    await ctx.ask_list(PetitionState(step="menu"), "menu", ctx.t("petition.list.title", count=len(items)),
                       [_line(ctx, item, names) for item in items], page, options, hint)


def _line(ctx: Context, item: Petition, names: dict[int, str]) -> str:
    age = (ctx.today - item.received_on).days
    content = cut_words(item.content, 41)
    return ctx.t("petition.list.line", ref=life.reference(item.year, item.number), days=age,
                 unit=names.get(item.unit_id, ""), status=ctx.t(f"petition.status.{item.status}"), content=content)


async def _on_menu(ctx: Context, state: PetitionState) -> None:
    reference = life.parse_reference(ctx.inbound.text)
    if (step := ctx.page_step()) is not None:
        await _list_open(ctx, state.list_page + step)
    elif reference is not None:
        await petition_update.open_reference(ctx, *reference)
    elif ctx.picked(state.options) == "new":
        await _ask_source(ctx)
    else:
        ctx.ask_again(state.options)


async def _ask_source(ctx: Context) -> None:
    options = [option(kind, ctx.t(f"petition.source.{kind}")) for kind in life.SOURCE_KINDS]
    await ctx.ask_menu(PetitionState(step="source"), "source", ctx.t("petition.ask.source"), options)


async def _on_source(ctx: Context, state: PetitionState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    state.source_kind = picked
    if ctx.role not in STAFF_ROLES:
        if ctx.person.unit_id is None:
            await ctx.forget()
            ctx.say(ctx.t("report.no_unit"))
            return
        state.unit_id = ctx.person.unit_id
        await _ask_text(ctx, state, "content")
        return
    await ctx.ask_menu(state, "unit", ctx.t("petition.ask.unit"), await ctx.unit_options())


async def _on_unit(ctx: Context, state: PetitionState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    state.unit_id = int(picked)
    await _ask_text(ctx, state, "content")


async def _ask_text(ctx: Context, state: PetitionState, step: str) -> None:
    state.step, state.options = step, []
    ctx.say(ctx.t(f"petition.ask.{step}"))
    await ctx.remember(state)


async def _on_content(ctx: Context, state: PetitionState) -> None:
    text = clean_text(ctx.inbound.text, 500) if ctx.inbound.kind == "text" else ParseError("err.answer.text_expected")
    if isinstance(text, ParseError):
        ctx.say(ctx.t(text.code, **text.params) + "\n" + ctx.t("petition.ask.content"))
        return
    state.content = text
    await _ask_text(ctx, state, "received")


async def _on_received(ctx: Context, state: PetitionState) -> None:
    day = parse_date(ctx.inbound.text, ctx.today)
    if isinstance(day, ParseError):
        ctx.say(ctx.t(day.code, **day.params) + "\n" + ctx.t("petition.ask.received"))
        return
    state.received_on = day.isoformat()
    twin = await petition_twins.likely_twin(ctx, state.unit_id, state.content, day)
    if twin is not None:  # most often a report's recommendation, already in the register: counted twice if added
        await _ask_duplicate(ctx, state, twin)
        return
    await _ask_origin(ctx, state, day)


async def _ask_duplicate(ctx: Context, state: PetitionState, twin: Petition) -> None:
    state.duplicate_ref = life.reference(twin.year, twin.number)
    options = [option("same", ctx.t("petition.duplicate.same")),
               option("different", ctx.t("petition.duplicate.different"))]
    await ctx.ask_menu(state, "duplicate", ctx.t(
        "petition.duplicate.ask", ref=state.duplicate_ref, came=await _came(ctx, twin),
        content=cut_words(twin.content, 81),
        received=twin.received_on.strftime("%d/%m/%Y")), options)


async def _came(ctx: Context, twin: Petition) -> str:
    """Where the register's item came from: the report that put it there (its form and date), or /kiennghi."""
    report = await ctx.repos.reports.get(twin.origin_report_id) if twin.origin_field else None
    if report is None or not any(form.id == report.form_id for form in ctx.plan.forms):
        return ctx.t("petition.duplicate.recorded")
    return ctx.t("petition.duplicate.from_report", form=ctx.plan.form(report.form_id).label.get(ctx.language),
                 date=report.activity_date.strftime("%d/%m/%Y"))


async def _on_duplicate(ctx: Context, state: PetitionState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked == "same":
        await ctx.forget()
        ctx.say(ctx.t("petition.duplicate.not_added", ref=state.duplicate_ref))
    elif picked == "different":
        await _ask_origin(ctx, state, date.fromisoformat(state.received_on))


async def _ask_origin(ctx: Context, state: PetitionState, day: date) -> None:
    form_id = life.ORIGIN_FORMS.get(state.source_kind)
    reports = await ctx.repos.petitions.origin_reports(ctx.person.commune_id, form_id, day.year) if form_id else []
    if not reports:
        await _ask_text(ctx, state, "forwarded")
        return
    names = await ctx.repos.directory.unit_names(ctx.person.commune_id, [r.unit_id for r in reports])
    options = [*(option(r.id, _origin_label(ctx, r, names)) for r in reports),
               option("none", ctx.t("petition.origin.none"))]
    await ctx.ask_menu(state, "origin", ctx.t("petition.ask.origin"), options)


def _origin_label(ctx: Context, report, names: dict[int, str]) -> str:
    """"10/11/2026 Thôn 3: Giám sát thu chi quỹ (số 123)": two supervisions of the same day and topic still read
    apart, by their unit and the report's number (the one its receipt gave)."""
    form = ctx.plan.form(report.form_id)
    topic = next((str(report.answers[f.id]) for f in form.fields
                  if f.kind.value == "text" and report.answers.get(f.id)), "") or form.label.get(ctx.language)
    return ctx.t("petition.origin.item", date=report.activity_date.strftime("%d/%m/%Y"),
                 unit=names.get(report.unit_id, ""), topic=cut_words(topic, 61), id=report.id)


async def _on_origin(ctx: Context, state: PetitionState) -> None:
    picked = ctx.picked(state.options)
    if picked is None and ctx.typed(*SKIP_WORDS):
        picked = "none"
    if picked is None:
        ctx.ask_again(state.options)
        return
    state.origin_report_id = None if picked == "none" else int(picked)
    await _ask_text(ctx, state, "forwarded")


async def _on_forwarded(ctx: Context, state: PetitionState) -> None:
    if ctx.typed(*SKIP_WORDS):
        state.forwarded_to = ""
    else:
        text = clean_text(ctx.inbound.text, 200) if ctx.inbound.kind == "text" else ParseError("err.text.empty")
        if isinstance(text, ParseError):
            ctx.say(ctx.t(text.code, **text.params) + "\n" + ctx.t("petition.ask.forwarded"))
            return
        state.forwarded_to = text
    await _show_confirm(ctx, state)


async def _show_confirm(ctx: Context, state: PetitionState) -> None:
    unit = await ctx.repos.directory.unit(state.unit_id)
    options = [option("save", ctx.t("petition.confirm.save")), option("cancel", ctx.t("petition.confirm.cancel"))]
    await ctx.ask_menu(state, "confirm", ctx.t(
        "petition.confirm", source=ctx.t(f"petition.source.{state.source_kind}"), unit=unit.name,
        content=state.content, received=date.fromisoformat(state.received_on).strftime("%d/%m/%Y"),
        forwarded=state.forwarded_to or ctx.t("answer.skipped")), options)


async def _on_confirm(ctx: Context, state: PetitionState) -> None:
    picked = ctx.picked(state.options)
    if picked is None and ctx.said_yes() is not None:
        picked = "save" if ctx.said_yes() else "cancel"
    if picked == "save":
        await _save(ctx, state)
    elif picked == "cancel":
        await ctx.forget()
        ctx.say(ctx.t("petition.cancelled"))
    else:
        ctx.ask_again(state.options)


async def _save(ctx: Context, state: PetitionState) -> None:
    """Number and store the item with its audit entry; a body given now means it is already forwarded."""
    received_on = date.fromisoformat(state.received_on)
    forwarded = bool(state.forwarded_to)
    petition = await ctx.repos.petitions.create(Petition(
        commune_id=ctx.person.commune_id, unit_id=state.unit_id, person_id=ctx.person.id,
        year=received_on.year, number=0, source_kind=state.source_kind, content=state.content,
        received_on=received_on, origin_report_id=state.origin_report_id,
        status=life.FORWARDED if forwarded else life.RECEIVED, forwarded_to=state.forwarded_to,
        forwarded_on=ctx.today if forwarded else None, created_at=ctx.now, updated_at=ctx.now))
    ref = life.reference(petition.year, petition.number)
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="petition", entity_id=petition.id,
                                 action="create", after={"reference": ref, "status": petition.status,
                                                         "source_kind": petition.source_kind})
    await ctx.forget()
    ctx.say(ctx.t("petition.saved", ref=ref))
