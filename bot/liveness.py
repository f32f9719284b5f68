"""Is the bot working? Per configured channel: how it receives and when that last worked, getMe, the webhook, the
last send and the last send error, the outbox backlog and its oldest age, Zalo's budget. /healthz answers it as
JSON (503 when a channel has been failing longer than HEALTH_FAILING_SECONDS or a reply has waited longer than
HEALTH_REPLY_AGE_SECONDS), `mttq-bot status` prints it in Vietnamese, and OutageNotices tells the admins once
when a channel goes down and once when it is back."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.channels.health import ChannelHealth
from bot.channels.zalo.client import account_of
from bot.channels.zalo.platform import CHANNEL as ZALO
from bot.channels.zalo.quota import month_of
from core.budget import BudgetPolicy
from core.messages import PRIORITY_REPLY, Reply
from core.roles import ADMIN
from storage.addressing import enqueue_each
from storage.outbox import Backlog
from storage.repositories import Repositories

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


def _iso(when: datetime | None) -> str | None:
    return when.isoformat(timespec="seconds") if when else None


def _age(now: datetime, when: datetime | None) -> float | None:
    return round((now - when).total_seconds()) if when else None


@dataclass
class Liveness:
    ok: bool
    channels: dict[str, dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    pending: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "database": "ok", "outbox_pending": self.pending, "problems": self.problems,
                "channels": self.channels}


async def liveness(app: App) -> Liveness:
    """The report, read from the running channels (app.channel_health), the outbox worker and the database."""
    settings, now = app.settings, app.clock()
    async with app.db.transaction() as repos:
        backlog = await repos.outbox.backlog()
        zalo_usage = await _zalo_budget(app, repos, now)
    channels, problems = {}, []
    for name, health in sorted(app.channel_health.items()):
        report = _channel(app, name, health, backlog.get(name, Backlog(0, None, None)), now)
        if name == ZALO and zalo_usage is not None:
            report["zalo_budget"] = zalo_usage
        channels[name] = report
        if report["failing_seconds"] > settings.health_failing_seconds:
            problems.append(f"{name}: failing for {report['failing_seconds']:.0f} s: {health.last_error}")
        reply_age = report["outbox"]["oldest_reply_seconds"]
        if reply_age is not None and reply_age > settings.health_reply_age_seconds:
            problems.append(f"{name}: a reply has waited {reply_age:.0f} s")
    pending = sum(item.pending for item in backlog.values())
    return Liveness(ok=not problems, channels=channels, problems=problems, pending=pending)


def _channel(app: App, name: str, health: ChannelHealth, backlog: Backlog, now: datetime) -> dict[str, Any]:
    outcome = app.outbox.outcomes.get(name)
    return {
        "mode": health.mode, "get_me": health.me_ok, "webhook_registered": health.webhook_registered,
        "last_received": _iso(health.last_received), "failing_since": _iso(health.failing_since),
        "failing_seconds": health.failing_for(now), "last_error": health.last_error,
        "stopped": health.stopped, "restarts": health.restarts,
        "last_send_ok": _iso(outcome.last_ok if outcome else None),
        "last_send_error": ({"at": _iso(outcome.last_error_at), "error": outcome.last_error}
                            if outcome and outcome.last_error_at else None),
        "outbox": {"pending": backlog.pending, "oldest_seconds": _age(now, backlog.oldest),
                   "oldest_reply_seconds": _age(now, backlog.oldest_reply)},
    }


async def _zalo_budget(app: App, repos: Repositories, now: datetime) -> dict[str, Any] | None:
    token = app.settings.zalo_bot_token
    if token is None:
        return None
    month = month_of(now, app.settings.tz)
    usage = await repos.usage.get(ZALO, account_of(token.get_secret_value()), month)
    budget = app.settings.zalo_monthly_quota
    return {"month": month, "used": usage.count, "budget": budget, "paused": BudgetPolicy(budget).paused(usage)}


class OutageNotices:
    """A ticker: once a channel has failed for HEALTH_FAILING_SECONDS, the admins hear it once (on their other
    channels: the failing one may not carry it), and once more when it works again."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.told: dict[str, datetime] = {}  # channel → start of the outage the admins were told about

    async def __call__(self, now: datetime) -> None:
        for name, health in list(self.app.channel_health.items()):
            if name in self.told and health.failing_since != self.told[name]:
                await self._tell(name, "health.channel_back", f"back:{name}:{self.told.pop(name):%Y%m%dT%H%M%S}", now)
            start = health.failing_since
            if (start is not None and name not in self.told
                    and health.failing_for(now) >= self.app.settings.health_failing_seconds):
                self.told[name] = start
                await self._tell(name, "health.channel_down", f"down:{name}:{start:%Y%m%dT%H%M%S}", now,
                                 error=health.last_error[:200])

    async def _tell(self, channel: str, message: str, key: str, now: datetime, **values: object) -> None:
        translator = self.app.translator
        log.warning("telling the admins: %s %s", channel, message)

        def text_in(language: str) -> dict:
            return Reply(text=translator.for_language(language)(message, channel=channel.capitalize(), **values),
                         language=language).to_payload()

        async with self.app.db.transaction() as repos:
            for commune in await repos.directory.communes():
                targets = [t for t in await repos.addresses.of_roles(commune.id, (ADMIN,)) if t.channel != channel]
                await enqueue_each(repos.outbox, targets, text_in, key=f"liveness:{key}", now=now,
                                   priority=PRIORITY_REPLY)
