"""Start-to-ready time and idle memory of `mttq-bot run` with the Zalo and Telegram channels pointed at fakes.

Run: .venv/bin/python bench/bench_startup.py [--repeat 3] [--idle 3]

Each run starts a fresh process on a new SQLite file (so start-up includes creating and migrating it), polls
GET /healthz every 10 ms and records the time until it answers 200 ("ready"); then lets the bot idle (both
channels long-polling the fakes) and reads VmRSS (and VmHWM, the peak) from /proc/<pid>/status.
Targets (issue 8): ready ≤ 1.5 s, idle RSS ≤ 120 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_telegram import FakeTelegram  # noqa: E402
from fake_zalo import FakeZalo  # noqa: E402
from zalo_harness import free_port  # noqa: E402


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


async def one_run(idle: float) -> dict[str, float]:
    zalo = await FakeZalo(token=f"{secrets.randbelow(10**9)}:bench-{secrets.token_hex(8)}", idle_wait=1.0).start()
    telegram = await FakeTelegram(f"{secrets.randbelow(10**9)}:AAbench{secrets.token_hex(8)}").start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/mttq.db", "WEB_PORT": str(port),
               "ZALO_BOT_TOKEN": zalo.token, "ZALO_API_BASE": zalo.url, "ZALO_POLL_TIMEOUT": "1",
               "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_BASE": telegram.url,
               "TELEGRAM_POLL_TIMEOUT": "1", "LOG_LEVEL": "WARNING"}
        start = time.perf_counter()
        process = subprocess.Popen([str(ROOT / ".venv/bin/mttq-bot"), "run"], cwd=tmp, env=env,
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            ready = await wait_ready(port, process, start)
            await asyncio.sleep(idle)  # idle: both channels polling, outbox empty
            status = proc_status(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                _, err = await asyncio.to_thread(process.communicate, timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                _, err = process.communicate()
            await zalo.stop()
            await telegram.stop()
    calls = {"zalo getUpdates": zalo.calls.count("getUpdates"), "telegram calls": len(telegram.calls)}
    if not calls["zalo getUpdates"] or not calls["telegram calls"]:
        print("warning: a channel never called its fake:", calls, err.decode()[-2000:])
    return {"ready_s": ready, "rss_mb": status["VmRSS"] / 1024, "peak_mb": status["VmHWM"] / 1024}


async def wait_ready(port: int, process: subprocess.Popen, start: float) -> float:
    async with httpx.AsyncClient(timeout=1) as http:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"mttq-bot exited with {process.returncode}: {process.stderr.read().decode()}")
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return time.perf_counter() - start
            except httpx.TransportError:
                pass
            if time.perf_counter() - start > 30:
                raise SystemExit("mttq-bot not ready after 30 s")
            await asyncio.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--idle", type=float, default=3.0, help="seconds of idling before reading the RSS")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; {args.repeat} runs (median shown)")
    runs = [asyncio.run(one_run(args.idle)) for _ in range(args.repeat)]
    for key, unit, target in (("ready_s", "s", 1.5), ("rss_mb", "MB", 120), ("peak_mb", "MB", None)):
        values = [r[key] for r in runs]
        goal = f"(target ≤ {target} {unit})" if target else ""
        print(f"{key:<8} median {statistics.median(values):7.2f} {unit}  runs: "
              + " ".join(f"{v:.2f}" for v in values) + f"  {goal}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
