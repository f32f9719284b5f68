"""Reports written as one message (issue 17): which activity, what the sentence already answers, what to offer.

The reading itself is core/extract.py; this module turns it into what the report flow shows: the forms to offer
as a numbered choice when the activity is not clear, and the answers filled with a short "understood" note (and
why anything readable was not used) that goes at the top of the next question, so no extra message is spent.
"""

from __future__ import annotations

from typing import Any

from core.extract import Activities, find_activities, read_report
from core.menus import option
from core.sentence import MAX_SENTENCE
from core.vnparse import ParseError
from handlers.context import Context
from handlers.forms import explain, format_value, store_photo
from plan.schema import FieldKind, Form

# At an optional question: skip the optional questions left and go to the summary (or the next required one).
DONE_WORDS = ("xong", "xong roi", "gui luon", "gui ngay", "bo qua het", "bq het", "done", "send now", "skip all")
OTHER_ACTIVITY = "_other"  # the option that opens the whole activity menu


def activities(text: str, forms: list[Form]) -> Activities:
    """The activities a message names or hints at; none for commands' leftovers, long pastes, empty text."""
    if not text.strip() or len(text) > MAX_SENTENCE:
        return Activities((), ())
    return find_activities(text, forms)


def activity_options(ctx: Context, form_ids: tuple[str, ...] | list[str], *, other: bool) -> list[dict[str, Any]]:
    lang = ctx.language
    forms = [ctx.plan.form(f) for f in form_ids]
    options = [option(f.id, f.label.get(lang), f.label.vi, f.label.en) for f in forms]
    if other:
        options.append(option(OTHER_ACTIVITY, ctx.t("report.text.other_activity")))
    return options


def fill(ctx: Context, form: Form, sentence: str) -> tuple[dict[str, Any], list[str]]:
    """The answers the sentence gives for `form`, and the lines that tell the reporter what was understood."""
    reading = read_report(sentence, form, ctx.plan.forms, ctx.today, ctx.plan.year)
    lines = [ctx.t("report.text.form", form=form.label.get(ctx.language))]
    understood = [f"- {f.label.get(ctx.language)}: {format_value(ctx, f, reading.answers[f.id], {})}"
                  for f in form.fields if f.id in reading.answers]
    if understood:
        lines += [ctx.t("report.text.understood"), *understood]
    for field_id, error in reading.problems:  # the field stays unanswered, so it is asked next with this reason
        label = form.field(field_id).label.get(ctx.language) if field_id else ""
        lines.append(f"⚠️ {label}: {explain(ctx, error)}" if label else f"⚠️ {explain(ctx, error)}")
    return dict(reading.answers), lines


def next_missing(form: Form, answers: dict[str, Any], start: int) -> int | None:
    """The first required field from `start` the answers lack (a one-message report asks only those)."""
    return next((i for i in range(start, len(form.fields))
                 if form.fields[i].required and form.fields[i].id not in answers), None)


def photo_answer(form: Form, answers: dict[str, Any], photos: list[int]) -> None:
    """Photos sent apart from the photo question answer it (if it is still open): the first unused one."""
    used = {answers.get(f.id) for f in form.fields if f.kind is FieldKind.PHOTO}
    unused = [p for p in photos if p not in used]
    for field in form.fields:
        if field.kind is FieldKind.PHOTO and answers.get(field.id) is None and unused:
            answers[field.id] = unused.pop(0)


async def keep_photo(ctx: Context, state: Any, form: Form | None) -> bool:
    """Keep the inbound photo in a report's `state.photos` up to the plan's limit; False if it could not be kept."""
    limit = ctx.plan.settings.max_photos_per_report
    if len(state.photos) >= limit:
        state.photos_dropped += 1
        if state.photos_dropped == 1:
            ctx.say(ctx.t("photos.limit", max=limit))
        return True
    stored = await store_photo(ctx, "anh")
    if isinstance(stored, ParseError):
        ctx.say(explain(ctx, stored))
        return False
    state.photos.append(stored)
    if form is not None:
        photo_answer(form, state.answers, state.photos)
    if len(state.photos) == 1:
        ctx.say(ctx.t("photos.kept"))
    return True
