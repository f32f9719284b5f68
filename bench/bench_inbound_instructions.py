"""CPU instructions of the inbound pipeline (issue 20.5): the SQLite load of bench_inbound.py (200 reporters × 10
messages, think time 0) under valgrind's callgrind, collecting only while the 2,000 messages are handled.

Run: .venv/bin/python bench/bench_inbound_instructions.py [--reporters 200] [--seed 0]

Wall-clock rates on this shared machine move ±30 % with the neighbours' load; instruction counts move ~2 % (the
hash seed changes set orders: compare two versions with the same --seed, and more than one seed). It re-runs
itself under valgrind (`valgrind --tool=callgrind --instr-atstart=no`), switches collection on and off around the
load with callgrind_control, and prints the count; the callgrind file is kept for callgrind_annotate.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))
sys.path.insert(0, str(BENCH))


def measure(reporters: int, seed: int, out: Path) -> None:
    """Start this script again under callgrind and print what it collected."""
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "MTTQ_UNDER_CALLGRIND": "1"}
    command = ["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
               sys.executable, __file__, "--reporters", str(reporters)]
    run = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    collected = re.search(r"Collected : (\d+)", run.stderr)
    print(run.stdout.strip())
    if collected:
        count = int(collected.group(1))
        print(f"instructions: {count / 1e9:.3f} G, {count / (reporters * 10) / 1e6:.2f} M a message "
              f"(seed {seed}, load average {os.getloadavg()[0]:.2f}; callgrind file {out})")


def collecting(state: str) -> None:
    subprocess.run(["callgrind_control", "-i", state, str(os.getpid())], check=True, capture_output=True)


async def load(url: str, reporters: int) -> None:
    import bench_inbound

    app = await bench_inbound.build_app(url, reporters)
    try:
        await app.handle(bench_inbound.inbound(0, "/huy"))  # warm up imports and caches
        gc.collect()
        gc.freeze()  # as `mttq-bot run` does after start-up
        collecting("on")
        result = await bench_inbound.run_load(app.handle, reporters)
        collecting("off")
        print(f"{result['messages']:.0f} messages handled")
    finally:
        await app.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "inbound.callgrind")
    args = parser.parse_args()
    if os.environ.get("MTTQ_UNDER_CALLGRIND"):
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(load(f"sqlite+aiosqlite:///{tmp}/bench.db", args.reporters))
        return
    measure(args.reporters, args.seed, args.out)


if __name__ == "__main__":
    main()
