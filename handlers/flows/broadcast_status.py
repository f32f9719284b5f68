"""`/thongbao trạng thái`: the latest broadcasts with delivered / pending / failed counts, and who failed."""

from __future__ import annotations

from core.messages import HELD_FOR_BUDGET, HELD_FOR_QUOTA
from core.wordcut import cut_words
from handlers.context import Context
from storage.broadcasts import Waiting

LATEST = 5
FAILED_NAMES = 10  # a long list of names would drown the counts


def channel_name(ctx: Context, channel: str) -> str:
    """A channel's display name (a proper noun; the catalog may still spell it per language)."""
    msgid = f"broadcast.channel.{channel}"
    name = ctx.t(msgid)
    return channel.capitalize() if name == msgid else name


async def show_status(ctx: Context) -> None:
    broadcasts = await ctx.repos.broadcasts.latest(ctx.person.commune_id, LATEST)
    if not broadcasts:
        ctx.say(ctx.t("broadcast.status.none"))
        return
    blocks = [ctx.t("broadcast.status.title")]
    for broadcast in broadcasts:
        blocks.append(await _one(ctx, broadcast))
    ctx.say("\n\n".join(blocks))


async def _one(ctx: Context, broadcast) -> str:
    counts = await ctx.repos.broadcasts.delivery_counts(broadcast.id)
    when = broadcast.created_at.astimezone(ctx.tz).strftime("%d/%m %H:%M")
    first_line = broadcast.text.splitlines()[0] if broadcast.text else ""
    lines = [ctx.t("broadcast.status.line", id=broadcast.id, when=when, text=_short(first_line),
                   sent=counts.get("sent", 0), pending=counts.get("pending", 0) + counts.get("sending", 0),
                   failed=counts.get("failed", 0))]
    if counts.get("pending") or counts.get("sending"):
        lines += [waiting_line(ctx, row) for row in await ctx.repos.broadcasts.waiting(broadcast.id)]
    failed = await ctx.repos.broadcasts.failed_deliveries(broadcast.id) if counts.get("failed") else []
    for item in failed[:FAILED_NAMES]:
        name = item.name or item.chat_id
        key = "broadcast.status.failed_gone" if not item.chat_active else "broadcast.status.failed"
        lines.append(ctx.t(key, name=name, channel=channel_name(ctx, item.channel)))
    if len(failed) > FAILED_NAMES:
        lines.append(ctx.t("broadcast.status.more_failed", count=len(failed) - FAILED_NAMES))
    return "\n".join(lines)


def waiting_line(ctx: Context, row: Waiting) -> str:
    """Why some of a broadcast wait, and until when: a held budget says so, anything else is a retry."""
    when = row.next_attempt_at.astimezone(ctx.tz).strftime("%H:%M %d/%m/%Y")
    key = {HELD_FOR_BUDGET: "broadcast.status.held_budget", HELD_FOR_QUOTA: "broadcast.status.held_quota"}.get(
        row.reason, "broadcast.status.retrying")
    return ctx.t(key, count=row.count, when=when)


def _short(text: str, limit: int = 40) -> str:
    return cut_words(text, limit + 1)
