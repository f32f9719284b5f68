"""The answer to a reminder: "đã làm" opens the right report form, "nhắc lại sau" snoozes it.

The reminder tick stores the state this flow reads (reminders/answers.py), so a bare "1" or "2" after a
reminder lands here; it never replaces a conversation already under way.
"""

from __future__ import annotations

from datetime import timedelta

from core.menus import choices_of
from handlers.context import Context
from handlers.flows import report
from reminders.answers import DONE, DONE_WORDS, LATER, LATER_WORDS, ReminderAnswer


async def resume_reminder(ctx: Context, state: ReminderAnswer) -> None:
    picked = ctx.picked(state.options)
    if picked is None:
        picked = DONE if ctx.typed(*DONE_WORDS) else LATER if ctx.typed(*LATER_WORDS) else None
    if picked == DONE:
        await ctx.forget()
        await report.start_with_form(ctx, state.unit_id, state.form)
    elif picked == LATER:
        await _snooze(ctx, state)
    else:
        ctx.say(ctx.t("remind.pick_again"))
        await prompt_reminder(ctx, state)


async def prompt_reminder(ctx: Context, state: ReminderAnswer) -> None:
    """Ask again which of the two answers it is."""
    ctx.say(ctx.t("remind.question"), choices_of(state.options))


async def _snooze(ctx: Context, state: ReminderAnswer) -> None:
    until = ctx.now + timedelta(days=state.snooze_days)
    await ctx.repos.reminders.snooze(state.key, commune_id=ctx.person.commune_id, until=until, now=ctx.now)
    await ctx.forget()
    ctx.say(ctx.t("remind.snoozed", date=until.astimezone(ctx.tz).strftime("%d/%m/%Y")))
