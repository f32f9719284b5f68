"""Crash safety: the real `mttq-bot run` as a child process, SIGKILLed at random points, restarted, checked.

The child talks to a FakeZalo in this process (webhook mode: the fake re-posts an update until it gets 200, as
a platform that retries does), on a temp SQLite file seeded here. Its clock starts at MTTQ_FAKE_NOW and runs
on; every restart starts it LEASE_SKIP later, so rows a killed worker had claimed are due again at once.
Checks: every receipt the fake got is a stored report and vice versa; every outbox row reached its chat
(so no reminder or broadcast recipient is missed); extra copies are counted as duplicates, each charged to the
kill that ended the process which sent the copy before it (exact when a chat gets a text once, as in the
broadcast and reminder runs); a copy repeated within one process's life is a problem, not a crash duplicate.
Used by tests/bot/test_crash_safety.py (a few kills) and bench/bench_crash.py (≥100 runs).
"""

from __future__ import annotations

import asyncio
import bisect
import os
import random
import re
import signal
import socket
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx

from bot.outbox import DROPPED_STALE
from core.messages import PRIORITY_REPLY
from handlers.flows import broadcast_audience as aud
from reminders.planner import due
from reminders.tick import load_snapshot
from storage.db import Database
from storage.models import Identity
from support.app import VN, FakeClock, make_app
from support.broadcast_data import populate
from support.fake_zalo import FakeZalo, text_update
from support.zalo_harness import WEBHOOK_SECRET, free_port

LEASE_SKIP = timedelta(minutes=3)  # > bot.outbox.LEASE: a restarted bot may re-send what the dead one claimed
QUIET_EVENING = datetime(2026, 11, 25, 21, 0, tzinfo=VN)  # no reminders then: only the scenario's own messages
DEADLINE_MORNING = datetime(2026, 3, 31, 7, 30, tzinfo=VN)  # deadline day of three Quý I items
REPORT_SCRIPT = ("bao cao", "1", "1", "hom qua", "Nha van hoa", "120 nguoi", "co", "bo qua", "bo qua", "bo qua", "1")
RECEIPT = re.compile(r"Đã ghi báo cáo số (\d+)")
REPORTER_CHAT = "zr0001"
KINDS = ("report", "broadcast", "reminder")
MAX_LATENESS_HOURS = 48  # the −2 step (Mon 30/03 07:30) is not on the 24 h edge, so "due" is the same here and there


@dataclass
class RunResult:
    kind: str
    kills: int = 0
    expected: int = 0  # messages (outbox rows) that had to arrive
    delivered: int = 0
    missed: int = 0  # rows never delivered (or failed)
    duplicates: int = 0  # extra copies the platform received
    per_crash: Counter[int] = field(default_factory=Counter)  # kill number (1…) → duplicates it caused
    per_chat_crash: Counter[tuple[int, str]] = field(default_factory=Counter)  # (kill, chat) → duplicates there
    strays: int = 0  # messages received that match no outbox row
    receipts: int = 0
    reports: int = 0
    lost_reports: int = 0  # a receipt without a stored report, or a stored report without a receipt
    dropped: int = 0  # replies a crash interrupted, left out because the conversation had moved on (STALE_REPLY)
    resent: int = 0  # replies a crash interrupted and sent again (the conversation had not moved on)
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def worst_crash(self) -> int:
        """The most duplicates one kill caused in this run."""
        return max(self.per_crash.values(), default=0)

    @property
    def worst_chat_crash(self) -> int:
        """The most duplicates one kill caused in one chat (issue 20: never more than one, whatever the lanes)."""
        return max(self.per_chat_crash.values(), default=0)

    @property
    def ok(self) -> bool:
        return not (self.missed or self.strays or self.lost_reports or self.problems)


class BotProcess:
    """`mttq-bot run` in a child process: started, SIGKILLed, restarted; its business clock keeps moving on."""

    def __init__(self, workdir: Path, env: dict[str, str], port: int) -> None:
        self.workdir, self.env, self.port = workdir, env, port
        self.proc: asyncio.subprocess.Process | None = None
        self._origin, self._began = QUIET_EVENING, time.monotonic()

    def now(self) -> datetime:
        return self._origin + timedelta(seconds=time.monotonic() - self._began)

    async def start(self, at: datetime) -> None:
        self._origin, self._began = at, time.monotonic()
        env = {**self.env, "MTTQ_FAKE_NOW": at.isoformat()}
        code = "from bot.cli import main; raise SystemExit(main(['run']))"
        with open(self.workdir / "bot.log", "ab") as log:
            self.proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, cwd=self.workdir, env=env,
                                                             stdin=asyncio.subprocess.DEVNULL,
                                                             stdout=asyncio.subprocess.DEVNULL, stderr=log)
        await self._wait_listening()

    async def _wait_listening(self, timeout: float = 30.0) -> None:
        """Until this child answers /healthz: a bare TCP connect can be answered by someone else, or by itself."""
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                if self.proc.returncode is not None:
                    raise AssertionError(f"the bot exited with {self.proc.returncode}; see {self.workdir}/bot.log")
                try:
                    if (await http.get(f"http://127.0.0.1:{self.port}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.02)
        raise AssertionError("the bot did not start listening")

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def restart(self, gone: Callable[[], object] = lambda: None) -> None:
        """Kill, call `gone` once the dead process's last requests have landed, start again LEASE_SKIP later."""
        await self.kill()
        await asyncio.sleep(0.05)  # a request the dead process had fully written is still answered and recorded
        gone()
        await self.start(self.now() + LEASE_SKIP)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                await self.kill()


def listen_port() -> int:
    """A free port below the ephemeral range, as a deployed bot's is (8080).

    `free_port()` binds port 0 and lets go: the port is one any other server on the machine binding port 0 (every
    fake and test server of every suite running beside this) may be given in the ~2 s before the bot binds it,
    and a bare TCP probe then reaches that other server. Once in 102 runs the bot exited with "address already
    in use" while the probe reported it up. Below the ephemeral range no bind to port 0 lands."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    pick = random.SystemRandom()
    for _ in range(50):
        port = pick.randrange(20000, max(20001, low))
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return free_port()


def child_env(fake: FakeZalo, database_url: str, port: int, lanes: int | None = None) -> dict[str, str]:
    """Only what the child needs: no inherited bot settings, no .env (it runs in its own directory).

    `lanes` sets OUTBOX_LANES; None leaves the bot's default, which is what the checks are about."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")}
    if lanes is not None:
        keep["OUTBOX_LANES"] = str(lanes)
    return {**keep, "DATABASE_URL": database_url, "ZALO_BOT_TOKEN": fake.token, "ZALO_API_BASE": fake.url,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", "WEBHOOK_SECRET": WEBHOOK_SECRET, "WEB_PORT": str(port),
            "WEB_HOST": "127.0.0.1", "ZALO_MONTHLY_QUOTA": "1000000", "TICK_SECONDS": "0.5", "LOG_LEVEL": "WARNING",
            "REMINDER_MAX_LATENESS_HOURS": str(MAX_LATENESS_HOURS)}


# --- seeding (in this process, through the repositories and the flows' own service functions) -----------------

async def seed(database_url: str, kind: str, *, recipients: int) -> tuple[datetime, set[str]]:
    """The database for one scenario; returns the business time to start at and the reminder keys due then."""
    start = DEADLINE_MORNING if kind == "reminder" else QUIET_EVENING
    app = await make_app(database_url, FakeClock(start), reminder_max_lateness_hours=MAX_LATENESS_HOURS)
    try:
        async with app.db.transaction() as repos:
            commune = (await repos.directory.communes())[0]
            people = {p.role: p for p in await repos.directory.people(commune.id)}
            if kind == "report":
                await repos.directory.add(Identity(person_id=people["reporter"].id, channel="zalo",
                                                   external_id=REPORTER_CHAT))
            elif kind == "broadcast":
                await populate(repos, start, reporters=recipients)
                audience = {"kind": "reporters"}
                targets = await aud.resolve(repos, commune.id, audience, "vi")
                await aud.queue_broadcast(repos, app.translator, commune_id=commune.id, person_id=people["chair"].id,
                                          sender=people["chair"].name, text="Họp Ban công tác Mặt trận lúc 8 giờ.",
                                          audience=audience, recipients=targets, now=start)
            else:  # reminders go to people whose identity on the chat's channel is known
                await populate(repos, start, reporters=recipients)
                for person in await repos.directory.people(commune.id):
                    if person.name.startswith("Người "):
                        await repos.directory.add(Identity(person_id=person.id, channel="zalo",
                                                           external_id=f"p{person.name.removeprefix('Người ')}"))
        if kind != "reminder":
            return start, set()
        async with app.db.transaction() as repos:
            loaded = await load_snapshot(repos, app.plan, commune.id)
        occurrences = due(app.plan, loaded.snapshot, app.reminder_config, start, None)
        reachable = {f"p{p.id}" for p in loaded.people.values() if p.name.startswith("Người ")}  # with a Zalo chat
        return start, {o.key for o in occurrences if o.action == "send" and o.recipient in reachable}
    finally:
        await app.close()


# --- the simulated reporter -----------------------------------------------------------------------------------

async def post_until_accepted(fake: FakeZalo, update: dict) -> None:
    """Deliver one update to the webhook, again and again while the bot is down or answers an error."""
    for _ in range(3000):
        try:
            if await fake.deliver(update) == 200:
                return
        except Exception:  # refused or cut off by the kill: the platform tries again
            pass
        await asyncio.sleep(0.02)
    raise AssertionError("the bot never accepted an update")


async def reporter(fake: FakeZalo, reports: int) -> None:
    """Fill the report form `reports` times, one message after another, each after the bot's answer."""
    for _ in range(reports):
        for text in REPORT_SCRIPT:
            seen = len(fake.texts_to(REPORTER_CHAT))
            await post_until_accepted(fake, text_update(REPORTER_CHAT, text, name="Trưởng ban"))
            deadline = time.monotonic() + 60
            while len(fake.texts_to(REPORTER_CHAT)) <= seen:
                if time.monotonic() > deadline:
                    raise AssertionError(f"no answer to {text!r}")
                await asyncio.sleep(0.01)


# --- killing ------------------------------------------------------------------------------------------------------

async def kill_at_random(bot: BotProcess, fake: FakeZalo, kind: str, kills: int, rng: random.Random,
                         recipients: int, boundaries: list[int]) -> int:
    """SIGKILL the bot `kills` times: after a random delay, or (broadcast) after a random number of sends.

    Appends to `boundaries` how many messages the fake had when each killed process was gone."""
    done = 0
    for _ in range(kills):
        if kind == "broadcast":
            target = rng.randint(len(fake.sent), len(fake.sent) + recipients // max(1, kills))
            deadline = time.monotonic() + 30
            while len(fake.sent) < target and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
        else:
            await asyncio.sleep(rng.uniform(0.1, 2.5 if kind == "report" else 1.5))
        await bot.restart(gone=lambda: boundaries.append(len(fake.sent)))
        done += 1
    return done


async def settled(database_url: str, reminder_keys: set[str], timeout: float = 120.0) -> None:
    """Wait (on loopback I/O) until the child claimed every due reminder and has nothing pending or claimed."""
    db = Database(database_url)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with db.transaction() as repos:
                counts = await repos.outbox.counts()
                claimed = {o.key for o in await repos.reminders.occurrences(1)} if reminder_keys else set()
            if not counts.get("pending") and not counts.get("sending") and reminder_keys <= claimed:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"the outbox did not settle: {counts}")
    finally:
        await db.dispose()


# --- checking -------------------------------------------------------------------------------------------------------

def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


async def check(database_url: str, fake: FakeZalo, result: RunResult, reminder_keys: set[str],
                boundaries: list[int]) -> None:
    """Compare what the database says was sent with what the platform received."""
    db = Database(database_url)
    try:
        async with db.transaction() as repos:
            rows = await repos.outbox.of_channel("zalo")
            commune = (await repos.directory.communes())[0]
            reports = await repos.reports.in_commune(commune.id, date(2000, 1, 1), date(2100, 1, 1))
            claimed = {o.key: o.status for o in await repos.reminders.occurrences(commune.id)}
    finally:
        await db.dispose()
    dropped = [row for row in rows if row.status == "failed" and row.error == DROPPED_STALE]
    result.dropped = len(dropped)
    # no failures are injected here, so a reply sent after more than one claim was one a crash interrupted
    result.resent = sum(row.status == "sent" and row.attempts > 1 and row.priority == PRIORITY_REPLY for row in rows)
    compare_deliveries(rows, fake, result, boundaries, optional={row.id for row in dropped})
    unfinished = Counter(row.status for row in rows if row.status != "sent" and row.error != DROPPED_STALE)
    if unfinished:
        result.problems.append(f"outbox rows not sent: {dict(unfinished)}")
    receipts = {int(m.group(1)) for text in fake.texts_to(REPORTER_CHAT) for m in [RECEIPT.search(text)] if m}
    stored = {r.id for r in reports}
    result.receipts, result.reports = len(receipts), len(stored)
    result.lost_reports = len(receipts ^ stored)
    unsent = sorted(key for key in reminder_keys if claimed.get(key) != "sent")
    if unsent:
        result.problems.append(f"{len(unsent)} due reminders never claimed and queued, e.g. {unsent[:3]}")
        result.missed += len(unsent)


def compare_deliveries(rows: list, fake: FakeZalo, result: RunResult, boundaries: list[int],
                       optional: set[int] = frozenset()) -> None:
    """Per chat: each outbox text must have arrived once; more is a duplicate, none a miss. An `optional` row (a
    dropped stale reply) may have arrived once, before the crash that interrupted it, or not at all.

    `boundaries[k]`: messages the fake had when the process ended by kill k+1 was gone; a message's epoch is the
    number of kills before it."""
    expected: dict[str, Counter[str]] = {}
    maybe: dict[str, Counter[str]] = {}
    for row in rows:
        (maybe if row.id in optional else expected).setdefault(row.chat_id, Counter())[
            _norm(row.payload.get("text", ""))] += 1
    received: dict[tuple[str, str], list[int]] = {}  # (chat, text) → epoch of each copy, in arrival order
    for index, message in enumerate(fake.sent):
        texts = expected.get(message.chat_id, Counter()) + maybe.get(message.chat_id, Counter())
        text = _norm(message.text)
        match = max((t for t in texts if t and text.startswith(t[:1000])), key=len, default=None)
        if match is None:
            result.strays += 1
            continue
        received.setdefault((message.chat_id, match), []).append(bisect.bisect_right(boundaries, index))
    for chat in expected.keys() | maybe.keys():
        for text in expected.get(chat, Counter()).keys() | maybe.get(chat, Counter()).keys():
            count, optional_count = expected.get(chat, Counter())[text], maybe.get(chat, Counter())[text]
            epochs = received.get((chat, text), [])
            result.expected += count
            result.delivered += min(len(epochs), count)
            result.missed += max(0, count - len(epochs))
            if len(epochs) > count + optional_count:
                charge_duplicates(epochs, len(epochs) - count - optional_count, result, chat)


def charge_duplicates(epochs: list[int], extra: int, result: RunResult, chat: str = "") -> None:
    """Charge `extra` copies to kills: a copy sent by a later process than the copy before it is a re-send of
    what the earlier process had in flight when kill (that epoch + 1) ended it."""
    result.duplicates += extra
    resent = [epochs[j - 1] + 1 for j in range(1, len(epochs)) if epochs[j] > epochs[j - 1]]
    for kill in resent[:extra]:
        result.per_crash[kill] += 1
        result.per_chat_crash[(kill, chat)] += 1
    if extra > len(resent):
        result.problems.append(f"{extra - len(resent)} copies repeated by one process, not by a crash")


async def run_once(kind: str, workdir: Path, *, kills: int, seed_value: int, recipients: int = 1000,
                   reports: int = 2, lanes: int | None = None) -> RunResult:
    """One scenario: seed, start the bot, kill and restart it `kills` times while it works, let it finish, check."""
    rng, started = random.Random(seed_value), time.monotonic()
    result = RunResult(kind)
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite+aiosqlite:///{workdir}/mttq.db"
    start, reminder_keys = await seed(database_url, kind, recipients=recipients)
    fake = await FakeZalo().start()
    port = listen_port()
    bot = BotProcess(workdir, child_env(fake, database_url, port, lanes), port)
    boundaries: list[int] = []
    try:
        await bot.start(start)
        user = asyncio.create_task(reporter(fake, reports)) if kind == "report" else None
        result.kills = await kill_at_random(bot, fake, kind, kills, rng, recipients, boundaries)
        if user is not None:
            await user
        await settled(database_url, reminder_keys)
        await asyncio.sleep(0.2)  # a send the child made just before its last mark is recorded by the fake
        await check(database_url, fake, result, reminder_keys, boundaries)
    except AssertionError as exc:
        result.problems.append(str(exc))
    finally:
        await bot.stop()
        await fake.stop()
    result.seconds = time.monotonic() - started
    return result
