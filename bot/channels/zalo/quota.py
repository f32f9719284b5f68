"""Zalo's monthly outbound budget: count every message, keep the last of it for replies, warn admins."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.channels.base import Transactions
from bot.channels.zalo.platform import CHANNEL
from core.i18n import Translator
from core.messages import (
    PRIORITY_BROADCAST,
    PRIORITY_REMINDER,
    PRIORITY_REPLY,
    PRIORITY_STRANGER,
    PRIORITY_SUMMARY,
    Reply,
)
from core.roles import ADMIN
from storage.addressing import enqueue_each
from storage.repositories import Repositories
from storage.usage import Usage

log = logging.getLogger(__name__)
# A message of this priority goes out only while more than this share of the month's budget is left.
# The last 20% is reserved for replies to registered people and for reminders (the last 10%: replies only);
# replies to strangers (at most two a day each) are served from the rest, like broadcasts.
RESERVES = {PRIORITY_REPLY: 0.0, PRIORITY_REMINDER: 0.10, PRIORITY_SUMMARY: 0.15, PRIORITY_BROADCAST: 0.20,
            PRIORITY_STRANGER: 0.20}
WARN_AT = (80, 100)  # percent of the budget: admins are told once per month at each


def month_of(now: datetime, tz: ZoneInfo) -> str:
    """The calendar month in business time, e.g. "2026-11"."""
    return now.astimezone(tz).strftime("%Y-%m")


def seconds_until_next_month(now: datetime, tz: ZoneInfo) -> float:
    local = now.astimezone(tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    start = datetime(year, month, 1, tzinfo=tz)
    return max(60.0, (start - now).total_seconds())


@dataclass(frozen=True, slots=True)
class QuotaPolicy:
    """Pure rules: which priorities may still be sent, and which warning thresholds a send crossed."""

    budget: int
    reserves: dict[int, float] = field(default_factory=lambda: dict(RESERVES))
    warn_at: tuple[int, ...] = WARN_AT

    def allows(self, priority: int, usage: Usage) -> bool:
        if priority <= PRIORITY_REPLY:
            return True  # replies always go: the platform's own 429 is the hard stop
        if usage.paused_budget is not None and self.budget <= usage.paused_budget:
            return False  # the platform said "quota exceeded" and the setting was not raised since
        reserve = self.reserves.get(priority, max(self.reserves.values()))
        return self.budget - usage.count > self.budget * reserve

    def crossed(self, before: int, after: int) -> list[int]:
        return [pct for pct in self.warn_at if before < self.budget * pct / 100 <= after]


class ZaloQuota:
    """The budget of one bot account, kept in the database so every process and restart shares it."""

    def __init__(self, transaction: Transactions, translator: Translator, clock: Callable[[], datetime], tz: ZoneInfo,
                 account: str, budget: int) -> None:
        self.transaction, self.translator, self.clock, self.tz = transaction, translator, clock, tz
        self.account, self.policy = account, QuotaPolicy(budget)

    async def usage(self) -> tuple[str, Usage]:
        month = month_of(self.clock(), self.tz)
        async with self.transaction() as repos:
            return month, await repos.usage.get(CHANNEL, self.account, month)

    async def refusal(self, priority: int) -> float | None:
        """None when a message of this priority may go now; else seconds until it may (the next month)."""
        if priority <= PRIORITY_REPLY:
            return None
        _month, usage = await self.usage()
        if self.policy.allows(priority, usage):
            return None
        return seconds_until_next_month(self.clock(), self.tz)

    async def record(self, sent: int) -> int:
        """Count messages that went out; warn the admins when a threshold is crossed (same transaction)."""
        now = self.clock()
        month = month_of(now, self.tz)
        async with self.transaction() as repos:
            after = await repos.usage.add(CHANNEL, self.account, month, sent)
            for pct in self.policy.crossed(after - sent, after):
                log.warning("zalo budget: %s of %s messages used in %s (%s%%)", after, self.policy.budget, month, pct)
                await self._warn_admins(repos, month, pct, after, now)
        return after

    async def pause(self) -> None:
        """The platform refused for quota: hold non-reply traffic until next month or a higher setting."""
        month = month_of(self.clock(), self.tz)
        async with self.transaction() as repos:
            await repos.usage.pause(CHANNEL, self.account, month, self.policy.budget)
        log.warning("zalo said quota exceeded: reminders and broadcasts wait until next month "
                    "or until ZALO_MONTHLY_QUOTA is raised")

    async def _warn_admins(self, repos: Repositories, month: str, pct: int, count: int, now: datetime) -> None:
        def warning(language: str) -> dict:
            text = self.translator.for_language(language)(f"zalo.quota_warn_{pct}", count=count,
                                                          budget=self.policy.budget, month=month)
            return Reply(text=text, language=language).to_payload()

        for commune in await repos.directory.communes():
            await enqueue_each(repos.outbox, await repos.addresses.of_roles(commune.id, (ADMIN,)), warning,
                               key=f"quota:{CHANNEL}:{self.account}:{month}:{pct}", now=now, priority=PRIORITY_REPLY)
