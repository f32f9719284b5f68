"""`mttq-bot status`: the month's Zalo message count against its budget, and the outbox by status."""

from __future__ import annotations

from bot.app import App
from bot.channels.zalo.client import account_of
from bot.channels.zalo.platform import CHANNEL
from bot.channels.zalo.quota import QuotaPolicy, month_of


async def print_status(app: App) -> int:
    settings = app.settings
    month = month_of(app.clock(), settings.tz)
    token = settings.zalo_bot_token.get_secret_value() if settings.zalo_bot_token else ""
    async with app.db.transaction() as repos:
        counts = await repos.outbox.counts()
        waiting = await repos.broadcasts.waiting()
        usage = await repos.usage.get(CHANNEL, account_of(token), month) if token else None
    if usage is None:
        print("zalo: not configured (ZALO_BOT_TOKEN is empty)")
    else:
        budget = settings.zalo_monthly_quota
        paused = usage.paused_budget is not None and not QuotaPolicy(budget).allows(1, usage)
        share = 100 * usage.count / budget
        print(f"zalo {month}: {usage.count}/{budget} messages ({share:.0f}%)"
              + ("; paused by the platform: only replies are sent" if paused else ""))
    print("outbox: " + (", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "empty"))
    for row in waiting:  # why unsent messages wait, and until when (a held broadcast among them)
        when = row.next_attempt_at.astimezone(settings.tz)
        print(f"  waiting: {row.count} — {row.reason} — next try {when:%Y-%m-%d %H:%M}")
    return 0
