"""/tonghop: the period's summary as chat text at once; the DOCX, the XLSX and the chart follow (render jobs).

"/tonghop" is the current quarter; "quý 1" / "q1" / "quy 1", "6 tháng", "9 tháng" and "năm" pick
another period of the plan year; "đảng ủy" at the end asks for the Party Committee's variant.
"""

from __future__ import annotations

import re

from core.roles import PROVINCE
from core.vnparse import fold, parse_quarter
from handlers.context import Context
from handlers.flows import province_summary
from plan.periods import Period
from summaries import jobs as render_jobs
from summaries.compile import compile_summary
from summaries.load import load_snapshot
from summaries.render_text import render_text

_PARTY_SUFFIX = re.compile(r"\s*(?:dang uy|dang|party)$")
_YEAR = re.compile(r"(?:nam )?(\d{4})")
_WORDS = {"nam": "year", "ca nam": "year", "year": "year", "6 thang": "half", "6 thang dau nam": "half",
          "nua nam": "half", "h1": "half", "9 thang": "nine_months", "9m": "nine_months"}


def parse_period(args: str, plan_year: int, current: Period) -> tuple[Period, bool] | None:
    """(period, party variant) from the words after /tonghop; None when they name no period of the plan."""
    text = fold(args).replace("/", " ").strip()
    party = bool(_PARTY_SUFFIX.search(text))
    text = _PARTY_SUFFIX.sub("", text).strip()
    if not text:
        return current, party
    years = _YEAR.findall(text)
    if any(int(y) != plan_year for y in years):
        return None
    words = _YEAR.sub("", text).strip() or ("nam" if years else "")
    if words in _WORDS:
        kind = _WORDS[words]
        return Period(plan_year, kind), party
    quarter = parse_quarter(words)
    if quarter is None:
        return None
    return Period.quarter(plan_year, quarter), party


def _current(ctx: Context) -> Period:
    """This quarter while the plan's year runs; the whole year once it is over; Q1 before it starts."""
    today, year = ctx.today, ctx.plan.year
    current = Period.containing(today, ctx.plan.settings.period_cutoff)  # the plan's definition of a quarter
    if current.year == year:
        return current
    return Period(year, "year") if current.year > year else Period.quarter(year, 1)


async def start(ctx: Context, args: str) -> None:
    """Compile the summary and answer with its text; record the job that renders and sends the three files."""
    if ctx.person is None or ctx.person.commune_id is None:
        ctx.say(ctx.t("summary.no_commune"))
        return
    parsed = parse_period(args, ctx.plan.year, _current(ctx))
    if parsed is None:
        ctx.say(ctx.t("summary.bad_period", text=args.strip()[:40], year=ctx.plan.year))
        return
    period, party = parsed
    if ctx.role == PROVINCE:  # the communes of the viewer's province side by side
        await province_summary.start(ctx, period)
        return
    snapshot = await load_snapshot(ctx.repos, ctx.person.commune_id, ctx.plan.year)
    summary = compile_summary(ctx.plan, snapshot, period, ctx.now, ctx.tz)
    ctx.say(render_text(summary, ctx.t, ctx.language) + "\n\n" + ctx.t("summary.files_coming"))
    # The files take 1–2 s of CPU: they are rendered after this transaction commits (summaries/jobs.py).
    inbound = ctx.inbound
    await render_jobs.record(ctx.repos, channel=inbound.channel, chat_id=inbound.chat_id,
                             message_id=inbound.message_id, commune_id=ctx.person.commune_id, period=period,
                             party=party, language=ctx.language, now=ctx.now)
    ctx.after_commit.add(render_jobs.WAKE)
