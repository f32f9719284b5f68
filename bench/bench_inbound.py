"""Inbound pipeline throughput and latency: 200 reporters at once, each filing a report, SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_inbound.py [--reporters 200] [--repeat 3] [--profile | --statements]

Each simulated reporter sends the ten messages of a one-report conversation (`bao cao`, form, date, place,
people, … `1` to confirm) one after the other through `app.handle` (ledger → handlers → outbox, one transaction,
returns after commit), all reporters at once. Latency is per `app.handle` call. The outbox worker is not
running (the replies stay queued): this measures the inbound path. In the same run, bare python-telegram-bot
dispatches the same number of text updates (Application.process_update, one trivial handler, no network).
PostgreSQL uses a throwaway cluster (tests/support/pgcluster.py) and is skipped, with the reason, when none can start.
With --think S each reporter pauses an exponential S seconds (mean) before each message, as people do: the
latency at a realistic offered load (200 / S msg/s) rather than under saturation, where p50 is just the queue.
Targets (issue 8): ≥ 500 msg/s, p99 < 100 ms. --statements prints, for the first SQLite run, the CPU time (not
wall time: the machine is shared) spent in each kind of statement, from the session's execute to its result.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import itertools
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sqlalchemy.ext.asyncio import AsyncSession
from support.app import VN, FakeClock
from support.reporters import add_reporters

from bot.app import App, create_app
from bot.demo import seed_demo
from bot.settings import Settings
from core.messages import Inbound

SORT = os.environ.get("BENCH_SORT", "cumulative")
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)
CONVERSATION = ("bao cao", "ngay hoi dai doan ket toan dan toc",  # the form by name: ten messages, as before 15.7
                "hom qua", "Nha van hoa", "120 nguoi", "co", "bo qua", "bo qua", "bo qua", "1")
_ids = itertools.count(1)


async def build_app(url: str, reporters: int) -> App:
    """The bot on a fresh database with the demo commune and `reporters` registered console reporters."""
    app = await create_app(Settings(_env_file=None, database_url=url), clock=FakeClock(NOW))
    async with app.db.transaction() as repos:
        commune = await seed_demo(repos, app.plan, NOW)
        await add_reporters(repos, commune.id, reporters, channel="console", external_id=lambda n: f"r{n}",
                            created_at=NOW)
    return app


def inbound(reporter: int, text: str) -> Inbound:
    return Inbound(channel="console", chat_id=f"r{reporter}", sender_id=f"r{reporter}", message_id=f"b{next(_ids)}",
                   received_at=NOW, kind="text", chat_kind="private", sender_name=f"Trưởng thôn {reporter}", text=text)


async def one_reporter(handle, reporter: int, latencies: list[float], think: float) -> None:
    rng = random.Random(reporter)
    for text in CONVERSATION:
        if think:  # a person reads the question and types: exponential pauses with this mean
            await asyncio.sleep(rng.expovariate(1 / think))
        message = inbound(reporter, text)
        start = time.perf_counter()
        await handle(message)
        latencies.append(time.perf_counter() - start)


async def run_load(handle, reporters: int, think: float = 0.0) -> dict[str, float]:
    """All reporters at once; throughput over the whole run, latency percentiles per message."""
    latencies: list[float] = []
    start = time.perf_counter()
    await asyncio.gather(*(one_reporter(handle, n, latencies, think) for n in range(reporters)))
    return summary(latencies, time.perf_counter() - start)


def summary(latencies: list[float], elapsed: float) -> dict[str, float]:
    cuts = statistics.quantiles(latencies, n=100)
    return {"messages": len(latencies), "seconds": elapsed, "msg_per_s": len(latencies) / elapsed,
            "p50_ms": cuts[49] * 1000, "p99_ms": cuts[98] * 1000}


async def bench_bot(url: str, reporters: int, profile: bool, think: float = 0.0,
                    statements: bool = False) -> dict[str, float]:
    app = await build_app(url, reporters)
    try:
        await app.handle(inbound(0, "/huy"))  # warm up imports and caches, as a running bot would be
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        cpu = time.process_time()
        with StatementClock() if statements else contextlib.nullcontext() as clock:
            result = await run_load(app.handle, reporters, think)
        if clock:
            clock.report(time.process_time() - cpu, result["messages"])
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats(SORT).print_stats(os.environ.get("BENCH_FILTER", ""), 60)
        async with app.db.transaction() as repos:
            counts = await repos.outbox.counts()
        result["replies_queued"] = sum(counts.values())
        return result
    finally:
        await app.close()


class StatementClock:
    """CPU time of each kind of statement (its SQL's start), from AsyncSession.execute's call to its return."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = {}
        self._real = AsyncSession.execute
        self._names: dict[int, str] = {}

    def __enter__(self) -> StatementClock:
        clock, real = self, self._real

        async def execute(session, statement, *args, **kwargs):
            start = time.process_time()
            try:
                return await real(session, statement, *args, **kwargs)
            finally:
                spent = time.process_time() - start
                entry = clock.spent.setdefault(clock.name(statement), [0, 0.0])
                entry[0] += 1
                entry[1] += spent

        AsyncSession.execute = execute
        return self

    def __exit__(self, *exc: object) -> None:
        AsyncSession.execute = self._real

    def name(self, statement) -> str:
        if id(statement) not in self._names:
            self._names[id(statement)] = " ".join(str(statement).split())[:70]
        return self._names[id(statement)]

    def report(self, cpu: float, messages: float) -> None:
        total = sum(seconds for _, seconds in self.spent.values())
        print(f"CPU {cpu:.3f} s ({cpu / messages * 1e6:.0f} µs a message), in statements {total:.3f} s "
              f"({total / cpu:.0%})\n      ms  count  µs each  statement")
        for text, (count, seconds) in sorted(self.spent.items(), key=lambda item: -item[1][1]):
            print(f"{seconds * 1000:8.1f} {count:6d} {seconds / count * 1e6:8.0f}  {text}")


async def bench_ptb(reporters: int, think: float = 0.0) -> dict[str, float]:
    """Bare python-telegram-bot: the same number of text updates through process_update to a trivial handler."""
    from telegram import Update, User
    from telegram.ext import Application, ExtBot, MessageHandler, filters

    class OfflineBot(ExtBot):
        """getMe answered locally, so initialize() needs no network."""

        async def get_me(self, *args, **kwargs) -> User:
            self._bot_user = User(123456, "Bench", is_bot=True, username="bench_bot")
            return self._bot_user

    application = Application.builder().bot(OfflineBot("123456:bench-token")).updater(None).build()
    await application.initialize()
    handled = 0

    async def trivial(_update, _context) -> None:
        nonlocal handled
        handled += 1

    application.add_handler(MessageHandler(filters.TEXT, trivial))

    async def handle(message: Inbound) -> None:
        n = next(_ids)
        data = {"update_id": n, "message": {
            "message_id": n, "date": int(NOW.timestamp()), "text": message.text,
            "chat": {"id": 1000 + int(message.chat_id[1:]), "type": "private"},
            "from": {"id": 1000 + int(message.chat_id[1:]), "is_bot": False, "first_name": "Trưởng thôn"}}}
        await application.process_update(Update.de_json(data, application.bot))

    try:
        result = await run_load(handle, reporters, think)
    finally:
        await application.shutdown()
    assert handled == result["messages"], (handled, result)
    return result


def pg_cluster():
    from support.pgcluster import PgCluster, PgUnavailable

    cluster = PgCluster()
    try:
        cluster.start()
    except PgUnavailable as exc:
        print(f"PostgreSQL skipped: {exc}")
        return None
    return cluster


def row(name: str, r: dict[str, float]) -> str:
    return (f"{name:<24} {r['messages']:>6.0f} {r['seconds']:>7.2f} {r['msg_per_s']:>8.0f} "
            f"{r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="cProfile one SQLite run (top 30, cumulative)")
    parser.add_argument("--statements", action="store_true", help="CPU per kind of statement, first SQLite run")
    parser.add_argument("--no-pg", action="store_true")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a reporter pauses before each message (0: flat out, the saturation test)")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}; "
          f"{args.reporters} reporters × {len(CONVERSATION)} messages, think time {args.think:g} s, "
          f"{args.repeat} runs each (median shown)")
    cluster = None if args.no_pg else pg_cluster()
    results: dict[str, list[dict[str, float]]] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(args.repeat):
                results.setdefault("python-telegram-bot bare", []).append(
                    asyncio.run(bench_ptb(args.reporters, args.think)))
                url = f"sqlite+aiosqlite:///{tmp}/bench{run}.db"
                results.setdefault("mttq-bot SQLite", []).append(
                    asyncio.run(bench_bot(url, args.reporters, args.profile and run == 0, args.think,
                                          statements=args.statements and run == 0)))
                if cluster is not None:
                    asyncio.run(_fresh_pg(cluster.url, f"bench{run}"))
                    url = cluster.url.rsplit("/", 1)[0] + f"/bench{run}"
                    results.setdefault("mttq-bot PostgreSQL", []).append(
                        asyncio.run(bench_bot(url, args.reporters, False, args.think)))
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"{'':<24} {'msgs':>6} {'seconds':>7} {'msg/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, runs in results.items():
        median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        print(row(name, median), "  runs msg/s:", " ".join(f"{r['msg_per_s']:.0f}" for r in runs))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


async def _fresh_pg(url: str, name: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()


if __name__ == "__main__":
    main()
