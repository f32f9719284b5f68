"""`mttq-bot remind preview`: print the reminders a date range would bring, for staff to check the plan."""

from __future__ import annotations

import sys
from datetime import date

from bot.app import App
from bot.communes import commune_or_say_why
from reminders.preview import preview


async def print_preview(app: App, first: date, last: date, *, with_text: bool = False,
                        commune_name: str | None = None) -> int:
    """The reminders of one commune (--commune, or the only one): several communes are never mixed or guessed."""
    if last < first:
        print("mttq-bot: --to is earlier than --from", file=sys.stderr)
        return 2
    t = app.speech()
    async with app.db.transaction() as repos:
        commune = await commune_or_say_why(repos, commune_name, t, sys.stderr)
    if commune is None:
        return 1
    config = app.reminder_config
    lines = await preview(app.db, app.plans or app.plan, app.translator, config, first, last, commune_ids=[commune.id])
    tz = config.calendar.tz
    print(f"{commune.name}, {commune.province}")
    for line in lines:
        print(f"{line.at.astimezone(tz):%d/%m/%Y %H:%M}  {line.key}  → {line.recipient}")
        if with_text:
            print("    " + line.text.replace("\n", "\n    "))
    print(f"{len(lines)} reminders from {first:%d/%m/%Y} to {last:%d/%m/%Y} (nothing was sent)")
    return 0
