"""Telegram by long polling: getUpdates with an offset that advances only after an update is handled."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot

from bot.channels.base import not_recorded
from bot.channels.health import ChannelHealth
from bot.channels.telegram.api import redact
from bot.channels.telegram.webhook import ALLOWED_UPDATES

log = logging.getLogger(__name__)
MAX_TRIES = 5  # an update whose handling fails this often is skipped (logged), so one cannot block the rest


class Poller:
    """Fetches updates and hands each to `process`; survives network errors and failing updates."""

    def __init__(self, bot: Bot, process: Callable[[Any], Awaitable[None]], *, timeout: int, retry_seconds: float,
                 token: str = "", health: ChannelHealth | None = None) -> None:
        self.bot, self.process, self.timeout, self.retry_seconds = bot, process, timeout, retry_seconds
        self.offset: int | None = None
        self._token = token
        self._failures: dict[int, int] = {}
        self.health = health  # liveness: each answered poll, each failed one

    async def run(self) -> None:
        while True:
            await self.poll_once()

    async def poll_once(self) -> int:
        """One getUpdates round; returns how many updates were handled."""
        try:
            updates = await self._fetch()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            error = redact(str(exc), self._token)[:200]
            log.warning("Telegram getUpdates failed (%s: %s); retrying in %.0f s", type(exc).__name__, error,
                        self.retry_seconds)
            if self.health is not None:
                self.health.failed(f"getUpdates: {type(exc).__name__}: {error}")
            await asyncio.sleep(self.retry_seconds)
            return 0
        if self.health is not None:
            self.health.received()
        handled = 0
        for data in updates:
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if not isinstance(update_id, int):
                log.warning("Telegram update without update_id skipped")
                continue
            if not await self._handle(data, update_id):
                await asyncio.sleep(self.retry_seconds)
                return handled  # fetch again from this update
            handled += 1
        return handled

    async def _handle(self, data: dict, update_id: int) -> bool:
        try:
            await self.process(data)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if not_recorded(exc):  # the database is down: never skip it, fetch it again (the offset stays)
                log.warning("Telegram update %s not recorded (database unavailable); fetching it again", update_id)
                return False
            tries = self._failures[update_id] = self._failures.get(update_id, 0) + 1
            log.exception("Telegram update %s failed (try %d of %d)", update_id, tries, MAX_TRIES)
            if tries < MAX_TRIES:
                return False
            log.error("Telegram update %s skipped after %d failures", update_id, tries)
        self._failures.pop(update_id, None)
        self.offset = update_id + 1
        return True

    async def _fetch(self) -> list[Any]:
        kwargs = {"timeout": self.timeout, "allowed_updates": ALLOWED_UPDATES}
        if self.offset is not None:
            kwargs["offset"] = self.offset
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PTB suggests get_updates(), which would parse (and choke on) them
            result = await self.bot.do_api_request("getUpdates", api_kwargs=kwargs, read_timeout=self.timeout + 10)
        return result if isinstance(result, list) else []
