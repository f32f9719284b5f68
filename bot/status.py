"""`mttq-bot status`: the running bot's health (bot/status_live.py), the month's Zalo message count against its
budget, the outbox by status, then one commune's figures."""

from __future__ import annotations

import sys

from bot.app import App
from bot.channels.zalo.client import account_of
from bot.channels.zalo.platform import CHANNEL
from bot.channels.zalo.quota import month_of
from bot.communes import commune_or_say_why
from bot.status_live import print_liveness
from core.budget import BudgetPolicy
from core.messages import HELD_FOR_BUDGET, HELD_FOR_QUOTA
from core.roles import PROVINCE
from plan.periods import Period


async def print_status(app: App, commune_name: str | None = None) -> int:
    """The deployment's Zalo budget and outbox (shared by every commune); then one commune's figures when
    --commune names one or there is only one (several and none named: the list, never a guess)."""
    await print_liveness(app)
    settings = app.settings
    month = month_of(app.clock(), settings.tz)
    token = settings.zalo_bot_token.get_secret_value() if settings.zalo_bot_token else ""
    async with app.db.transaction() as repos:
        counts = await repos.outbox.counts()
        waiting = await repos.broadcasts.waiting()
        usage = await repos.usage.get(CHANNEL, account_of(token), month) if token else None
    t = app.speech()
    if usage is None:
        print(t("status.zalo_not_configured"))
    else:
        budget = settings.zalo_monthly_quota
        share = round(100 * usage.count / budget)
        paused = BudgetPolicy(budget).paused(usage)
        print(t("status.zalo_month", month=month, used=usage.count, budget=budget, share=share)
              + (t("status.zalo_paused") if paused else ""))
    shown = ", ".join(f"{t(f'status.outbox_{status}')} {n}" for status, n in sorted(counts.items()))
    print(t("status.outbox", counts=shown or t("status.outbox_empty")))
    for row in waiting:  # why unsent messages wait, and until when (a held broadcast among them)
        when = row.next_attempt_at.astimezone(settings.tz).strftime("%H:%M %d/%m/%Y")
        key = {HELD_FOR_BUDGET: "broadcast.status.held_budget", HELD_FOR_QUOTA: "broadcast.status.held_quota"}.get(
            row.reason, "broadcast.status.retrying")
        print(t(key, count=row.count, when=when))
    return await _commune_status(app, commune_name)


async def _commune_status(app: App, commune_name: str | None) -> int:
    t = app.speech()
    today = app.clock().astimezone(app.settings.tz).date()
    quarter = Period.containing(today, app.plan.settings.period_cutoff)
    async with app.db.transaction() as repos:
        communes = await repos.directory.communes()
        if not communes:
            print(t("status.communes_none"))
            return 0
        if len(communes) > 1 and not commune_name:
            print(t("status.communes", count=len(communes),
                    names="; ".join(f"{c.name}, {c.province}" for c in communes)))
            return 0
        commune = await commune_or_say_why(repos, commune_name, t, sys.stderr)
        if commune is None:
            return 1
        units = await repos.directory.units(commune.id)
        people = [p for p in await repos.directory.people(commune.id) if p.active and p.role != PROVINCE]
        pending = await repos.directory.people_without_identity(commune.id)
        reports = await repos.reports.rows_in_commune(commune.id, quarter.start, quarter.end)
        month = [o for o in await repos.reminders.occurrences(commune.id)
                 if o.status == "sent" and o.due_at.astimezone(app.settings.tz).strftime("%Y-%m")
                 == today.strftime("%Y-%m")]
    print(t("status.commune", name=commune.name, province=commune.province, units=len(units), people=len(people),
            registered=len(people) - len(pending), reports=len(reports), period=quarter.key, reminders=len(month)))
    return 0
