"""Start-to-ready time and idle memory of `mttq-bot run` with the Zalo and Telegram channels pointed at fakes.

Run: .venv/bin/python bench/bench_startup.py [--repeat 3] [--idle 3]

Each repeat starts the bot twice on one new SQLite file: the first start creates and migrates it, the second is
a normal restart (the database already at the head revision). Each start polls GET /healthz every 10 ms and
records the time until it answers 200 ("ready") and the CPU time the process had used by then (on a shared
machine the clock time follows the load; the CPU time much less); then lets the bot idle (both channels
long-polling the fakes) and reads VmRSS (and VmHWM, the peak) from /proc/<pid>/status.
Targets (issue 8): ready ≤ 1.5 s, idle RSS ≤ 120 MB.

The project's modules are byte-compiled before measuring and the bot may write bytecode as usual (the
environment's PYTHONDONTWRITEBYTECODE is dropped for it): a deployed bot imports cached bytecode, and a
checkout being edited by others would otherwise recompile their changed modules on every start.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
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

from support.fake_telegram import FakeTelegram  # noqa: E402
from support.fake_zalo import FakeZalo  # noqa: E402
from support.zalo_harness import free_port  # noqa: E402


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    return values


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used: start-up work, less sensitive to other load than the clock."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime (fields 14, 15)


PACKAGES = ("bot", "handlers", "storage", "plan", "reminders", "summaries")


async def one_run(directory: str, idle: float) -> dict[str, float]:
    """Start `mttq-bot run` on the SQLite file in `directory` (new or already migrated), wait until ready, idle."""
    zalo = await FakeZalo(token=f"{secrets.randbelow(10**9)}:bench-{secrets.token_hex(8)}", idle_wait=1.0).start()
    telegram = await FakeTelegram(f"{secrets.randbelow(10**9)}:AAbench{secrets.token_hex(8)}").start()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{directory}/mttq.db", "WEB_PORT": str(port),
           "ZALO_BOT_TOKEN": zalo.token, "ZALO_API_BASE": zalo.url, "ZALO_POLL_TIMEOUT": "1",
           "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_BASE": telegram.url,
           "TELEGRAM_POLL_TIMEOUT": "1", "LOG_LEVEL": "WARNING"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    start = time.perf_counter()
    process = subprocess.Popen([str(ROOT / ".venv/bin/mttq-bot"), "run"], cwd=directory, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        ready = await wait_ready(port, process, start)
        cpu = cpu_seconds(process.pid)
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
    return {"ready_s": ready, "cpu_s": cpu, "rss_mb": status["VmRSS"] / 1024, "peak_mb": status["VmHWM"] / 1024}


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
    for package in PACKAGES:
        compileall.compile_dir(ROOT / package, quiet=1)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; {args.repeat} runs (median shown)")
    runs: dict[str, list[dict[str, float]]] = {"first start": [], "restart": []}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            runs["first start"].append(asyncio.run(one_run(tmp, args.idle)))  # creates and migrates the file
            runs["restart"].append(asyncio.run(one_run(tmp, args.idle)))  # already at the head revision
    for name, measured in runs.items():
        print(f"{name}:")
        for key, unit, target in (("ready_s", "s", 1.5), ("cpu_s", "s", None), ("rss_mb", "MB", 120),
                                  ("peak_mb", "MB", None)):
            values = [r[key] for r in measured]
            goal = f"(target ≤ {target} {unit})" if target else ""
            print(f"  {key:<8} median {statistics.median(values):7.2f} {unit}  runs: "
                  + " ".join(f"{v:.2f}" for v in values) + f"  {goal}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
