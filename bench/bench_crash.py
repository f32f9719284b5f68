"""Crash safety, benchmark size: ≥100 runs of the real bot process SIGKILLed at random points
(tests/support/crash_harness.py).

Run: .venv/bin/python bench/bench_crash.py [runs] [seed] [lanes]
Mixes (a) a report conversation (2 reports), (b) a broadcast to 1,000 recipients, (c) a reminder run (~100
reporters on a deadline morning), 1–3 kills each; prints runs, kills, lost, missed, duplicates per crash and the
most duplicates one crash caused, and how many replies a crash interrupted were dropped as out of context or
re-sent (issue 19.4). `lanes` sets OUTBOX_LANES in the bot (default: the bot's own default, 1).
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support.crash_harness import KINDS, RunResult, run_once

SIZE = {"report": 2, "broadcast": 1000, "reminder": 100}


async def main(runs: int = 102, seed: int = 2026, lanes: int | None = None) -> int:
    rng = random.Random(seed)
    results: list[RunResult] = []
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(runs):
            kind, kills = KINDS[n % len(KINDS)], rng.randint(1, 3)
            size = SIZE[kind]
            result = await run_once(kind, Path(tmp) / f"run{n}", kills=kills, seed_value=rng.randrange(10**6),
                                    recipients=size, reports=size, lanes=lanes)
            results.append(result)
            print(f"run {n:3d} {kind:<9} kills={result.kills} expected={result.expected:4d} missed={result.missed} "
                  f"dup={result.duplicates:2d} worst_crash={result.worst_crash} lost_reports={result.lost_reports} "
                  f"stale_dropped={result.dropped} resent={result.resent} "
                  f"{result.seconds:5.1f}s"
                  f"{'' if result.ok else '  PROBLEM: ' + '; '.join(result.problems)}", flush=True)
    summarise(results, time.monotonic() - started)
    return 0 if all(r.ok for r in results) else 1


def summarise(results: list[RunResult], seconds: float) -> None:
    by_kind: dict[str, list[RunResult]] = defaultdict(list)
    for result in results:
        by_kind[result.kind].append(result)
    print(f"\n{'scenario':<10} {'runs':>4} {'kills':>5} {'messages':>8} {'lost':>4} {'missed':>6} {'dups':>4} "
          f"{'dups/crash':>10} {'max dups in one crash':>21} {'crashes with 0/1/>1 dups':>24}")
    for kind, group in [*by_kind.items(), ("all", results)]:
        kills = sum(r.kills for r in group)
        worst = max(r.worst_crash for r in group)
        spread = [sum(r.per_crash[k] == 0 for r in group for k in range(1, r.kills + 1)),
                  sum(r.per_crash[k] == 1 for r in group for k in range(1, r.kills + 1)),
                  sum(r.per_crash[k] > 1 for r in group for k in range(1, r.kills + 1))]
        print(f"{kind:<10} {len(group):>4} {kills:>5} {sum(r.expected for r in group):>8} "
              f"{sum(r.lost_reports for r in group):>4} {sum(r.missed for r in group):>6} "
              f"{sum(r.duplicates for r in group):>4} {sum(r.duplicates for r in group) / max(1, kills):>10.2f} "
              f"{worst:>21} {'/'.join(map(str, spread)):>24}")
    print(f"runs with a problem: {sum(not r.ok for r in results)}; reports confirmed: "
          f"{sum(r.receipts for r in results)}; total time {seconds:.0f} s")
    print(f"replies a crash interrupted: {sum(r.dropped for r in results)} dropped (older than STALE_REPLY_SECONDS "
          f"and the conversation had moved on), {sum(r.resent for r in results)} re-sent")


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*(int(arg) for arg in sys.argv[1:4]))))
