"""Zalo's monthly outbound budget: count every message, read a repeated 429 as the month's quota, warn admins;
which messages the last of the budget is kept for is core/budget.py's policy."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.channels.base import Transactions
from bot.channels.zalo.platform import CHANNEL
from core.budget import BudgetPolicy
from core.i18n import Translator
from core.messages import PRIORITY_REPLY, Reply
from core.roles import ADMIN
from storage.addressing import enqueue_each
from storage.repositories import Repositories
from storage.usage import Usage

log = logging.getLogger(__name__)
# Zalo answers 429 "Quota exceeded" both for a burst and for the month's budget, and publishes no way to tell them
# apart: this many 429s on sends in a row (each an outbox attempt, after its backoff) is read as the month's. How
# to read Zalo's answer is knowledge of Zalo, so it stays here, beside its error table (errors.py); what may still
# be sent as the budget runs out is policy (core/budget.py). docs/zalo.md, "Monthly budget".
QUOTA_STRIKES = 3


def month_of(now: datetime, tz: ZoneInfo) -> str:
    """The calendar month in business time, e.g. "2026-11"."""
    return now.astimezone(tz).strftime("%Y-%m")


def next_month_start(now: datetime, tz: ZoneInfo) -> datetime:
    local = now.astimezone(tz)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 1, tzinfo=tz)


def seconds_until_next_month(now: datetime, tz: ZoneInfo) -> float:
    return max(60.0, (next_month_start(now, tz) - now).total_seconds())


def quota_reset_at(now: datetime, tz: ZoneInfo, reset: date | None) -> datetime:
    """When Zalo gives the month's quota back: ZALO_QUOTA_RESET (its 00:00, business time) while it is ahead,
    else the start of the next calendar month."""
    if reset is not None:
        at = datetime.combine(reset, time(0), tzinfo=tz)
        if at > now:
            return at
    return next_month_start(now, tz)


class ZaloQuota:
    """The budget of one bot account, kept in the database so every process and restart shares it."""

    def __init__(self, transaction: Transactions, translator: Translator, clock: Callable[[], datetime], tz: ZoneInfo,
                 account: str, budget: int, *, reset: date | None = None) -> None:
        self.transaction, self.translator, self.clock, self.tz = transaction, translator, clock, tz
        self.account, self.policy, self.reset = account, BudgetPolicy(budget), reset
        self.strikes = 0  # 429s on sends since the last accepted one (in memory: a restart starts afresh)

    def reset_at(self) -> datetime:
        return quota_reset_at(self.clock(), self.tz, self.reset)

    def seconds_until_reset(self) -> float:
        return max(60.0, (self.reset_at() - self.clock()).total_seconds())

    async def usage(self) -> tuple[str, Usage]:
        month = month_of(self.clock(), self.tz)
        async with self.transaction() as repos:
            return month, await repos.usage.get(CHANNEL, self.account, month)

    async def refusal(self, priority: int) -> tuple[float, bool] | None:
        """None when a message of this priority may go now; else seconds until it may, and whether it is Zalo's
        own quota that holds it (every message waits for ZALO_QUOTA_RESET or the next month) rather than ours."""
        _month, usage = await self.usage()
        if self.policy.paused(usage) and not self._reset_passed():
            return self.seconds_until_reset(), True
        if priority <= PRIORITY_REPLY or self.policy.allows(priority, usage):
            return None
        return seconds_until_next_month(self.clock(), self.tz), False

    def _reset_passed(self) -> bool:
        """ZALO_QUOTA_RESET fell inside this month and is behind us: the pause of this month is over."""
        if self.reset is None:
            return False
        at = datetime.combine(self.reset, time(0), tzinfo=self.tz)
        return at <= self.clock() and month_of(at, self.tz) == month_of(self.clock(), self.tz)

    async def rate_limited(self) -> bool:
        """A send was answered 429: True when it is read as the month's quota (now paused, admins told once)."""
        self.strikes += 1
        _month, usage = await self.usage()
        if self.strikes < QUOTA_STRIKES and usage.count < self.policy.budget * 0.9:
            return False
        await self.pause()
        return True

    async def record(self, sent: int) -> int:
        """Count messages that went out, in a transaction of its own; warn the admins when a threshold is crossed."""
        self.strikes = 0
        async with self.transaction() as repos:
            return await self.record_in(repos, sent)

    def counting(self, sent: int) -> Callable[[Repositories], Awaitable[int]]:
        """The count of a send that went through, for the outbox to write with the send's mark (one commit)."""
        self.strikes = 0

        async def count(repos: Repositories) -> int:
            return await self.record_in(repos, sent)

        return count

    async def record_in(self, repos: Repositories, sent: int) -> int:
        """Count `sent` messages in the caller's transaction; the admins' warnings go with it."""
        now = self.clock()
        month = month_of(now, self.tz)
        after = await repos.usage.add(CHANNEL, self.account, month, sent)
        for pct in self.policy.crossed(after - sent, after):
            log.warning("zalo budget: %s of %s messages used in %s (%s%%)", after, self.policy.budget, month, pct)
            await self._warn_admins(repos, month, pct, after, now)
        return after

    async def pause(self) -> None:
        """The platform refused for quota: hold every Zalo send until the quota comes back (ZALO_QUOTA_RESET or the
        next month) or the setting is raised; the admins are told once (one outbox key per month)."""
        now = self.clock()
        month, until = month_of(now, self.tz), self.reset_at().astimezone(self.tz)
        async with self.transaction() as repos:
            await repos.usage.pause(CHANNEL, self.account, month, self.policy.budget)
            await self._tell_admins(repos, f"quota:{CHANNEL}:{self.account}:{month}:paused", now, "zalo.quota_paused",
                                    month=month, until=f"{until:%H:%M %d/%m/%Y}", budget=self.policy.budget)
        log.warning("zalo said quota exceeded %s times in a row: every Zalo message waits until %s "
                    "(ZALO_QUOTA_RESET, or the next month) or until ZALO_MONTHLY_QUOTA is raised",
                    QUOTA_STRIKES, f"{until:%Y-%m-%d %H:%M}")

    async def _warn_admins(self, repos: Repositories, month: str, pct: int, count: int, now: datetime) -> None:
        await self._tell_admins(repos, f"quota:{CHANNEL}:{self.account}:{month}:{pct}", now, f"zalo.quota_warn_{pct}",
                                count=count, budget=self.policy.budget, month=month)

    async def _tell_admins(self, repos: Repositories, key: str, now: datetime, message: str, **values: object) -> None:
        """One message to every admin (any channel they use); the outbox key makes it once whatever repeats."""
        def text_in(language: str) -> dict:
            text = self.translator.for_language(language)(message, **values)
            return Reply(text=text, language=language).to_payload()

        for commune in await repos.directory.communes():
            await enqueue_each(repos.outbox, await repos.addresses.of_roles(commune.id, (ADMIN,)), text_in,
                               key=key, now=now, priority=PRIORITY_REPLY)
