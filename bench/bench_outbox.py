"""Outbox throughput: rows/s the worker sends to an instant in-memory sender, on SQLite and PostgreSQL.

Run: .venv/bin/python bench/bench_outbox.py [rows] [chats] [lanes]   (lanes: OUTBOX_LANES, default the worker's, 1)
PostgreSQL uses a throwaway cluster (tests/support/pgcluster.py) and is skipped, with the reason, when none can start.
Two modes: `drain()` (rounds of deliver_due, as tests and the console use) and `run()` (the runner's
continuous lane pool). A second table shows one slow chat (0.2 s a message) beside 50 instant ones.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bot.outbox import LANES, OutboxWorker
from core.messages import Reply
from storage.db import Database

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


class InstantSender:
    """Accepts everything at once; `slow` chats take `delay` seconds a message."""

    channel = "zalo"

    def __init__(self, slow: frozenset[str] = frozenset(), delay: float = 0.0) -> None:
        self.sent, self.slow, self.delay = 0, slow, delay

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        if chat_id in self.slow:
            await asyncio.sleep(self.delay)
        self.sent += 1


async def fill(db: Database, rows: int, chats: int, prefix: str) -> None:
    payload = Reply(text="Thông báo: họp Ban Công tác Mặt trận lúc 8 giờ.").to_payload()
    for start in range(0, rows, 500):
        async with db.transaction() as repos:
            for n in range(start, min(rows, start + 500)):
                await repos.outbox.enqueue(channel="zalo", chat_id=f"c{n % chats}", payload=payload,
                                           dedupe_key=f"{prefix}:{n}", now=NOW)


async def timed(db: Database, sender: InstantSender, rows: int, mode: str, lanes: int) -> float:
    worker = OutboxWorker(db, {"zalo": sender}, lambda: NOW, lanes=lanes)
    started = time.perf_counter()
    if mode == "drain" or not hasattr(worker, "run"):
        await worker.drain(max_rounds=10_000)
    else:
        stop, wake = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(worker.run(stop, wake, idle=0.05))
        while sender.sent < rows:
            await asyncio.sleep(0.005)
        stop.set()
        wake.set()
        await task
    elapsed = time.perf_counter() - started
    assert sender.sent == rows, (sender.sent, rows)
    return elapsed


async def bench(url: str, label: str, rows: int, chats: int, lanes: int) -> None:
    db = Database(url)
    await db.upgrade()
    try:
        for mode in ("drain", "run"):
            await fill(db, rows, chats, f"{mode}")
            elapsed = await timed(db, InstantSender(), rows, mode, lanes)
            print(f"{label:<10} {mode:<6} {rows:>6} rows / {chats} chats, {lanes} lane(s): {elapsed:6.2f} s "
                  f"{rows / elapsed:8.0f} rows/s")
        slow_rows = 510
        await fill(db, slow_rows, 51, "slow")
        elapsed = await timed(db, InstantSender(frozenset({"c0"}), 0.2), slow_rows, "run", lanes)
        print(f"{label:<10} run    {slow_rows:>6} rows, 1 of 51 chats at 0.2 s/msg: {elapsed:6.2f} s "
              f"(the slow chat alone needs {10 * 0.2:.1f} s)")
    finally:
        await db.dispose()


async def main(rows: int = 5000, chats: int = 200, lanes: int = LANES) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        await bench(f"sqlite+aiosqlite:///{tmp}/bench.db", "sqlite", rows, chats, lanes)
    from support.pgcluster import PgCluster, PgUnavailable

    try:
        with PgCluster() as pg:
            await bench(pg.url, "postgresql", rows, chats, lanes)
    except PgUnavailable as exc:
        print(f"postgresql skipped: {exc}")


if __name__ == "__main__":
    asyncio.run(main(*(int(arg) for arg in sys.argv[1:4])))
