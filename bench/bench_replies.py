"""Benchmark (not a test): reply latency with the replies flowing (issue 20.2), to a fake Telegram that answers each
send `--latency` later.

    .venv/bin/python bench/bench_replies.py [--reporters 200] [--think 4] [--least-think 0] [--latency 0.05]
                                            [--limits none|telegram] [--per-second N] [--lanes N] [--stages]

--reporters registered Telegram village heads each file the menu report (ten messages) through `app.handle`,
pausing --think seconds on average before each (0: none, flat out), exponentially distributed; with --least-think
every pause lasts at least that long (a person reads the question and types), the rest exponential. The runner's
outbox loop sends every reply through the real Telegram sender and limiter to the fake. A reply's latency: from its
message's `app.handle` call to the fake taking the reply (each message gets exactly one reply, in order per chat).

--limits none (the default): the limiter at 1000/s overall and per chat, measuring our own serialisation;
--limits telegram: Telegram's limits (30 calls/s overall, 1 message/s per private chat, 20/min per group) in the
limiter, and the fake enforcing them strictly (a 429 for any send over them). --per-second overrides the overall
rate. Offered load: reporters ÷ think messages/s, and each reply is one sendMessage plus, for about a third, an edit
taking the previous question's buttons off, which Telegram counts too (bench/reply_stages.py counts them).
Target (issue 20.2): p99 ≤ 1 s at a human pace; saturated (--think 0), the platform's limit, not ours.
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
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_outbox_limit import slow_down
from reply_stages import Stages
from support.fake_telegram import FloodRules
from support.reporters import add_reporters
from support.telegram_harness import telegram_bot

from bot.runner import outbox_loop
from core.messages import Inbound

CONVERSATION = ("bao cao", "ngay hoi dai doan ket toan dan toc",  # the form by name: ten messages, as before 15.7
                "hom qua", "Nha van hoa", "120 nguoi", "co", "bo qua", "bo qua", "bo qua", "1")
TELEGRAM = {"telegram_max_per_second": 30.0, "telegram_private_per_second": 1.0, "telegram_group_per_minute": 20.0}
NO_LIMITS = {"telegram_max_per_second": 1000.0}  # and the harness's 1000/s per chat
_ids = itertools.count(1)


def wall_clock() -> datetime:
    return datetime.now(UTC)


async def register(app, reporters: int) -> None:
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        await add_reporters(repos, commune.id, reporters, channel="telegram", external_id=lambda n: str(70_000 + n),
                            created_at=wall_clock())


def pause(rng: random.Random, think: float, least: float) -> float:
    """Seconds before the next message: `least` (reading and typing) plus an exponential rest, `think` on average."""
    return least + rng.expovariate(1 / (think - least)) if think > least else think


async def reporter(app, n: int, think: float, least: float, stages: Stages) -> None:
    rng, chat = random.Random(n), str(70_000 + n)
    for text in CONVERSATION:
        await asyncio.sleep(pause(rng, think, least))
        called = time.monotonic()
        await app.handle(Inbound(channel="telegram", chat_id=chat, sender_id=chat, message_id=f"r{next(_ids)}",
                                 received_at=wall_clock(), kind="text", chat_kind="private",
                                 sender_name=f"Trưởng thôn {n}", text=text))
        stages.handled[chat].append((called, time.monotonic()))


async def run(reporters: int, think: float, least: float, latency: float, limits: dict,
              working: float | None) -> dict:
    extra = {} if working is None else {"working_indicator_seconds": working}
    with tempfile.TemporaryDirectory() as tmp:
        async with telegram_bot(f"sqlite+aiosqlite:///{tmp}/mttq.db", wall_clock, webhook=True,
                                **limits, **extra) as h:
            await register(h.app, reporters)
            if "telegram_private_per_second" in limits:  # the fake refuses what Telegram would, strictly (issue 20)
                h.fake.flood = FloodRules(limits["telegram_max_per_second"], 1.0, 3.0, slack=0.0)
            if latency:
                slow_down(h.fake, latency)
            stages = Stages()
            stages.attach(h.app, h.channel.limiter, h.fake)
            stop = asyncio.Event()
            loop = asyncio.create_task(outbox_loop(h.app, stop))
            sampling = asyncio.create_task(stages.sample(h.channel.limiter))
            started, cpu = time.monotonic(), time.process_time()
            await asyncio.gather(*(reporter(h.app, n, think, least, stages) for n in range(reporters)))
            offered_in = time.monotonic() - started
            deadline = time.monotonic() + 300
            while stages.replies() < reporters * len(CONVERSATION) and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
            stop.set()
            h.app.outbox_wake.set()
            await loop
            sampling.cancel()
            too_many, why = h.fake.too_many, Counter(reason.split(": ", 1)[1] for reason in h.fake.refusals)
    latencies = stages.latencies()
    cuts = statistics.quantiles(latencies, n=100)
    arrivals = sorted(at for times in stages.arrived.values() for at in times)
    return {"messages": reporters * len(CONVERSATION), "replies": stages.replies(), "seconds": elapsed,
            "offered_in": offered_in, "cpu": cpu, "p50": cuts[49] * 1000, "p99": cuts[98] * 1000,
            "max": max(latencies) * 1000,
            "rate": (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]), "too_many": too_many, "why": why,
            "stages": stages}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--think", type=float, default=4.0, help="mean seconds before each message (0: flat out)")
    parser.add_argument("--least-think", type=float, default=0.0,
                        help="seconds every pause lasts at least (the exponential rest keeps the mean --think)")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--limits", choices=("none", "telegram"), default="none")
    parser.add_argument("--per-second", type=float, default=None, help="the overall rate (default: --limits')")
    parser.add_argument("--working", type=float, default=None, help="WORKING_INDICATOR_SECONDS (default: the bot's)")
    parser.add_argument("--lanes", type=int, default=None, help="OUTBOX_LANES (default: the bot's)")
    parser.add_argument("--stages", action="store_true", help="where the time goes (bench/reply_stages.py)")
    args = parser.parse_args()
    limits = dict(TELEGRAM if args.limits == "telegram" else NO_LIMITS)
    if args.per_second is not None:
        limits["telegram_max_per_second"] = args.per_second
    if args.lanes is not None:
        limits["outbox_lanes"] = args.lanes
    pace = "no think time (flat out)"
    if args.think > 0:
        pace = f"think {args.think:g} s, at least {args.least_think:g} s (≈ {args.reporters / args.think:.1f} msg/s)"
    print(f"load average {os.getloadavg()[0]:.2f}; {args.reporters} reporters, {pace}, {1000 * args.latency:g} ms "
          f"per send, limits {args.limits} ({limits['telegram_max_per_second']:g}/s overall), "
          f"outbox lanes {args.lanes or 'default'}")
    r = asyncio.run(run(args.reporters, args.think, args.least_think, args.latency, limits, args.working))
    print(f"{r['messages']} messages offered in {r['offered_in']:.1f} s ({r['messages'] / r['offered_in']:.1f}/s), "
          f"{r['replies']} replies by {r['seconds']:.1f} s, delivered at {r['rate']:.1f}/s; reply latency "
          f"p50 {r['p50']:.0f} ms, p99 {r['p99']:.0f} ms, max {r['max']:.0f} ms (target p99 ≤ 1000 ms); "
          f"429s {r['too_many']} {dict(r['why'])}; CPU {1000 * r['cpu'] / r['messages']:.1f} ms per message and its "
          f"reply (the fake's side included); load average {os.getloadavg()[0]:.2f}")
    if args.stages:
        print("\n".join(r["stages"].report() + r["stages"].timeline()))


if __name__ == "__main__":
    main()
