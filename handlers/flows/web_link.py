"""/web: a single-use link to the dashboard, valid 10 minutes, as plain text (Zalo shows it as a link)."""

from __future__ import annotations

from handlers.context import Context
from handlers.web_login import LOGIN_PATH, LOGIN_TTL, issue_login


async def start(ctx: Context) -> None:
    base = ctx.settings.public_base_url
    if not base:
        ctx.say(ctx.t("web.not_configured"))
        return
    token = await issue_login(ctx.repos, ctx.person.id, ctx.now)
    minutes = int(LOGIN_TTL.total_seconds() // 60)
    ctx.say(ctx.t("web.link", url=f"{base.rstrip('/')}{LOGIN_PATH}{token}", minutes=minutes))
