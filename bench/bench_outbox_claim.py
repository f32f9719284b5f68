"""One outbox claim (the worker's next 8 rows) with many rows queued: a country-wide broadcast is ~80,000 rows.

Run: .venv/bin/python bench/bench_outbox_claim.py [--queued 1000 20000 80000] [--claims 30]

Fills the outbox with N pending rows (one statement per 5,000), then times `claim_due(limit=8)` — the
statement each outbox lane runs for its next batch, on the event loop for SQLite — `--claims` times and prints
the median. PostgreSQL uses a throwaway cluster (tests/support/pgcluster.py; skipped with the reason when none can
start) and is measured after ANALYZE, which autovacuum runs by itself within a minute of such an insert; the
figure before it is printed too. Migration 0009 (ix_outbox_queue) is what keeps the claim flat as N grows.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from sqlalchemy import text

from core.messages import Reply
from storage.db import Database

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
BATCH = 8  # bot.outbox's claim-ahead for one lane


async def fill(db: Database, queued: int) -> None:
    payload = Reply(text="Thông báo: họp Ban Công tác Mặt trận lúc 8 giờ.").to_payload()
    for start in range(0, queued, 5000):
        rows = [("zalo", f"c{n % 5000}", payload, f"bench:{n}") for n in range(start, min(queued, start + 5000))]
        async with db.transaction() as repos:
            await repos.outbox.enqueue_many(rows, NOW, priority=3)


async def median_claim_ms(db: Database, claims: int) -> float:
    times = []
    for _ in range(claims):
        started = time.perf_counter()
        async with db.transaction() as repos:
            claimed = await repos.outbox.claim_due(NOW, channels=("zalo",), limit=BATCH, lease=timedelta(minutes=2))
        times.append(time.perf_counter() - started)
        assert len(claimed) == BATCH
    return statistics.median(times) * 1000


async def measure(url: str, label: str, queued: int, claims: int) -> None:
    db = Database(url)
    await db.upgrade()
    try:
        async with db.engine.begin() as connection:
            await connection.execute(text("DELETE FROM outbox"))  # PostgreSQL: one database for every size
        await fill(db, queued)
        figure = f"{await median_claim_ms(db, claims):6.1f} ms"
        if db.dialect == "postgresql":
            async with db.engine.begin() as connection:
                await connection.execute(text("ANALYZE outbox"))
            figure = f"{await median_claim_ms(db, claims):6.1f} ms (before ANALYZE: {figure.strip()})"
        print(f"{label:<10} {queued:>7,} queued: claim of {BATCH} {figure}")
    finally:
        await db.dispose()


async def main(sizes: list[int], claims: int) -> None:
    for queued in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            await measure(f"sqlite+aiosqlite:///{tmp}/bench.db", "sqlite", queued, claims)
    from support.pgcluster import PgCluster, PgUnavailable

    try:
        with PgCluster() as pg:
            for queued in sizes:
                await measure(pg.url, "postgresql", queued, claims)
    except PgUnavailable as exc:
        print(f"postgresql skipped: {exc}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--queued", type=int, nargs="+", default=[1000, 20000, 80000])
    parser.add_argument("--claims", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(main(args.queued, args.claims))
