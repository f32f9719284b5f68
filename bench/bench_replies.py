"""Benchmark (not a test): reply latency with the replies flowing (issue 20.2), to a fake Telegram that answers each
send `--latency` later.

    .venv/bin/python bench/bench_replies.py [--reporters 200] [--think 4] [--latency 0.05] [--per-second 1000]

--reporters registered Telegram village heads each file the menu report (ten messages) through `app.handle`,
pausing an exponential --think seconds before each; the runner's outbox loop sends every reply through the real
Telegram sender and limiter to the fake. A reply's latency: from its message's `app.handle` call to the fake
taking the reply (each message here gets exactly one reply, in order per chat). --per-second sets the limiter
(TELEGRAM_MAX_PER_SECOND): the default, far above Telegram's 30/s, measures our own serialisation; 200 reporters
at think 4 offer ~50 replies/s, more than Telegram's 30/s, so at 30 the queue, not the bot, sets the latency.
Target (issue 20.2): p99 ≤ 1 s at a human pace.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_outbox_limit import slow_down
from support.reporters import add_reporters
from support.telegram_harness import telegram_bot

from bot.runner import outbox_loop
from core.messages import Inbound

CONVERSATION = ("bao cao", "ngay hoi dai doan ket toan dan toc",  # the form by name: ten messages, as before 15.7
                "hom qua", "Nha van hoa", "120 nguoi", "co", "bo qua", "bo qua", "bo qua", "1")
_ids = itertools.count(1)


def wall_clock() -> datetime:
    return datetime.now(UTC)


async def register(app, reporters: int) -> None:
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        await add_reporters(repos, commune.id, reporters, channel="telegram", external_id=lambda n: str(70_000 + n),
                            created_at=wall_clock())


async def reporter(app, n: int, think: float, sent_at: dict[str, list[float]]) -> None:
    rng, chat = random.Random(n), str(70_000 + n)
    for text in CONVERSATION:
        await asyncio.sleep(rng.expovariate(1 / think))
        sent_at.setdefault(chat, []).append(time.monotonic())
        await app.handle(Inbound(channel="telegram", chat_id=chat, sender_id=chat, message_id=f"r{next(_ids)}",
                                 received_at=wall_clock(), kind="text", chat_kind="private",
                                 sender_name=f"Trưởng thôn {n}", text=text))


async def run(reporters: int, think: float, latency: float, per_second: float, working: float | None) -> dict:
    extra = {} if working is None else {"working_indicator_seconds": working}
    with tempfile.TemporaryDirectory() as tmp:
        async with telegram_bot(f"sqlite+aiosqlite:///{tmp}/mttq.db", wall_clock, webhook=True,
                                telegram_max_per_second=per_second, **extra) as h:
            await register(h.app, reporters)
            if latency:
                slow_down(h.fake, latency)
            arrived: dict[str, list[float]] = {}
            answer = h.fake._m_sendMessage

            async def stamped(params: dict, call) -> dict:  # when the fake took it, before its latency
                arrived.setdefault(str(params.get("chat_id")), []).append(time.monotonic())
                return await answer(params, call)

            h.fake._m_sendMessage = stamped
            stop, sent_at = asyncio.Event(), {}
            loop = asyncio.create_task(outbox_loop(h.app, stop))
            started = time.monotonic()
            await asyncio.gather(*(reporter(h.app, n, think, sent_at) for n in range(reporters)))
            deadline = time.monotonic() + 120
            while sum(map(len, arrived.values())) < sum(map(len, sent_at.values())) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            elapsed = time.monotonic() - started
            stop.set()
            h.app.outbox_wake.set()
            await loop
    latencies = [a - s for chat, sends in sent_at.items() for s, a in zip(sends, arrived.get(chat, []), strict=False)]
    cuts = statistics.quantiles(latencies, n=100)
    return {"messages": sum(map(len, sent_at.values())), "replies": sum(map(len, arrived.values())),
            "seconds": elapsed, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000, "max": max(latencies) * 1000}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--think", type=float, default=4.0)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--per-second", type=float, default=1000.0)
    parser.add_argument("--working", type=float, default=None, help="WORKING_INDICATOR_SECONDS (default: the bot's)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}; {args.reporters} reporters, think {args.think} s "
          f"(≈ {args.reporters / args.think:.0f} msg/s offered), {1000 * args.latency:g} ms per send, limiter "
          f"{args.per_second:g}/s, outbox lanes: the default")
    r = asyncio.run(run(args.reporters, args.think, args.latency, args.per_second, args.working))
    print(f"{r['messages']} messages, {r['replies']} replies in {r['seconds']:.1f} s; reply latency "
          f"p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms, max {r['max']:.0f} ms (target p99 ≤ 1000 ms); "
          f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
