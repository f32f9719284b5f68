"""/baocao: choose the unit (staff), choose the activity, answer field by field, confirm, save.

States: unit → form (groups first: report_menu) → field (× each; back/skip) → confirm ⇄ edit_pick → saved.
One message (report_text): unit → activity (unclear, several) → missing required fields → confirm → saved → next."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar, Literal

from core.menus import choices_of, option, yes_no_options
from core.roles import REPORTING_ROLES, STAFF_ROLES
from core.vnparse import ParseError
from handlers.context import Context
from handlers.flows import petition_intake, report_menu, report_text
from handlers.flows.report_text import DONE_WORDS, OTHER_ACTIVITY, activities, activity_options, next_missing
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
from plan.schema import FieldKind, Form, FormField, Plan, UnitKind
from reminders.answers import ReminderAnswer
from reminders.texts import rest_text
from storage.models import Report

FLOW = "report"


class ReportState(FieldQuestion):
    """A report being filled: the unit, the form, the field asked (by position) and the answers so far."""

    FLOW: ClassVar[str] = FLOW
    NEEDS: ClassVar[dict[str, tuple[str, ...]]] = {
        "form": ("unit_id",), "field": ("unit_id", "form"), "confirm": ("unit_id", "form"),
        "edit_pick": ("unit_id", "form"), "activity": ("unit_id",), "next": ("unit_id",)}

    step: Literal["unit", "form", "activity", "field", "confirm", "edit_pick", "next"]
    unit_id: int | None = None
    index: int = 0
    answers: dict[str, Any] = {}
    editing: bool = False  # a field re-asked from the summary goes back to the summary
    sentence: str = ""  # a report written as one message, read again for each activity it names
    then: list[str] = []  # the other activities that message named, offered once this one is saved
    quick: bool = False  # ask only the required fields still missing (the message or "xong" settled the rest)
    reminder: ReminderAnswer | None = None  # opened from a reminder message: its other items, listed at the end
    photos: list[int] = []  # photos sent before or between the questions, attached when the report is saved
    photos_dropped: int = 0  # photos past the plan's limit: not kept, said once

    def asked_field(self, plan: Plan) -> FormField | None:
        return plan.form(self.form).fields[self.index] if self.step == "field" else None

    def takes_photos(self) -> bool:
        return True  # a photo at any question is kept for this report


async def start(ctx: Context) -> None:
    """Begin a report: staff pick a unit first, a reporter reports for their own unit."""
    if ctx.role in STAFF_ROLES:
        await _ask_unit(ctx, ReportState(step="unit"))
        return
    unit = await ctx.repos.directory.unit_row(ctx.person.unit_id) if ctx.person.unit_id else None
    if unit is None:
        ctx.say(ctx.t("report.no_unit"))
        return
    await _ask_form(ctx, ReportState(step="form", unit_id=unit.id), unit)


async def start_from_text(ctx: Context, photos: list[int] | None = None) -> bool:
    """A message (or a photo's caption) that reads like a report starts one with what it says filled in and
    `photos` kept; False when it does not read like a report."""
    text, photos = ctx.inbound.text, list(photos or [])
    if ctx.role not in REPORTING_ROLES or ctx.inbound.kind not in ("text", "photo"):
        return False
    if ctx.role in STAFF_ROLES:  # staff report for any unit: which one comes first, the sentence is kept
        found = activities(text, list(ctx.plan.forms))
        if found.named or found.closest:
            await _ask_unit(ctx, ReportState(step="unit", sentence=text, photos=photos))
        return bool(found.named or found.closest)
    unit = await ctx.repos.directory.unit(ctx.person.unit_id) if ctx.person.unit_id else None
    found = activities(text, ctx.plan.forms_for(UnitKind(unit.kind))) if unit else None
    if not found or not (found.named or found.closest):
        return False
    await _offer_or_fill(ctx, ReportState(step="form", unit_id=unit.id, sentence=text, photos=photos), found)
    return True


async def start_with_photos(ctx: Context, photos: list[int]) -> None:
    """Photos sent first, then "a new report": the activity menu, and the photos go with whatever is chosen."""
    if ctx.role in STAFF_ROLES:
        await _ask_unit(ctx, ReportState(step="unit", photos=photos))
        return
    unit = await ctx.repos.directory.unit(ctx.person.unit_id) if ctx.person.unit_id else None
    if unit is None:
        await ctx.forget()
        ctx.say(ctx.t("report.no_unit"))
        return
    await _ask_form(ctx, ReportState(step="form", unit_id=unit.id, photos=photos))


async def start_with_form(ctx: Context, unit_id: int, form_id: str | None,
                          reminder: ReminderAnswer | None = None) -> None:
    """Open a given form for a unit at once (a reminder's "đã làm"); no form given: the activity menu.

    `reminder`: the other items of the reminder message, listed again once this report is sent or cancelled.
    """
    if form_id is None:
        await _ask_form(ctx, ReportState(step="form", unit_id=unit_id, reminder=reminder))
        return
    await _ask_current_field(ctx, ReportState(step="field", unit_id=unit_id, form=form_id, reminder=reminder))


async def resume(ctx: Context, state: ReportState) -> None:
    asked = state.asked_field(ctx.plan)
    if ctx.inbound.photo is not None and (asked is None or asked.kind is not FieldKind.PHOTO):
        await _keep_photo(ctx, state)
        return
    steps = {"unit": _on_unit, "form": _on_form, "field": _on_field, "confirm": _on_confirm,
             "edit_pick": _on_edit_pick, "activity": _on_activity, "next": _on_next}
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
    state = ReportState(step="form", unit_id=int(picked), sentence=state.sentence, photos=state.photos)
    if state.sentence:
        unit = await ctx.repos.directory.unit(state.unit_id)
        found = activities(state.sentence, ctx.plan.forms_for(UnitKind(unit.kind)))
        if found.named or found.closest:
            await _offer_or_fill(ctx, state, found)
            return
    await _ask_form(ctx, state)


async def _ask_form(ctx: Context, state: ReportState, unit: Any = None) -> None:
    """The activity menu for the state's unit (`unit`: its row when the caller has just read it)."""
    unit = unit or await ctx.repos.directory.unit_row(state.unit_id)
    forms = ctx.plan.forms_for(UnitKind(unit.kind))
    if not forms:
        ctx.say(ctx.t("report.no_forms", unit=unit.name))
        await ctx.forget()
        return
    text = ctx.t("report.choose_activity", unit=unit.name)
    groups = report_menu.groups_for(ctx.plan, forms, report_menu.other_label(ctx.translator))
    if len(groups) > 1 and not report_menu.fits(ctx, text, forms):  # too long for one message: groups first
        text = ctx.t("report.choose_group", unit=unit.name)
        await ctx.ask_menu(state, "form", text, report_menu.group_options(ctx, groups))
        return
    await ctx.ask_menu(state, "form", text, report_menu.form_options(ctx, forms))


async def _on_form(ctx: Context, state: ReportState) -> None:
    forms = ctx.plan.forms_for(UnitKind((await ctx.repos.directory.unit_row(state.unit_id)).kind))
    picked = report_menu.typed_form(ctx, forms) or ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    if picked.startswith(report_menu.GROUP):  # a group of the first level: its forms
        group = report_menu.group(ctx.plan, picked, forms, report_menu.other_label(ctx.translator))
        await ctx.ask_menu(state, "form", ctx.t("report.choose_in_group", group=group.label.get(ctx.language)),
                           report_menu.form_options(ctx, [f for f in forms if f.id in group.forms]))
        return
    if state.sentence or state.photos:
        await _fill(ctx, state, picked)
        return
    await _ask_current_field(ctx, ReportState(step="field", unit_id=state.unit_id, form=picked,
                                              reminder=state.reminder))


async def _offer_or_fill(ctx: Context, state: ReportState, found: report_text.Activities) -> None:
    """One activity named: fill it. Several: ask which first (the others follow). Only hinted: offer, never guess."""
    if len(found.named) == 1:
        await _fill(ctx, state, found.named[0])
        return
    if found.named:
        state.then = list(found.named)
        text, options = (ctx.t("report.text.which_first", count=len(found.named)),
                         activity_options(ctx, found.named, other=False))
    else:
        text, options = ctx.t("report.text.which_activity"), activity_options(ctx, found.closest, other=True)
    await ctx.ask_menu(state, "activity", text, options)


async def _on_activity(ctx: Context, state: ReportState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    if picked == OTHER_ACTIVITY:
        await _ask_form(ctx, ReportState(step="form", unit_id=state.unit_id, sentence=state.sentence,
                                         photos=state.photos))
        return
    state.then = [f for f in state.then if f != picked]
    await _fill(ctx, state, picked)


async def _fill(ctx: Context, state: ReportState, form_id: str) -> None:
    """Open `form_id` with what the sentence answers, then ask only the required fields still missing."""
    form = ctx.plan.form(form_id)
    answers, intro = report_text.fill(ctx, form, state.sentence)
    if state.photos:
        report_text.photo_answer(form, answers, state.photos)
        intro.append(ctx.t("report.text.photos", count=len(state.photos)))
    state = ReportState(step="field", unit_id=state.unit_id, form=form_id, answers=answers, sentence=state.sentence,
                        then=state.then, quick=True, photos=state.photos)
    await _next_question(ctx, state, form, 0, intro)


async def _next_question(ctx: Context, state: ReportState, form: Form, start: int, intro: list[str]) -> None:
    index = next_missing(form, state.answers, start)
    if index is None:
        await _show_confirm(ctx, state, intro)
    else:
        state.index = index
        await _ask_current_field(ctx, state, intro)


async def _ask_current_field(ctx: Context, state: ReportState, intro: list[str] | None = None) -> None:
    form = ctx.plan.form(state.form)
    field = form.fields[state.index]
    units = await ctx.repos.directory.units(ctx.person.commune_id) if field.kind is FieldKind.UNIT else []
    state.free_text = field.kind is FieldKind.TEXT  # the router then takes "kỳ họp HĐND" as the answer
    await ask_field(ctx, state, form, state.index, field_options(ctx, field, units), intro or [])


async def _on_field(ctx: Context, state: ReportState) -> None:
    form = ctx.plan.form(state.form)
    field = form.fields[state.index]
    if ctx.typed(*BACK_WORDS):
        await _go_back(ctx, state)
        return
    if ctx.typed(*DONE_WORDS):  # "xong", "gửi luôn", "bỏ qua hết": the optional questions left are skipped
        if field.required:
            ctx.say(ctx.t("err.answer.required_before_done"))
            await _ask_current_field(ctx, state)
        elif state.editing:
            await _show_confirm(ctx, state)
        else:
            state.quick = True
            await _next_question(ctx, state, form, state.index + 1, [])
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
        await _ask_form(ctx, ReportState(step="form", unit_id=state.unit_id, reminder=state.reminder))
    else:
        state.index -= 1
        await _ask_current_field(ctx, state)


async def _advance(ctx: Context, state: ReportState, form: Form) -> None:
    if state.quick and not state.editing:
        await _next_question(ctx, state, form, state.index + 1, [])
    elif not state.editing and state.index + 1 < len(form.fields):
        state.index += 1
        await _ask_current_field(ctx, state)
    else:
        await _show_confirm(ctx, state)


async def _show_confirm(ctx: Context, state: ReportState, intro: list[str] | None = None) -> None:
    form = ctx.plan.form(state.form)
    names = await unit_names(ctx, form, state.answers, state.unit_id)
    state.editing = False
    options = [option("send", ctx.t("report.confirm.send")), option("edit", ctx.t("report.confirm.edit")),
               option("cancel", ctx.t("report.confirm.cancel"), "huy bao cao", "cancel")]
    lines = [*(intro or []),
             ctx.t("report.confirm.title", form=form.label.get(ctx.language), unit=names.get(state.unit_id, '')),
             *summarise(ctx, form, state.answers, names)]
    if state.photos:
        lines.append(ctx.t("report.text.photos", count=len(state.photos)))
    await ctx.ask_after(state, "confirm", lines, ctx.t("report.confirm.question"), options)


async def _on_confirm(ctx: Context, state: ReportState) -> None:
    picked = ctx.picked(state.options)
    if picked is None and ctx.said_yes():
        picked = "send"
    if picked == "send":
        receipt = await _save(ctx, state)
        if state.then:  # the message named another activity too: offer it in the same message as the receipt
            offer = ReportState(step="next", unit_id=state.unit_id, sentence=state.sentence, then=state.then)
            text = "\n\n".join((receipt, ctx.t("report.text.next", form=ctx.plan.form(state.then[0]).label.get(
                ctx.language))))
            await ctx.ask_menu(offer, "next", text, yes_no_options(ctx.t))
        else:
            await _after(ctx, state, receipt)
    elif picked == "edit":
        form = ctx.plan.form(state.form)
        await ctx.ask_menu(state, "edit_pick", ctx.t("report.edit.which"), edit_options(ctx, form))
    elif picked == "cancel":
        await ctx.forget()
        await _after(ctx, state, ctx.t("report.cancelled"))
    else:
        ctx.say(ctx.t("err.answer.pick_number", last=3))
        await _show_confirm(ctx, state)


async def _after(ctx: Context, state: ReportState, text: str) -> None:
    """The report's last answer; after a reminder's "đã làm", in the same message, the items still open."""
    if state.reminder is None:
        ctx.say(text)
        return
    await ctx.remember(state.reminder)
    ctx.say(text + "\n\n" + rest_text(ctx.t, state.reminder), choices_of(state.reminder.options))


async def _on_edit_pick(ctx: Context, state: ReportState) -> None:
    picked = ctx.pick_or_ask_again(state.options)
    if picked is None:
        return
    form = ctx.plan.form(state.form)
    state.index, state.editing = [f.id for f in form.fields].index(picked), True
    await _ask_current_field(ctx, state)


async def _on_next(ctx: Context, state: ReportState) -> None:
    picked = ctx.yes_or_no(state.options)
    if picked == "yes":
        form_id, state.then = state.then[0], state.then[1:]
        await _fill(ctx, state, form_id)
    elif picked == "no":
        await ctx.forget()
        ctx.say(ctx.t("report.text.next_declined"))
    else:
        ctx.pick_or_ask_again(state.options)


async def _save(ctx: Context, state: ReportState) -> str:
    """Write the report, its photos and the audit entry; returns the receipt (sent only after commit)."""
    form = ctx.plan.form(state.form)
    answers = {f.id: state.answers.get(f.id) for f in form.fields}  # questions never asked are stored as skipped
    report_text.photo_answer(form, answers, state.photos)
    report = await ctx.repos.reports.insert(Report(
        commune_id=ctx.person.commune_id, unit_id=state.unit_id, person_id=ctx.person.id, form_id=form.id,
        activity_date=date.fromisoformat(answers[form.date_field]), answers=answers, created_at=ctx.now))
    photos = [answers[f.id] for f in form.fields if f.kind is FieldKind.PHOTO and answers.get(f.id)]
    await ctx.repos.files.attach(list(dict.fromkeys([*photos, *state.photos])), report.id)
    await ctx.repos.audit.record(at=ctx.now, person_id=ctx.person.id, entity="report", entity_id=report.id,
                                 action="create", after=answers)
    references = await petition_intake.record(ctx, form, report)  # its recommendations join the register
    await ctx.forget()
    receipt = ctx.t("report.saved", id=report.id, form=form.label.get(ctx.language),
                    date=report.activity_date.strftime("%d/%m/%Y"))
    return "\n".join(filter(None, (receipt, petition_intake.receipt_line(ctx, references))))


async def _keep_photo(ctx: Context, state: ReportState) -> None:
    """A photo while the report is being filled: kept for it (said once; an album's others are kept quietly)."""
    form = ctx.plan.form(state.form) if state.form is not None else None
    if not await report_text.keep_photo(ctx, state, form):
        await prompt(ctx, state)  # not kept: the reason was said, the question stands
        return
    await ctx.remember(state)
