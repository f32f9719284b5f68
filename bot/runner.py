"""`mttq-bot run` with real channels: start them, the web server, the outbox loop and the ticker."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.app import App
from bot.channels.base import Channel

log = logging.getLogger(__name__)
OUTBOX_IDLE_SECONDS = 1.0


async def serve(app: App, channels: list[Channel], stop: asyncio.Event | None = None) -> None:
    """Run until SIGINT/SIGTERM (or `stop` is set)."""
    stop = stop or _stop_on_signals()
    for channel in channels:
        app.add_sender(channel.sender)
    background = [asyncio.create_task(task) for task in await start_channels(channels)]
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


async def start_channels(channels: list[Channel]) -> list[Awaitable[None]]:
    """Every channel's `start` at once (each begins with a getMe round trip to its platform); the first error wins."""
    results = await asyncio.gather(*(channel.start() for channel in channels), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return [task for tasks in results for task in tasks]


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
