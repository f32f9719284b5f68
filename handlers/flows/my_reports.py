"""/cuatoi: my reports of the current quarter; open one, edit a field, or delete it (audit-logged); the
recommendations a report put in the register follow its edits and its deletion (petition_intake).

States: list → detail → (edit_pick → field → detail) | (delete_confirm → list).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from core.menus import choices_of, option, yes_no_options
from core.vnparse import ParseError
from core.wordcut import cut_words
from handlers.context import Context
from handlers.flows import petition_intake
from handlers.forms import (
    BACK_WORDS,
    SKIP_WORDS,
    FieldQuestion,
    ask_field,
    edit_options,
    explain,
    field_options,
    read_answer,
    summarise,
    unit_names,
)
from plan.periods import ROMAN, Period
from plan.schema import FieldKind, Form, FormField, Plan
from storage.models import Report

FLOW = "my_reports"
# A list line is short so four or more reports fit a Zalo page of 300 characters: the form's name and the unit's
# are cut at a word (the report's number and date tell reports of the same form apart).
LIST_FORM_CHARS = 24
LIST_UNIT_CHARS = LIST_FORM_WITH_UNIT_CHARS = 18  # with the unit too: three lines a page still


class MyReportsState(FieldQuestion):
    """The report open (from the list on) and, while editing, the field asked by its id."""

    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "detail": ("report_id",), "edit_pick": ("report_id",), "field": ("report_id", "form", "field"),
        "delete_confirm": ("report_id",)}

    step: Literal["list", "detail", "edit_pick", "field", "delete_confirm"]
    report_id: int | None = None
    field: str | None = None

    def asked_field(self, plan: Plan) -> FormField | None:
        return plan.form(self.form).field(self.field) if self.step == "field" else None


async def start(ctx: Context) -> None:
    await _show_list(ctx)


async def resume(ctx: Context, state: MyReportsState) -> None:
    steps = {"list": _on_list, "detail": _on_detail, "edit_pick": _on_edit_pick, "field": _on_field,
             "delete_confirm": _on_delete_confirm}
    if state.report_id is not None and not _is_mine(ctx, await _report(ctx, state)):
        await _show_list(ctx)  # deleted meanwhile (e.g. from another channel): never edit a deleted report
        return
    await steps[state.step](ctx, state)


async def prompt(ctx: Context, state: MyReportsState) -> None:
    if state.step == "field":
        await _ask_field(ctx, state, await _report(ctx, state))
    else:
        ctx.say(ctx.t("menu.choose_again"), choices_of(state.options))


async def _show_list(ctx: Context) -> None:
    quarter = Period.containing(ctx.today, ctx.plan.settings.period_cutoff)
    reports = await ctx.repos.reports.by_person(ctx.person.id, quarter.start, quarter.end)
    if not reports:
        await ctx.forget()
        ctx.say(ctx.t("mine.empty", quarter=ctx.t("period.quarter", roman=ROMAN[quarter.number], year=quarter.year)))
        return
    unit_ids = {r.unit_id for r in reports}
    # staff report for the villages too: then each line says which unit (a reporter's list needs no names read)
    units = await ctx.repos.directory.unit_names(ctx.person.commune_id, unit_ids) if len(unit_ids) > 1 else {}
    options = [option(r.id, _list_title(ctx, r, units.get(r.unit_id, ""))) for r in reports]
    await ctx.ask_menu(MyReportsState(step="list"), "list",
                       ctx.t("mine.list", quarter=ctx.t("period.quarter", roman=ROMAN[quarter.number],
                                                        year=quarter.year)), options)


async def _on_list(ctx: Context, state: MyReportsState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    await _show_detail(ctx, int(picked))


async def _show_detail(ctx: Context, report_id: int) -> None:
    report = await ctx.repos.reports.get(report_id)
    if not _is_mine(ctx, report):
        await _show_list(ctx)
        return
    form = _form_of(ctx, report)
    options = [option("edit", ctx.t("mine.action.edit")), option("delete", ctx.t("mine.action.delete")),
               option("list", ctx.t("mine.action.back"))]
    if form is None:  # its form was removed by a corrected plan: readable and deletable, not editable
        options = options[1:]
        lines = [_title(ctx, report), *(f"- {key}: {value}" for key, value in report.answers.items())]
    else:
        lines = [_title(ctx, report),
                 *summarise(ctx, form, report.answers, await unit_names(ctx, form, report.answers))]
    await ctx.ask_after(MyReportsState(step="detail", report_id=report.id), "detail", lines,
                        ctx.t("mine.detail.question"), options)


async def _on_detail(ctx: Context, state: MyReportsState) -> None:
    picked = ctx.picked(state.options)
    report = await _report(ctx, state)
    form = _form_of(ctx, report)
    if picked == "edit" and form is not None:
        await ctx.ask_menu(state, "edit_pick", ctx.t("report.edit.which"), edit_options(ctx, form))
    elif picked == "delete":
        await ctx.ask_menu(state, "delete_confirm", ctx.t("mine.delete.confirm", title=_title(ctx, report)),
                           yes_no_options(ctx.t))
    elif picked == "list":
        await _show_list(ctx)
    else:
        ctx.ask_again(state.options)


async def _on_edit_pick(ctx: Context, state: MyReportsState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    report = await _report(ctx, state)
    state.step, state.field, state.form = "field", picked, report.form_id
    await _ask_field(ctx, state, report)


async def _ask_field(ctx: Context, state: MyReportsState, report: Report) -> None:
    form = _form_of(ctx, report)
    field = form.field(state.field)
    units = await ctx.repos.directory.units(ctx.person.commune_id) if field.kind is FieldKind.UNIT else []
    state.free_text = field.kind is FieldKind.TEXT  # the router then takes "kỳ họp HĐND" as the answer
    await ask_field(ctx, state, form, [f.id for f in form.fields].index(field.id), field_options(ctx, field, units))


async def _on_field(ctx: Context, state: MyReportsState) -> None:
    report = await _report(ctx, state)
    form = _form_of(ctx, report)
    field = form.field(state.field)
    if ctx.typed(*BACK_WORDS):
        await _show_detail(ctx, report.id)
        return
    if ctx.typed(*SKIP_WORDS) and field.required:  # else "bỏ qua" would be stored as the answer
        ctx.say(ctx.t("err.answer.required"))
        await _ask_field(ctx, state, report)
        return
    if ctx.typed(*SKIP_WORDS):
        value = None
    else:
        value = await read_answer(ctx, field, state.options, ctx.plan.year)
        if isinstance(value, ParseError):
            ctx.say(explain(ctx, value))
            await _ask_field(ctx, state, report)
            return
    before = dict(report.answers)
    answers = {**before, field.id: value}
    await ctx.repos.reports.update_answers(report, answers, date.fromisoformat(answers[form.date_field]), ctx.now)
    if field.kind is FieldKind.PHOTO and value:
        await ctx.repos.files.attach([value], report.id)
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="report", entity_id=report.id,
                                 action="edit", before=before, after=answers)
    follow = await petition_intake.follow_edit(ctx, form, report, field)  # the register says what it says now
    ctx.say("\n".join([ctx.t("mine.edited"), *follow.lines(ctx)]))
    await _show_detail(ctx, report.id)


async def _on_delete_confirm(ctx: Context, state: MyReportsState) -> None:
    picked = ctx.yes_or_no(state.options)
    report = await _report(ctx, state)
    if picked == "yes":
        await ctx.repos.reports.soft_delete(report, ctx.now)
        await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="report", entity_id=report.id,
                                     action="delete", before=dict(report.answers))
        follow = await petition_intake.withdraw(ctx, report)
        ctx.say("\n".join([ctx.t("mine.deleted", id=report.id), *follow.lines(ctx)]))
        await _show_list(ctx)
    elif picked == "no":
        await _show_detail(ctx, report.id)
    else:
        ctx.say(ctx.t("err.answer.pick_yes_no"), choices_of(state.options))


async def _report(ctx: Context, state: MyReportsState) -> Report:
    return await ctx.repos.reports.get(state.report_id)


def _is_mine(ctx: Context, report: Report | None) -> bool:
    return report is not None and report.deleted_at is None and report.person_id == ctx.person.id


def _form_of(ctx: Context, report: Report) -> Form | None:
    """The report's form in this year's plan or in the plan of the report's year; None when a corrected plan
    removed it (the report stays, listed as such)."""
    for plan in (ctx.plan, ctx.plan_for_year(report.activity_date.year)):
        if any(form.id == report.form_id for form in plan.forms):
            return plan.form(report.form_id)
    return None


def _title(ctx: Context, report: Report) -> str:
    form = _form_of(ctx, report)
    label = form.label.get(ctx.language) if form else ctx.t("mine.retired_form", form=report.form_id)
    return ctx.t("mine.title", id=report.id, form=label, date=report.activity_date.strftime("%d/%m/%Y"))


def _list_title(ctx: Context, report: Report, unit: str) -> str:
    """The report's line in the list: "15/03 Ngày hội Đại đoàn kết… (số 12)", with its unit when the list holds
    several units' reports (staff), "15/03 Thôn Nà Pài: Ngày hội… (số 12)". A form a corrected plan removed is
    named whole (rare, and the line must say the form is gone)."""
    form = _form_of(ctx, report)
    limit = LIST_FORM_WITH_UNIT_CHARS if unit else LIST_FORM_CHARS
    label = cut_words(form.label.get(ctx.language), limit) if form else ctx.t("mine.retired_form", form=report.form_id)
    when = report.activity_date.strftime("%d/%m")  # the year is the quarter's, said above the list
    if unit:
        return ctx.t("mine.item_unit", id=report.id, form=label, date=when, unit=cut_words(unit, LIST_UNIT_CHARS))
    return ctx.t("mine.item", id=report.id, form=label, date=when)
