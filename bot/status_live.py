"""`mttq-bot status`'s first part: the running bot's liveness report (its /healthz, bot/liveness.py) in the person's
language (texts in locales/, Vietnamese by default)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from bot.app import App


def health_url(host: str, port: int) -> str:
    """/healthz of the bot on this machine: a wildcard listening address is reached on loopback."""
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/healthz"


async def print_liveness(app: App) -> None:
    t = app.speech()
    url = health_url(app.settings.web_host, app.settings.web_port)
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            body = (await http.get(url)).json()
    except (httpx.HTTPError, ValueError):
        print(t("status.unreachable", url=url))
        return
    if not body.get("ok"):
        print(t("status.problems"))
        for problem in body.get("problems") or [body.get("database", "")]:
            print(f"  ! {problem}")
    else:
        print(t("status.running_ok"))
    for name, channel in (body.get("channels") or {}).items():
        for line in channel_lines(t, name, channel, app.settings.tz):
            print(line)


def channel_lines(t: Any, name: str, report: dict[str, Any], tz: Any) -> list[str]:
    """One channel of /healthz as lines a person reads (Vietnamese by default; texts in locales/)."""
    def when(iso: str | None) -> str:
        return datetime.fromisoformat(iso).astimezone(tz).strftime("%H:%M:%S %d/%m/%Y") if iso else t("status.never")

    lines = [t("status.channel", channel=name.capitalize(), mode=t(f"status.mode_{report['mode']}")),
             t("status.last_received", when=when(report["last_received"])),
             t("status.get_me", state=t("status.done" if report["get_me"] else "status.not_yet"))]
    if report["webhook_registered"] is not None:
        lines.append(t("status.webhook", state=t("status.registered" if report["webhook_registered"]
                                                 else "status.not_registered")))
    if report["failing_since"]:
        lines.append(t("status.failing", when=when(report["failing_since"]), seconds=round(report["failing_seconds"]),
                       error=report["last_error"]))
    if report["restarts"]:
        lines.append(t("status.restarts", count=report["restarts"]))
    lines.append(t("status.last_send_ok", when=when(report["last_send_ok"])))
    if report["last_send_error"]:
        lines.append(t("status.last_send_error", when=when(report["last_send_error"]["at"]),
                       error=report["last_send_error"]["error"]))
    outbox = report["outbox"]
    lines.append(t("status.backlog", count=outbox["pending"], seconds=outbox["oldest_seconds"] or 0))
    if budget := report.get("zalo_budget"):
        lines.append(t("status.budget", month=budget["month"], used=budget["used"], budget=budget["budget"])
                     + (t("status.budget_paused") if budget["paused"] else ""))
    return lines
