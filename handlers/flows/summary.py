"""/tonghop: the period's summary as chat text, then the DOCX, the XLSX and the chart (render jobs).

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
from plan.schema import Plan
from summaries import jobs as render_jobs
from summaries.text_util import period_label

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


def _current(ctx: Context, plan: Plan) -> Period:
    """This quarter while the plan's year runs; the whole year once it is over; Q1 before it starts."""
    today, year = ctx.today, plan.year
    current = Period.containing(today, plan.settings.period_cutoff)  # the plan's definition of a quarter
    if current.year == year:
        return current
    return Period(year, "year") if current.year > year else Period.quarter(year, 1)


def _plan_named(ctx: Context, args: str) -> Plan:
    """The plan of the year the words name ("/tonghop năm 2026" in 2027: that year's plan), else this year's."""
    years = {int(y) for y in _YEAR.findall(fold(args))}
    return ctx.plan_for_year(years.pop()) if len(years) == 1 else ctx.plan


async def start(ctx: Context, args: str) -> None:
    """Record the job that reads the period once and sends its text, then its three files (summaries/jobs.py).

    Nothing is read here: a large commune's year held this transaction (and on SQLite every other chat) for
    seconds. Asked again while those files are still being made, the reader is told they are coming.
    """
    if ctx.person is None or ctx.person.commune_id is None:
        ctx.say(ctx.t("summary.no_commune"))
        return
    plan = _plan_named(ctx, args)
    parsed = parse_period(args, plan.year, _current(ctx, plan))
    if parsed is None:
        ctx.say(ctx.t("summary.bad_period", text=args.strip()[:40], year=plan.year))
        return
    period, party = parsed
    if ctx.role == PROVINCE:  # the communes of the viewer's province side by side
        await province_summary.start(ctx, period)
        return
    inbound = ctx.inbound
    waiting = await ctx.repos.render_jobs.unfinished_chats(ctx.person.commune_id, period.key, party)
    if waiting:  # one render at a time per commune and period: this chat's answer comes with it
        ctx.say(ctx.t("summary.preparing", period=period_label(ctx.t, period)))
    if (inbound.channel, inbound.chat_id) in waiting:
        return
    await render_jobs.record(ctx.repos, channel=inbound.channel, chat_id=inbound.chat_id,
                             message_id=inbound.message_id, commune_id=ctx.person.commune_id, period=period,
                             party=party, language=ctx.language, now=ctx.now)
    ctx.after_commit.add(render_jobs.WAKE)
