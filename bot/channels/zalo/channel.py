"""The Zalo channel: builds the client, sender and quota, and receives by polling or by webhook."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from bot.channels.base import ChannelHost, Task, doubling_wait
from bot.channels.health import ChannelHealth
from bot.channels.zalo.client import ZaloClient, ZaloConfigError, ZaloError, ZaloWrongBase
from bot.channels.zalo.inflight import InFlight
from bot.channels.zalo.media import PhotoDownloader
from bot.channels.zalo.parse import ParseProblem, parse_update
from bot.channels.zalo.platform import CHANNEL, LIMITS
from bot.channels.zalo.polling import MIN_INTERVAL, Poller, PollLock
from bot.channels.zalo.quota import ZaloQuota
from bot.channels.zalo.sender import ZaloSender
from bot.channels.zalo.webhook import WebhookEndpoint, webhook_path
from bot.settings import ConfigError, ZaloSection
from core.sanitize import log_safe

log = logging.getLogger(__name__)
GET_ME_ATTEMPTS = 4  # at start-up (0.5 + 1 + 2 s apart); then the bot starts and keeps asking in the background
MAX_RETRY_WAIT = 60.0  # getMe and setWebhook are retried with backoff up to this, until they succeed


class ZaloChannel:
    """Built by the registry when ZALO_BOT_TOKEN is set; `start` is called by the runner."""

    name = CHANNEL
    limits = LIMITS

    def __init__(self, host: ChannelHost[ZaloSection], *, poll_min_interval: float = MIN_INTERVAL,
                 retry_backoff: float = 0.5, lock_dir: Path | None = None) -> None:
        settings = host.settings
        self.host = host
        self.client = ZaloClient(settings.token, settings.api_base, poll_timeout=settings.poll_timeout)
        self.quota = ZaloQuota(host.transaction, host.translator, host.clock, host.tz, self.client.account,
                               settings.monthly_quota, reset=settings.quota_reset)
        self.sender = ZaloSender(self.client, host.translator, host.web.file_url, self.quota)
        self.photos = PhotoDownloader(max_bytes=host.max_photo_bytes)
        self.poll_min_interval, self.retry_backoff = poll_min_interval, retry_backoff
        self.lock = PollLock(settings.token, lock_dir)
        self.bot_names: tuple[str, ...] = ()
        self.poller: Poller | None = None
        self.webhook_ready = asyncio.Event()  # set once Zalo is known to have our webhook URL
        self.health = ChannelHealth(CHANNEL, host.clock)

    async def start(self) -> list[Task]:
        tasks: list[Task] = []
        if not await self._learn_names(GET_ME_ATTEMPTS):
            tasks.append(self._learn_names)  # Zalo is unwell, not refusing us: start, and keep asking
        secret = self.host.settings.webhook_secret
        if secret is not None:
            self.health.use_webhook()
            path = webhook_path(secret)
            endpoint = WebhookEndpoint(secret, self.handle_update, on_call=self.health.received)
            self.host.web.add_post(path, endpoint.handle)
            url = self.host.web.public_url(path)
            return [*tasks, lambda: self._register_webhook(url, secret)]
        inflight = InFlight(self.host.transaction, self.host.clock, self.handle_update,
                            min_wait=self.poll_min_interval)
        self.poller = Poller(self.client, self.handle_update, min_interval=self.poll_min_interval, lock=self.lock,
                             health=self.health, inflight=inflight)
        return [*tasks, self.poller.run]

    async def stop(self) -> None:
        await self.client.close()
        await self.photos.close()

    async def handle_update(self, update: dict[str, Any]) -> bool:
        """One raw update through the pipeline (which dedupes by message_id); False when skipped."""
        try:
            inbound = parse_update(update, now=self.host.clock(), bot_names=self.bot_names)
        except ParseProblem as exc:
            # escaped: both carry the platform's text, and a newline in them would forge a log line
            log.warning("zalo: skipping update (%s): %s", log_safe(update.get("event_name", "?"), 60),
                        log_safe(exc, 200))
            return False
        return await self.host.handle(inbound, self.photos)

    async def _learn_names(self, attempts: int | None = None) -> bool:
        """getMe checks the token and the API address at start-up, and gives the names people @mention in groups.

        A 401 or an address that is not the Bot API stops start-up with one line (nothing is deactivated: no send
        was tried); 403, 5xx and network errors are retried with bounded backoff (`attempts`, or for ever).
        """
        failures = 0
        while True:
            try:
                info = await self.client.get_me()
            except ZaloConfigError as exc:
                if attempts is None:  # revoked while running: keep asking (the runner tells the admins)
                    self.health.failed(str(exc))
                    failures += 1
                    await asyncio.sleep(MAX_RETRY_WAIT)
                    continue
                raise ConfigError("ZALO_BOT_TOKEN", "config.zalo_token_refused", reason=str(exc)) from None
            except ZaloWrongBase as exc:
                raise ConfigError("ZALO_API_BASE", "config.zalo_wrong_base", url=self.client.base_url,
                                  reason=f"getMe: {exc.status} {exc.description}") from None
            except ZaloError as exc:
                failures += 1
                self.health.failed(str(exc))
                if attempts is not None and failures >= attempts:
                    log.warning("zalo getMe failed (%s); starting anyway, asking again in the background", exc)
                    return False
                await asyncio.sleep(doubling_wait(failures, self.retry_backoff, MAX_RETRY_WAIT))
                continue
            self.bot_names = tuple(name for name in {info.display_name, info.account_name} if name)
            self.health.me_ok = True
            if failures and self.health.mode == "poll":
                self.health.recovered()  # in webhook mode the registration says when all is well
            log.info("zalo bot %s ready", self.client.account)
            return True

    async def _register_webhook(self, url: str, secret: str) -> None:
        """setWebhook when Zalo has a different URL; retried with backoff (at most a minute apart) until it works,
        for as long as the bot runs: until then no update arrives, and /healthz says so."""
        failures = 0
        while True:
            try:
                if await self.client.get_webhook_info() != url:
                    await self.client.set_webhook(url, secret)
                    log.info("zalo webhook registered at %s", url)
                self.health.registered()
                self.webhook_ready.set()
                return
            except ZaloError as exc:
                failures += 1
                self.health.failed(f"setWebhook: {exc}")
                wait = doubling_wait(failures, self.retry_backoff, MAX_RETRY_WAIT)
                if failures == 1 or failures % 10 == 0:
                    log.error("zalo webhook not registered (%s); updates cannot arrive until it is. Retrying every "
                              "%.0f s at most (attempt %s)", exc, MAX_RETRY_WAIT, failures)
                await asyncio.sleep(wait)
