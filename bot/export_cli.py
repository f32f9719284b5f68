"""`mttq-bot export --period 2026-Q1 --format docx|xlsx|png|txt --out FILE`: a summary without chatting."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.app import App
from bot.communes import commune_or_say_why
from plan.periods import Period
from summaries.chart import render_chart
from summaries.compile import compile_summary
from summaries.docx import render_docx
from summaries.load import load_snapshot
from summaries.render_text import render_text
from summaries.xlsx import render_xlsx


async def export(app: App, period_key: str, file_format: str, out: str, *, party: bool = False,
                 commune_name: str | None = None) -> int:
    """Compile the commune's summary of the period (--commune, or the only one) and write it in one format."""
    try:
        period = Period.parse_key(period_key)
    except ValueError as exc:
        print(f"mttq-bot: --period: {exc}", file=sys.stderr)
        return 2
    t = app.speech()
    async with app.db.transaction() as repos:
        commune = await commune_or_say_why(repos, commune_name, t, sys.stderr)
        if commune is None:
            return 1
        plan = app.plans.for_year(commune.id, period.year)  # the commune's plan of that year (plan/book.py)
        if period.year != plan.year:
            print(f"mttq-bot: --period: no plan of {period.year} is loaded (the latest is {plan.year}'s)",
                  file=sys.stderr)
            return 2
        snapshot = await load_snapshot(repos, commune.id, plan.year)
    summary = compile_summary(plan, snapshot, period, app.clock(), app.settings.tz)
    t = app.translator.for_language("vi")
    if file_format == "txt":
        content: bytes = render_text(summary, t).encode("utf-8")
    elif file_format == "docx":
        content = render_docx(summary, plan, t, app.settings.document_settings(), party=party)
    elif file_format == "xlsx":
        content = render_xlsx(summary, plan, t)
    else:
        content = render_chart(summary, t)
    Path(out).write_bytes(content)
    print(f"{out}: {summary.period.key}, {len(summary.activities)} reports, {len(content)} bytes")
    return 0
