"""The getUpdates loop: one per token, never a hot loop, survives every error, dedupes through the ledger."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.channels.base import doubling_wait, not_recorded
from bot.channels.health import ChannelHealth
from bot.channels.zalo.client import ZaloClient, ZaloConfigError, ZaloError, ZaloWebhookActive
from bot.channels.zalo.inflight import InFlight, Sleep, UpdateHandler, update_key

log = logging.getLogger(__name__)
MIN_INTERVAL = 1.0  # seconds between polls when the server answers at once with nothing new (no offset to wait on)
MAX_ERROR_WAIT = 60.0
RECENT = 4096  # update keys remembered to recognise a replay at once
Monotonic = Callable[[], float]


class PollerBusy(RuntimeError):
    """Another poller (in this process or another) already reads this token's updates."""


class PollLock:
    """One consumer per token: an in-process set plus an OS file lock that dies with its process."""

    _held: set[str] = set()  # token fingerprints polled in this process (a guard, not app state)

    def __init__(self, token: str, directory: Path | None = None) -> None:
        self.key = hashlib.sha256(token.encode()).hexdigest()[:16]
        self.path = (directory or Path(tempfile.gettempdir())) / f"mttq-zalo-poll-{self.key}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        if self.key in PollLock._held:
            raise PollerBusy("a Zalo poller for this token is already running in this process")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise PollerBusy(f"another process polls this Zalo token (lock {self.path})") from None
        self._fd = fd
        PollLock._held.add(self.key)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
            PollLock._held.discard(self.key)


class Poller:
    """Calls getUpdates forever and hands each update to `on_update`; errors are logged, then waited out."""

    def __init__(self, client: ZaloClient, on_update: UpdateHandler, *, min_interval: float = MIN_INTERVAL,
                 lock: PollLock | None = None, sleep: Sleep = asyncio.sleep, monotonic: Monotonic = time.monotonic,
                 health: ChannelHealth | None = None, inflight: InFlight | None = None) -> None:
        self.client, self.on_update = client, on_update
        # With `inflight` (the channel's), an update is recorded in the inbox and handled while the next poll goes
        # out; without it (tests of the loop alone), each is handled before the next poll.
        self.inflight = inflight
        self._recent: OrderedDict[str, None] = OrderedDict()  # keys of updates just admitted: a replay paces
        self.min_interval = min_interval
        self.lock = lock
        self.sleep, self.monotonic = sleep, monotonic  # tests run an hour-long outage on a fake clock
        self.polls = 0
        self.health = health
        self.failing_since: float | None = None  # monotonic time of the first failed poll of an outage
        self.stopping = False  # set by a stop: the poll in flight ends, no other is sent
        self._on_the_wire = False  # a getUpdates call is out (its answer, and then its update, not yet taken)

    async def run(self) -> None:
        if self.lock is not None:
            self.lock.acquire()
        try:
            await self._prepare()
            if self.inflight is not None:
                await self.inflight.resume()
            await self._until_stopped(asyncio.create_task(self._poll_forever()))
        finally:
            if self.inflight is not None:
                await self.inflight.drain()
            if self.lock is not None:
                self.lock.release()

    async def _until_stopped(self, polling: asyncio.Task[None]) -> None:
        """Wait on the polling task; a stop (this task cancelled) lets the poll in flight end first.

        getUpdates has no offset and no ack: an update Zalo hands to a poll whose connection we drop is gone.
        So a stop (SIGTERM, a restart) lets the poll in flight end — at most ZALO_POLL_TIMEOUT seconds — and
        records what it brought (the reply waits in the outbox for the next start). One task for the whole run,
        not a shielded task per poll: at loopback speed those were several event-loop turns per update.
        """
        try:
            await asyncio.shield(polling)
        except asyncio.CancelledError:
            self.stopping = True
            try:
                if self._on_the_wire and not polling.done():
                    log.info("zalo: stopping after the poll in flight (≤ %s s), so its update is not lost",
                             self.client.poll_timeout)
                    with contextlib.suppress(Exception):
                        await polling  # ends once that poll's update is recorded (or handled, without `inflight`)
            finally:  # between polls (or, without `inflight`, handling), or stopped twice: nothing more is awaited
                if not polling.done():
                    polling.cancel()
                    await asyncio.gather(polling, return_exceptions=True)
            raise

    async def _poll_forever(self) -> None:
        failures = 0
        while not self.stopping:
            if self.inflight is not None:
                await self.inflight.ready()  # room for another update, and the database records them
            started = self.monotonic()
            failures, fresh = await self._poll_once(failures)
            if fresh or self.stopping:  # getUpdates serves one update a call: when one was new, more may be queued
                continue
            # An empty, failed or replayed answer: never a hot loop, whatever the server does.
            idle = self.min_interval - (self.monotonic() - started)
            wait = max(idle, self._error_wait(failures))
            if wait > 0:
                await self.sleep(wait)

    async def _prepare(self) -> None:
        """getUpdates fails while a webhook is set: remove a leftover one before polling."""
        try:
            if await self.client.get_webhook_info():
                log.info("zalo: removing the webhook so updates can be polled")
                await self.client.delete_webhook()
        except ZaloConfigError:
            raise
        except ZaloError as exc:
            log.warning("zalo: could not check the webhook before polling: %s", exc)

    async def _poll_once(self, failures: int) -> tuple[int, bool]:
        """One getUpdates call: the count of consecutive failures so far, and whether it brought a new update."""
        self.polls += 1
        if self.inflight is not None:
            self.inflight.polling()
        self._on_the_wire = True
        try:
            return await self._answered(failures)
        finally:
            self._on_the_wire = False

    async def _answered(self, failures: int) -> tuple[int, bool]:
        try:
            update = await self.client.get_updates()
        except ZaloConfigError:
            raise  # a revoked token: the runner restarts polling with backoff and tells the admins
        except ZaloWebhookActive as exc:
            self._failed(exc, failures + 1)
            if not self.stopping:
                await self._prepare()
            return failures + 1, False
        except ZaloError as exc:  # 403, 5xx, a proxy's page, the network: waited out, for as long as it lasts
            self._failed(exc, failures + 1)
            return failures + 1, False
        if failures:
            log.warning("zalo: polling works again after %s failed polls (%.0f s)", failures,
                        self.monotonic() - (self.failing_since or self.monotonic()))
        self.failing_since = None
        if self.health is not None:
            self.health.received()
        if self.inflight is not None:
            if update is None:
                self.inflight.idle()
                return 0, False
            self.inflight.polled()
            return 0, await self._admit(update)
        if update is None:
            return 0, False
        if self.stopping:  # a stop does not wait for the database to come back
            return 0, await self._handle(update, hold=False)
        self._on_the_wire = False  # handling (with its holding) is not the poll: a stop may cancel it
        return 0, await self._handle(update)

    async def _admit(self, update: dict[str, Any]) -> bool:
        """Hand the update over (recorded, then handled while we poll on); True unless it was just seen (a replay:
        paced like an empty answer; the ledger is what really dedupes)."""
        key = update_key(update)
        if key in self._recent:
            return False
        self._recent[key] = None
        if len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        await self.inflight.admit(update)
        return True

    def _failed(self, exc: ZaloError, failures: int) -> None:
        """One warning when an outage starts, then one a few minutes: an hour of 403s is not 3,600 lines."""
        if self.health is not None:
            self.health.failed(str(exc))
        if failures == 1:
            self.failing_since = self.monotonic()
        if failures == 1 or failures % 10 == 0:
            log.warning("%s (failed polls in a row: %s; retrying every %.0f s at most)", exc, failures,
                        MAX_ERROR_WAIT)  # "zalo getUpdates failed: <status> …"
        else:
            log.info("%s", exc)

    async def _handle(self, update: dict[str, Any], *, hold: bool = True) -> bool:
        """True when the update was new and is now recorded.

        getUpdates has no ack: an update the database would not take is held here (no further poll meanwhile) and
        offered again with backoff until it is recorded. A crash or a stop while it is held loses it
        (docs/reliability.md): the price of a platform that never hands an update out twice.
        """
        wait = self.min_interval
        while True:
            try:
                return bool(await self.on_update(update))
            except Exception as exc:
                if not not_recorded(exc):
                    log.exception("zalo: handling an update failed; skipping it")
                    return False
                if not hold:
                    log.error("zalo: stopping with an update the database would not record; it is lost")
                    return False
                log.warning("zalo: update not recorded (database unavailable); holding it, retrying in %.1f s",
                            wait)
                await self.sleep(wait)
                wait = min(MAX_ERROR_WAIT, wait * 2)

    def _error_wait(self, failures: int) -> float:
        if failures == 0:
            return 0.0
        return doubling_wait(failures, self.min_interval, MAX_ERROR_WAIT)
