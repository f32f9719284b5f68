"""The Zalo poller's own CPU per update, without HTTP: the in-flight poller (bot/channels/zalo/polling.py and
inflight.py, recording in the inbox included) fed by a client that answers every getUpdates at once from a list.

Run: .venv/bin/python bench/bench_zalo_poller_path.py [--updates 2000] [--repeat 5]

bench_zalo_polling.py measures against a bare getUpdates loop, but there the HTTP client and the fake server are
most of every update's CPU and the neighbours' load moves the rates by tens of percent; this isolates the part
the poller adds. Two lines: "nothing" (handling is a no-op: the poll loop, the gate, recording, the per-chat
workers) and "the app" (each update through the real pipeline on SQLite, as in bench_zalo_polling.py). CPU
microseconds per update, median and least of `repeat` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bench_zalo_polling import SlowZalo, build
from support.fake_zalo import text_update

from bot.channels.zalo.inflight import InFlight
from bot.channels.zalo.polling import Poller


class InstantClient:
    """getUpdates answered at once from a list (one event-loop turn, like a socket read that is ready)."""

    poll_timeout = 30

    def __init__(self) -> None:
        self.updates: list[dict] = []

    async def get_webhook_info(self) -> str:
        return ""

    async def get_updates(self, timeout: int | None = None) -> dict | None:
        await asyncio.sleep(0)
        return self.updates.pop() if self.updates else None


async def one_run(channel, app, client: InstantClient, updates: int, run: int, *, handle: bool) -> float:
    """CPU seconds per update until the last is handled."""
    client.updates = [text_update(f"z{n % 50:04d}", "/trogiup" if (n // 50) % 2 == 0 else "bao cao",
                                  message_id=f"p{run}-{n:06d}".ljust(20, "0")) for n in range(updates)][::-1]
    handled, done = 0, asyncio.Event()

    async def on_update(update: dict) -> bool:
        nonlocal handled
        result = await channel.handle_update(update) if handle else True
        handled += 1
        if handled >= updates:
            done.set()
        return result

    inflight = InFlight(app.db.transaction, app.clock, on_update, min_wait=0.01)
    poller = Poller(client, on_update, min_interval=0.01, inflight=inflight)
    cpu = time.process_time()
    task = asyncio.create_task(poller.run())
    await done.wait()
    cpu = time.process_time() - cpu
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    return cpu / updates


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    fake = await SlowZalo().start()  # only for the app's settings: no call reaches it
    cpu: dict[str, list[float]] = {"nothing": [], "the app": []}
    with tempfile.TemporaryDirectory() as folder:
        app, channel = await build(fake, folder, 50)
        client = InstantClient()
        for run in range(args.repeat):
            for n, name in enumerate(cpu):
                cpu[name].append(await one_run(channel, app, client, args.updates, run * 2 + n,
                                               handle=name == "the app"))
        await channel.stop()
        await app.close()
    await fake.stop()
    print(f"{args.updates} updates from 50 chats, in flight, no HTTP; CPU per update over {args.repeat} runs:")
    for name, seconds in cpu.items():
        print(f"  handling {name:8}  median {1e6 * statistics.median(seconds):5.0f} µs  least "
              f"{1e6 * min(seconds):5.0f} µs")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    asyncio.run(main())
