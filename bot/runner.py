"""`mttq-bot run` with real channels: start them, the web server, the outbox loop and the ticker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.channels.base import Channel, Task, doubling_wait
from bot.channels.health import ChannelHealth
from core.sanitize import log_safe

log = logging.getLogger(__name__)
OUTBOX_IDLE_SECONDS = 1.0
RESTART_FIRST_WAIT = 2.0  # a channel task that stops is restarted 2, 4, 8 … s later (tests make it short) …
RESTART_MAX_WAIT = 300.0  # … at most 5 minutes apart


async def serve(app: App, channels: list[Channel], stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set)."""
    stop = stop or _stop_on_signals()
    for channel in channels:
        app.add_sender(channel.sender)
        app.channel_health[channel.name] = channel.health
    started = await start_channels(channels)
    background = [asyncio.create_task(supervise(name, task, app.channel_health.get(name)))
                  for name, task in started]
    await app.web.start()
    background.append(asyncio.create_task(outbox_loop(app, stop)))
    ticker = start_ticker(app)
    log.info("running channels: %s", ", ".join(c.name for c in channels))
    try:
        await stop.wait()
    finally:
        ticker.shutdown(wait=False)
        for task in background:
            task.cancel()
        for task in background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for channel in channels:
            await channel.stop()
        await app.web.stop()


async def start_channels(channels: list[Channel]) -> list[tuple[str, Task]]:
    """Every channel's `start` at once (each begins with a getMe round trip to its platform); the first error wins.
    Returns each channel's tasks with the channel's name."""
    results = await asyncio.gather(*(channel.start() for channel in channels), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [(channel.name, task) for channel, tasks in zip(channels, results, strict=True) for task in tasks]


async def supervise(channel: str, task: Task, health: ChannelHealth | None,
                    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
    """Run one channel task; when it stops with an error (a revoked token, a bug, anything), mark the channel as
    failing and start it again after a backoff, for as long as the bot runs. A task that returns is done."""
    failures = 0
    name = getattr(task, "__qualname__", type(task).__name__)
    while True:
        try:
            await task()
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failures += 1
            wait = doubling_wait(failures, RESTART_FIRST_WAIT, RESTART_MAX_WAIT)
            reason = log_safe(f"{type(exc).__name__}: {exc}", 300)
            log.error("%s: %s stopped (%s); restarting in %.0f s", channel, name, reason, wait)
            if health is not None:
                health.task_stopped(reason)
            await sleep(wait)


async def outbox_loop(app: App, stop: asyncio.Event) -> None:
    """The outbox worker's lane pool; woken by a new message, otherwise it looks again every second."""
    while not stop.is_set():
        try:
            await app.outbox.run(stop, app.outbox_wake, OUTBOX_IDLE_SECONDS)
        except Exception:
            log.exception("outbox delivery failed; retrying shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), OUTBOX_IDLE_SECONDS)


def start_ticker(app: App) -> AsyncIOScheduler:
    """APScheduler (in-memory store) only ticks (every TICK_SECONDS); the ledger in the database decides what is due."""
    scheduler = AsyncIOScheduler(timezone=app.settings.tz)
    scheduler.add_job(app.tick, "interval", seconds=app.settings.tick_seconds, id="tick", max_instances=1,
                      coalesce=True, misfire_grace_time=30)
    scheduler.start()
    return scheduler


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop
