"""Asking one form field, reading the answer, and showing stored answers back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from core.flowstate import FlowState
from core.menus import option, yes_no_options
from core.numbers import format_money, format_number
from core.sentence import mentions_money
from core.vnmoney import parse_money
from core.vnparse import ParseError, clean_text, parse_date, parse_number
from handlers.context import Context
from handlers.flows.petition_intake import split_items
from plan.schema import FieldKind, Form, FormField, Plan
from storage.models import StoredFile

SKIP_WORDS = ("bo qua", "bq", "skip", "-")
BACK_WORDS = ("quay lai", "ql", "tro lai", "back")


class FieldQuestion(FlowState):
    """The state of a flow that asks form fields (a new report, an edit): which field it asks, if any."""

    form: str | None = None
    free_text: bool = False  # set when the field is asked: a text field reads "kỳ họp HĐND" as its answer

    def asked_field(self, plan: Plan) -> FormField | None:
        raise NotImplementedError

    def takes_free_text(self) -> bool:
        return self.step == "field" and self.free_text


def field_options(ctx: Context, field: FormField, units: list[Any]) -> list[dict[str, Any]]:
    """The numbered options of a field, if it has any (choice, yes/no, unit)."""
    lang = ctx.language
    if field.kind is FieldKind.CHOICE:
        return [option(o.id, o.label.get(lang), o.label.vi, o.label.en) for o in field.options]
    if field.kind is FieldKind.YESNO:
        return yes_no_options(ctx.t)
    if field.kind is FieldKind.UNIT:
        return [option(u.id, u.name) for u in units]
    return []


def field_text(ctx: Context, form: Form, index: int, intro: Sequence[str] = ()) -> str:
    """The question for field `index` of `form` and what may be typed (after `intro`)."""
    field = form.fields[index]
    question = ctx.t("form.question", number=index + 1, total=len(form.fields), prompt=field.prompt.get(ctx.language))
    lines = [*intro, question]
    if not field.required:
        lines.append(ctx.t("form.optional_hint"))
    if index == 0:
        lines.append(ctx.t("form.navigation_hint"))
    return "\n".join(lines)


async def ask_field(ctx: Context, state: FlowState, form: Form, index: int, options: list[dict[str, Any]],
                    intro: Sequence[str] = ()) -> None:
    """Ask field `index` of `form` with its options (a unit field's commune-long list a page at a time), after
    `intro`, and keep `state` at its "field" step so the next message answers it."""
    await ctx.ask_menu(state, "field", field_text(ctx, form, index, intro), options,
                       question=f"{form.id}:{form.fields[index].id}")


def edit_options(ctx: Context, form: Form) -> list[dict[str, Any]]:
    """"Sửa mục nào?": the form's questions by their labels, in either language."""
    return [option(f.id, f.label.get(ctx.language), f.label.vi, f.label.en) for f in form.fields]


async def read_answer(ctx: Context, field: FormField, options: list[dict[str, Any]], year: int) -> Any:
    """The answer's stored value, or a ParseError saying what is wrong."""
    kind, text = field.kind, ctx.inbound.text
    if kind is FieldKind.PHOTO:
        return await _read_photo(ctx, field)
    if ctx.inbound.kind != "text" or (ctx.inbound.choice is None and not text.strip()):
        return ParseError("err.answer.text_expected")
    if kind is FieldKind.DATE:
        value = parse_date(text, ctx.today, year)
        return value.isoformat() if isinstance(value, date) else value
    if kind is FieldKind.NUMBER:
        if field.means == "money":  # "2 triệu rưỡi", "500k"; a count typed there is refused with examples
            return parse_money(text, field.min if field.min is not None else 0, field.max)
        if mentions_money(text):
            return ParseError("err.number.money_in_count")  # "5 triệu" to "how many households?"
        return parse_number(text, field.min if field.min is not None else 0, field.max)
    if kind is FieldKind.TEXT:
        return clean_text(text, field.max_length)
    if kind is FieldKind.YESNO:
        answer = ctx.yes_or_no(options)
        return ParseError("err.answer.pick_yes_no") if answer is None else answer == "yes"
    picked = ctx.picked(options)
    if picked is None:
        return ParseError("err.answer.pick_number", {"last": len(ctx.every_option(options))})
    return int(picked) if kind is FieldKind.UNIT else picked


async def _read_photo(ctx: Context, field: FormField) -> Any:
    if ctx.inbound.kind != "photo" or ctx.inbound.photo is None:
        return ParseError("err.answer.photo_expected")
    return await store_photo(ctx, field.id)


async def store_photo(ctx: Context, name: str) -> int | ParseError:
    """Keep the inbound photo (fetched by the pipeline); its file id, or why it could not be kept."""
    photo = ctx.inbound.photo
    if photo is None:
        return ParseError("err.answer.photo_expected")
    content = photo.content  # fetched by the pipeline before the transaction began
    if not content:
        return ParseError("err.answer.photo_unavailable", {"mb": ctx.settings.max_photo_bytes // (1024 * 1024)})
    if len(content) > ctx.settings.max_photo_bytes:
        return ParseError("err.answer.photo_too_large", {"mb": ctx.settings.max_photo_bytes // (1024 * 1024)})
    stored = await ctx.repos.files.add(StoredFile(
        kind="photo", name=f"{name}.jpg", mime=photo.mime, size=len(content), content=content,
        source=(photo.file_id or photo.url)[:500], created_at=ctx.now))
    return stored.id


def explain(ctx: Context, error: ParseError) -> str:
    return ctx.t(error.code, **error.params)


def format_value(ctx: Context, field: FormField, value: Any, unit_names: dict[int, str]) -> str:
    """An answer as people read it: dates day-first, numbers with their unit, option labels."""
    lang = ctx.language
    if value is None:
        return ctx.t("answer.skipped")
    if field.kind is FieldKind.DATE:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if field.kind is FieldKind.NUMBER:
        number = format_money(int(value), language=lang) if field.means == "money" else \
            format_number(int(value), decimals=0, language=lang)
        return f"{number} {field.unit.get(lang)}" if field.unit else number
    if field.kind is FieldKind.CHOICE:
        return next((o.label.get(lang) for o in field.options if o.id == value), str(value))
    if field.kind is FieldKind.YESNO:
        return ctx.t("answer.yes") if value else ctx.t("answer.no")
    if field.kind is FieldKind.PHOTO:
        return ctx.t("answer.photo_received")
    if field.kind is FieldKind.UNIT:
        return unit_names.get(int(value), str(value))
    if field.petitions is not None:  # the items the register keeps, kept apart: two lines never read as one
        return "; ".join(split_items(str(value))) or str(value)
    return str(value)


def summarise(ctx: Context, form: Form, answers: dict[str, Any], unit_names: dict[int, str]) -> list[str]:
    """One line per answered field: "- Label: value" (optional questions left blank are not listed). An answer is
    shown whole — the check is where the reporter reads what will be sent; a long check comes in several
    messages (Context.ask_after), never with an answer cut."""
    return [f"- {f.label.get(ctx.language)}: {' '.join(format_value(ctx, f, answers.get(f.id), unit_names).split())}"
            for f in form.fields if f.required or answers.get(f.id) is not None]


async def unit_names(ctx: Context, form: Form, answers: dict[str, Any], *also: int | None) -> dict[int, str]:
    """Names of the units a summary of these answers shows (its unit fields, plus `also`), and of no other."""
    ids = [answers.get(f.id) for f in form.fields if f.kind is FieldKind.UNIT and _is_id(answers.get(f.id))]
    return await ctx.repos.directory.unit_names(ctx.person.commune_id, [*ids, *also])


def _is_id(value: Any) -> bool:
    return isinstance(value, int) or (isinstance(value, str) and value.isdigit())


def awaits_photo(plan: Plan, state: FlowState) -> bool:
    """Whether a stored conversation is waiting for a photo (so an inbound photo is worth fetching).

    Asked of PLAN_FILE's plan before the sender is known: a form only another plan version has is answered
    "yes" (fetching a photo that is then not asked for costs a download, missing one would lose it)."""
    try:
        field = state.asked_field(plan) if isinstance(state, FieldQuestion) else None
    except (ValueError, LookupError, StopIteration):
        return True
    return field is not None and field.kind is FieldKind.PHOTO
