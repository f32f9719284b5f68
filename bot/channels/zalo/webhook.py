"""The Zalo webhook route on the bot's web server: secret first, then the body, 200 only once recorded (else 500)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.channels.base import REQUEST_READ_TIMEOUT, not_recorded
from bot.channels.zalo.parse import ParseProblem, unwrap

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Bot-Api-Secret-Token"
UpdateHandler = Callable[[dict[str, Any]], Awaitable[bool]]


def webhook_path(secret: str) -> str:
    """The route; it carries a fingerprint of the secret so a new secret means a new URL (and a setWebhook)."""
    return "/zalo/webhook/" + hashlib.sha256(b"mttq-zalo-webhook:" + secret.encode()).hexdigest()[:12]


class WebhookEndpoint:
    """aiohttp handler: constant-time secret check before reading anything, then one update."""

    def __init__(self, secret: str, on_update: UpdateHandler, on_call: Callable[[], None] | None = None) -> None:
        self._secret = secret.encode()
        self.on_update = on_update
        self.on_call = on_call  # liveness: Zalo reached us with the right secret

    async def handle(self, request: web.Request) -> web.Response:
        # aiohttp keeps undecodable header bytes as surrogates: compare the bytes as sent (a mismatch, never a 500)
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            log.warning("zalo webhook: wrong or missing secret header from %s", request.remote)
            return web.json_response({"ok": False}, status=403)
        if self.on_call is not None:
            self.on_call()
        try:
            async with asyncio.timeout(REQUEST_READ_TIMEOUT):
                raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            log.warning("zalo webhook: body too large, skipped")
            return web.json_response({"ok": False}, status=413)
        except TimeoutError:
            log.warning("zalo webhook: body not sent within %.0f s, dropped", REQUEST_READ_TIMEOUT)
            return web.json_response({"ok": False}, status=408)
        if not raw.strip():
            return web.json_response({"ok": True})  # a probe
        try:
            update = unwrap(json.loads(raw))
        except (ValueError, RecursionError) as exc:  # malformed or absurdly nested JSON (ParseProblem: valid JSON)
            if isinstance(exc, ParseProblem):
                log.warning("zalo webhook: skipping body: %s", exc)
                return web.json_response({"ok": True})
            log.warning("zalo webhook: malformed JSON (%s bytes)", len(raw))
            return web.json_response({"ok": False}, status=400)
        if update is not None:
            try:
                await self.on_update(update)
            except Exception as exc:  # neither the update nor its failure is in the database: Zalo must redeliver it
                if not not_recorded(exc):
                    raise
                log.warning("zalo webhook: update not recorded (database unavailable); answering 500")
                return web.json_response({"ok": False}, status=500)
        return web.json_response({"ok": True})
