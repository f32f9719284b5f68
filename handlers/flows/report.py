"""/baocao: choose the unit (staff), choose the activity, answer field by field, confirm, save.

States: unit → form → field (× each field; back/skip) → confirm ⇄ edit_pick → saved.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from core.menus import choices_of, option
from core.roles import STAFF_ROLES
from core.vnparse import ParseError
from handlers.context import Context
from handlers.forms import (
    BACK_WORDS,
    SKIP_WORDS,
    FieldQuestion,
    ask_field,
    explain,
    field_options,
    read_answer,
    summarise,
)
from plan.schema import FieldKind, Form, FormField, Plan, UnitKind
from storage.models import Report

FLOW = "report"


class ReportState(FieldQuestion):
    """A report being filled: the unit, the form, the field asked (by position) and the answers so far."""

    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "form": ("unit_id",), "field": ("unit_id", "form"), "confirm": ("unit_id", "form"),
        "edit_pick": ("unit_id", "form")}

    step: Literal["unit", "form", "field", "confirm", "edit_pick"]
    unit_id: int | None = None
    index: int = 0
    answers: dict[str, Any] = {}
    editing: bool = False  # a field re-asked from the summary goes back to the summary

    def asked_field(self, plan: Plan) -> FormField | None:
        return plan.form(self.form).fields[self.index] if self.step == "field" else None


async def start(ctx: Context) -> None:
    """Begin a report: staff pick a unit first, a reporter reports for their own unit."""
    if ctx.role in STAFF_ROLES:
        await _ask_unit(ctx, ReportState(step="unit"))
        return
    unit = await ctx.repos.directory.unit(ctx.person.unit_id) if ctx.person.unit_id else None
    if unit is None:
        ctx.say(ctx.t("report.no_unit"))
        return
    await _ask_form(ctx, ReportState(step="form", unit_id=unit.id))


async def start_with_form(ctx: Context, unit_id: int, form_id: str | None) -> None:
    """Open a given form for a unit at once (a reminder's "đã làm"); no form given: the activity menu."""
    if form_id is None:
        await _ask_form(ctx, ReportState(step="form", unit_id=unit_id))
        return
    await _ask_current_field(ctx, ReportState(step="field", unit_id=unit_id, form=form_id))


async def resume(ctx: Context, state: ReportState) -> None:
    steps = {"unit": _on_unit, "form": _on_form, "field": _on_field, "confirm": _on_confirm,
             "edit_pick": _on_edit_pick}
    await steps[state.step](ctx, state)


async def prompt(ctx: Context, state: ReportState) -> None:
    """Ask the current question again (after an input the step could not use)."""
    if state.step == "field":
        await _ask_current_field(ctx, state)
    elif state.step == "confirm":
        await _show_confirm(ctx, state)
    else:
        ctx.say(ctx.t("menu.choose_again"), choices_of(state.options))


async def _ask_unit(ctx: Context, state: ReportState) -> None:
    await ctx.ask_menu(state, "unit", ctx.t("report.choose_unit"), await ctx.unit_options())


async def _on_unit(ctx: Context, state: ReportState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    await _ask_form(ctx, ReportState(step="form", unit_id=int(picked)))


async def _ask_form(ctx: Context, state: ReportState) -> None:
    unit = await ctx.repos.directory.unit(state.unit_id)
    forms = ctx.plan.forms_for(UnitKind(unit.kind))
    if not forms:
        ctx.say(ctx.t("report.no_forms", unit=unit.name))
        await ctx.forget()
        return
    lang = ctx.language
    options = [option(f.id, f.label.get(lang), f.label.vi, f.label.en) for f in forms]
    await ctx.ask_menu(state, "form", ctx.t("report.choose_activity", unit=unit.name), options)


async def _on_form(ctx: Context, state: ReportState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    await _ask_current_field(ctx, ReportState(step="field", unit_id=state.unit_id, form=picked))


async def _ask_current_field(ctx: Context, state: ReportState) -> None:
    form = ctx.plan.form(state.form)
    field = form.fields[state.index]
    units = await ctx.repos.directory.units(ctx.person.commune_id) if field.kind is FieldKind.UNIT else []
    state.step, state.options = "field", field_options(ctx, field, units)
    state.free_text = field.kind is FieldKind.TEXT  # the router then takes "kỳ họp HĐND" as the answer
    ask_field(ctx, form, state.index, state.options)
    await ctx.remember(state)


async def _on_field(ctx: Context, state: ReportState) -> None:
    form = ctx.plan.form(state.form)
    field = form.fields[state.index]
    if ctx.typed(*BACK_WORDS):
        await _go_back(ctx, state)
        return
    if ctx.typed(*SKIP_WORDS):
        if field.required:
            ctx.say(ctx.t("err.answer.required"))
            await _ask_current_field(ctx, state)
            return
        value = None
    else:
        value = await read_answer(ctx, field, state.options, ctx.plan.year)
        if isinstance(value, ParseError):
            ctx.say(explain(ctx, value))
            await _ask_current_field(ctx, state)
            return
    state.answers[field.id] = value
    await _advance(ctx, state, form)


async def _go_back(ctx: Context, state: ReportState) -> None:
    if state.editing:
        await _show_confirm(ctx, state)
    elif state.index == 0:
        await _ask_form(ctx, ReportState(step="form", unit_id=state.unit_id))
    else:
        state.index -= 1
        await _ask_current_field(ctx, state)


async def _advance(ctx: Context, state: ReportState, form: Form) -> None:
    if not state.editing and state.index + 1 < len(form.fields):
        state.index += 1
        await _ask_current_field(ctx, state)
    else:
        await _show_confirm(ctx, state)


async def _show_confirm(ctx: Context, state: ReportState) -> None:
    form = ctx.plan.form(state.form)
    unit_names = await _unit_names(ctx)
    state.editing = False
    options = [option("send", ctx.t("report.confirm.send")), option("edit", ctx.t("report.confirm.edit")),
               option("cancel", ctx.t("report.confirm.cancel"))]
    lines = [ctx.t("report.confirm.title", form=form.label.get(ctx.language), unit=unit_names[state.unit_id]),
             *summarise(ctx, form, state.answers, unit_names)]
    await ctx.ask_menu(state, "confirm", "\n".join(lines), options)


async def _on_confirm(ctx: Context, state: ReportState) -> None:
    picked = ctx.picked(state.options)
    if picked is None and ctx.said_yes():
        picked = "send"
    if picked == "send":
        await _save(ctx, state)
    elif picked == "edit":
        form = ctx.plan.form(state.form)
        options = [option(f.id, f.label.get(ctx.language), f.label.vi, f.label.en) for f in form.fields]
        await ctx.ask_menu(state, "edit_pick", ctx.t("report.edit.which"), options)
    elif picked == "cancel":
        await ctx.forget()
        ctx.say(ctx.t("report.cancelled"))
    else:
        ctx.say(ctx.t("err.answer.pick_number", last=3))
        await _show_confirm(ctx, state)


async def _on_edit_pick(ctx: Context, state: ReportState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    form = ctx.plan.form(state.form)
    state.index, state.editing = [f.id for f in form.fields].index(picked), True
    await _ask_current_field(ctx, state)


async def _save(ctx: Context, state: ReportState) -> None:
    """Write the report, its photos and the audit entry; the receipt is sent only after commit."""
    form = ctx.plan.form(state.form)
    answers = state.answers
    report = await ctx.repos.reports.add(Report(
        commune_id=ctx.person.commune_id, unit_id=state.unit_id, person_id=ctx.person.id, form_id=form.id,
        activity_date=date.fromisoformat(answers[form.date_field]), answers=answers, created_at=ctx.now))
    photos = [answers[f.id] for f in form.fields if f.kind is FieldKind.PHOTO and answers.get(f.id)]
    await ctx.repos.files.attach(photos, report.id)
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="report", entity_id=report.id,
                                 action="create", after=answers)
    await ctx.forget()
    ctx.say(ctx.t("report.saved", id=report.id, form=form.label.get(ctx.language),
                  date=report.activity_date.strftime("%d/%m/%Y")))


async def _unit_names(ctx: Context) -> dict[int, str]:
    return {u.id: u.name for u in await ctx.repos.directory.units(ctx.person.commune_id, active_only=False)}
