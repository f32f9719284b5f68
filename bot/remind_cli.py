"""`mttq-bot remind preview`: print the reminders a date range would bring, for staff to check the plan."""

from __future__ import annotations

import sys
from datetime import date

from bot.app import App
from reminders.preview import preview


async def print_preview(app: App, first: date, last: date, *, with_text: bool = False) -> int:
    if last < first:
        print("mttq-bot: --to is earlier than --from", file=sys.stderr)
        return 2
    config = app.reminder_config
    lines = await preview(app.db, app.plan, app.translator, config, first, last)
    tz = config.calendar.tz
    for line in lines:
        print(f"{line.at.astimezone(tz):%d/%m/%Y %H:%M}  {line.key}  → {line.recipient}")
        if with_text:
            print("    " + line.text.replace("\n", "\n    "))
    print(f"{len(lines)} reminders from {first:%d/%m/%Y} to {last:%d/%m/%Y} (nothing was sent)")
    return 0
