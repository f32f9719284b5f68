"""The bot's one web server: every channel's webhook route, signed file links, and /healthz."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.channels.base import REQUEST_READ_TIMEOUT
from bot.links import DEFAULT_LINK_TTL, sign, verify
from storage.db import Database, short_reason

log = logging.getLogger(__name__)
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
HEALTH_TIMEOUT = 5.0  # seconds: a database that does not answer by then is as good as down
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer:
    """Built by the app factory; channels add their routes before it starts."""

    def __init__(self, db: Database, clock: Callable[[], datetime], *, host: str, port: int,
                 public_base_url: str | None, link_secret: bytes | None) -> None:
        self.db, self.clock = db, clock
        self.host, self.port = host, port
        self.public_base_url, self.link_secret = public_base_url, link_secret
        self.app = web.Application(client_max_size=1024 * 1024)
        self.app.router.add_get("/healthz", self._health)
        self.app.router.add_get("/files/{token}/{name}", self._file)
        self._runner: web.AppRunner | None = None
        self.head_timeout = REQUEST_READ_TIMEOUT
        self.liveness: Callable[[], Awaitable[Any]] | None = None  # set by the app factory (bot/liveness.py)

    def add_post(self, path: str, handler: Handler) -> None:
        self.app.router.add_post(path, handler)

    def public_url(self, path: str) -> str | None:
        return f"{self.public_base_url}{path}" if self.public_base_url else None

    def file_url(self, file_id: int, name: str, ttl: timedelta = DEFAULT_LINK_TTL) -> str | None:
        """A signed link to a stored file, or None when no public URL (or secret) is configured."""
        if not self.public_base_url or not self.link_secret:
            return None
        token = sign(file_id, self.clock() + ttl, self.link_secret)
        return f"{self.public_base_url}/files/{token}/{quote(name)}"

    async def start(self) -> None:
        # keepalive_timeout also bounds a connection's first request: aiohttp closes a connection still waiting
        # for a complete request head after it (a half-sent request would otherwise hold it for an hour)
        self._runner = web.AppRunner(self.app, access_log=None, keepalive_timeout=self.head_timeout)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("web server listening on %s:%s", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, _request: web.Request) -> web.Response:
        """200 only while the database takes a write (the heartbeat row): a read-only file, a full disk or a server
        that is down answers reads or nothing, and the bot could record nothing. Then, per running channel, the
        liveness report (bot/liveness.py): 503 when a channel has been failing too long or a reply waits too long."""
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                await self.db.heartbeat(self.clock())
                if self.liveness is not None:
                    report = await self.liveness()
                    return web.json_response(report.as_json(), status=200 if report.ok else 503)
                async with self.db.transaction() as repos:
                    pending = await repos.outbox.pending_count()
        except Exception as exc:
            log.warning("health check: database unavailable: %s", short_reason(exc))
            return web.json_response({"ok": False, "database": "unavailable"}, status=503)
        return web.json_response({"ok": True, "database": "ok", "outbox_pending": pending})

    async def _file(self, request: web.Request) -> web.Response:
        file_id = verify(request.match_info["token"], self.link_secret, self.clock()) if self.link_secret else None
        if file_id is None:
            return web.Response(status=404, text="link expired or invalid")
        async with self.db.transaction() as repos:
            stored = await repos.files.get(file_id)
        if stored is None:
            return web.Response(status=404, text="not found")
        # A photo or chart may show in the browser; anything else is a download, and no type is ever guessed.
        shown = "inline" if stored.mime in INLINE_TYPES else "attachment"
        headers = {"Content-Disposition": f"{shown}; filename*=UTF-8''{quote(stored.name)}",
                   "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
        return web.Response(body=stored.content, content_type=stored.mime, headers=headers)
