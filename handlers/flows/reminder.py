"""The answer to a reminder message: "đã làm [N]" opens the item's report form, "nhắc lại sau [N,M]" snoozes.

The reminder tick stores the state this flow reads (reminders/answers.py), so a bare "1" or "2" after a
one-item reminder, or "đã làm 2" / "nhắc lại sau 1,3" / "xong hết" after a message listing several, lands
here. Opening a form keeps the other items: once that report is sent or cancelled they are listed again.
"""

from __future__ import annotations

from datetime import timedelta

from core.menus import choices_of
from handlers.context import Context
from handlers.flows import report
from reminders.answers import (
    ALL_DONE,
    DONE,
    DONE_WORDS,
    LATER,
    LATER_WORDS,
    Answer,
    ReminderAnswer,
    offer,
    read_answer,
)
from reminders.texts import rest_text


async def resume_reminder(ctx: Context, state: ReminderAnswer) -> None:
    answer = _answer(ctx, state)
    if answer is None:
        ctx.say(ctx.t("remind.pick_again" if len(state.items) == 1 else "remind.pick_again_many"))
        await prompt_reminder(ctx, state)
    elif answer.action == LATER:
        await _snooze(ctx, state, answer.items or tuple(range(len(state.items))))
    elif answer.action == DONE and not answer.items and len(state.items) > 1:
        ctx.say(ctx.t("remind.which_done", last=len(state.items)))
    else:
        await _open(ctx, state, answer.items[0] if answer.items else 0)


async def prompt_reminder(ctx: Context, state: ReminderAnswer) -> None:
    """Ask again how to answer: the two choices of one item, or the list with its hint."""
    if len(state.items) == 1:
        ctx.say(ctx.t("remind.question"), choices_of(state.options))
    else:
        ctx.say(rest_text(ctx.t, state))


def _answer(ctx: Context, state: ReminderAnswer) -> Answer | None:
    if len(state.items) == 1:
        picked = ctx.picked(state.options)
        if picked is None:
            picked = DONE if ctx.typed(*DONE_WORDS) else LATER if ctx.typed(*LATER_WORDS) else None
        if picked is not None:
            return Answer(picked)
    if ctx.inbound.kind != "text":
        return None
    answer = read_answer(ctx.inbound.text, len(state.items))
    return Answer(DONE, (0,)) if answer is not None and answer.action == ALL_DONE else answer  # one after another


async def _open(ctx: Context, state: ReminderAnswer, index: int) -> None:
    """The item's report form; the other items come back when that report is sent or cancelled."""
    item = state.items[index]
    rest = [other for number, other in enumerate(state.items) if number != index]
    await ctx.forget()
    then = offer(rest, state.snooze_days, ctx.t) if rest else None
    await report.start_with_form(ctx, item.unit_id, item.form, reminder=then)


async def _snooze(ctx: Context, state: ReminderAnswer, indexes: tuple[int, ...]) -> None:
    until = ctx.now + timedelta(days=state.snooze_days)
    for index in indexes:
        await ctx.repos.reminders.snooze(state.items[index].key, commune_id=ctx.person.commune_id, until=until,
                                         now=ctx.now)
    day = until.astimezone(ctx.tz).strftime("%d/%m/%Y")
    if len(indexes) == len(state.items):
        await ctx.forget()
        ctx.say(ctx.t("remind.snoozed", date=day))
    else:  # the others can still be answered by the numbers the message gave them
        ctx.say(ctx.t("remind.snoozed_some", items=", ".join(str(i + 1) for i in indexes), date=day))
