"""Outbox send rate against a fake Telegram that enforces the flood limit (429 like Telegram): how close to it?

Run: .venv/bin/python bench/bench_outbox_limit.py [--messages 600] [--chats 300] [--per-second 30] [--repeat 3]
                                                   [--lanes N] [--latency SECONDS]

The real path: rows are queued in the outbox, the runner's outbox loop (OutboxWorker) claims them and sends
through the Telegram channel's sender (with its flood limiter) over HTTP to the fake, which answers 429 to
anything faster than `--per-second` overall, 1 message/s to one private chat or 20/min to a group (`--groups`),
strictly unless `--slack` forgives some timing jitter. Rate = messages / time from the
first send to the last. (bench/bench_outbox.py measures raw outbox rows/s with an instant sender.)
`--lanes` sets OUTBOX_LANES (default: the bot's, 1); `--latency` makes the fake answer each send that much later,
as a distant API would (a round trip; loopback alone is ~1 ms): one lane sends at most one message per round trip.
Targets (issue 8): ≥ 95 % of the limit, 0 × 429.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.fake_telegram import FloodRules
from support.pgdb import fresh_database
from support.telegram_harness import telegram_bot

from bot.runner import outbox_loop
from core.messages import PRIORITY_BROADCAST, Reply


def wall_clock() -> datetime:
    return datetime.now(UTC)


async def one_run(messages: int, chats: int, per_second: float, lanes: int | None = None,
                  latency: float = 0.0, slack: float = 0.0, groups: int = 0, pg: str = "") -> dict[str, float]:
    limits = {"telegram_max_per_second": per_second, "telegram_private_per_second": 1.0}
    if lanes is not None:
        limits["outbox_lanes"] = lanes
    with tempfile.TemporaryDirectory() as tmp:
        url = await fresh_database(pg, "outbox_limit") if pg else f"sqlite+aiosqlite:///{tmp}/mttq.db"
        async with telegram_bot(url, wall_clock, **limits) as h:
            h.fake.flood = FloodRules(per_second, 1.0, 3.0, slack=slack)  # slack 0: strict, as issue 20 asks
            if latency:
                slow_down(h.fake, latency)
            payload = Reply(text="Thông báo: họp Ban Công tác Mặt trận lúc 8 giờ sáng thứ Hai.").to_payload()
            async with h.app.db.transaction() as repos:
                for n in range(messages):
                    chat = n % chats
                    chat_id = str(-(10_000 + chat) if chat < groups else 10_000 + chat)  # a group's id is negative
                    await repos.outbox.enqueue(channel="telegram", chat_id=chat_id, payload=payload,
                                               dedupe_key=f"bench:{n}", now=wall_clock(), priority=PRIORITY_BROADCAST)
            before = len(h.fake.calls)
            stop = asyncio.Event()
            loop = asyncio.create_task(outbox_loop(h.app, stop))
            while sum(1 for c in h.fake.calls[before:] if c.method == "sendMessage" and c.ok) < messages:
                await asyncio.sleep(0.05)
            stop.set()
            h.app.outbox_wake.set()
            await loop
            sends = [c for c in h.fake.calls[before:] if c.method == "sendMessage"]
            delivered = [c for c in sends if c.ok]
            elapsed = delivered[-1].at - delivered[0].at
            return {"messages": len(delivered), "seconds": elapsed, "rate": (len(delivered) - 1) / elapsed,
                    "share": (len(delivered) - 1) / elapsed / per_second, "too_many": h.fake.too_many,
                    "why": Counter(reason.split(": ", 1)[1] for reason in h.fake.refusals)}


def slow_down(fake, latency: float) -> None:
    """Answer every sendMessage `latency` seconds after taking it (the flood check stays at arrival)."""
    answer = fake._m_sendMessage

    async def later(params: dict, call) -> dict:
        await asyncio.sleep(latency)
        return await answer(params, call)

    fake._m_sendMessage = later


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=600)
    parser.add_argument("--chats", type=int, default=300)
    parser.add_argument("--per-second", type=float, default=30.0, help="Telegram: 30 messages/s overall")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lanes", type=int, default=None, help="OUTBOX_LANES (default: the bot's default)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds the fake takes to answer a send")
    parser.add_argument("--slack", type=float, default=0.0,
                        help="timing jitter the fake forgives (0: strict; 0.25 was used before issue 20)")
    parser.add_argument("--groups", type=int, default=0, help="how many of the chats are groups (20 messages/min)")
    parser.add_argument("--pg", default="", help="a PostgreSQL server URL instead of SQLite")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; {args.messages} messages to {args.chats} "
          f"chats, limit {args.per_second:g}/s overall and 1/s per chat, {args.repeat} runs (median shown); "
          f"lanes {args.lanes or 'default'}, latency {1000 * args.latency:g} ms, slack {args.slack:g}, "
          f"{args.groups} group chats, {'PostgreSQL' if args.pg else 'SQLite'}")
    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        runs.append(asyncio.run(one_run(args.messages, args.chats, args.per_second, args.lanes, args.latency,
                                        args.slack, args.groups, args.pg)))
        print(f"  run: {runs[-1]['messages']} sent in {runs[-1]['seconds']:.2f} s = {runs[-1]['rate']:.2f}/s "
              f"({100 * runs[-1]['share']:.1f} % of the limit), 429s: {runs[-1]['too_many']} {dict(runs[-1]['why'])}, "
              f"wall {time.perf_counter() - started:.1f} s")
    print(f"median rate {statistics.median(r['rate'] for r in runs):.2f}/s = "
          f"{100 * statistics.median(r['share'] for r in runs):.1f} % of the limit (target ≥ 95 %); "
          f"429s in all runs: {sum(r['too_many'] for r in runs)} (target 0)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
