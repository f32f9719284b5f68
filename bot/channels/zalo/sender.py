"""Rendering a neutral Reply for Zalo (text, numbered menus, links instead of files) and sending it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.channels.base import AfterSend, ChannelLimits, ChatGoneError, PermanentSendError, SendError, TemporarySendError
from bot.channels.text_menu import as_caption, text_pieces
from bot.channels.zalo.client import (
    ZaloClient,
    ZaloConfigError,
    ZaloError,
    ZaloRateLimited,
    ZaloRecipientGone,
    ZaloTimeout,
    ZaloTransientError,
)
from bot.channels.zalo.platform import CHANNEL, LIMITS
from bot.channels.zalo.quota import ZaloQuota
from core.i18n import Translate, Translator
from core.messages import HELD_FOR_BUDGET, HELD_FOR_QUOTA, PRIORITY_REPLY, Reply

log = logging.getLogger(__name__)
CONFIG_RETRY_SECONDS = 600
FileUrl = Callable[[int, str], "str | None"]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One Zalo API message: a text, or a photo by public URL with an optional caption."""

    text: str = ""
    photo_url: str | None = None


def render(reply: Reply, t: Translate, file_url: FileUrl, limits: ChannelLimits = LIMITS) -> list[Outgoing]:
    """The messages one reply becomes: numbered menu text within the limits, files as signed links."""
    links = []
    photo_url = file_url(reply.photo.file_id, reply.photo.name) if reply.photo else None
    if reply.photo and photo_url is None:
        links.append(t("zalo.file_no_public_url", name=reply.photo.name))
    if reply.document:
        url = file_url(reply.document.file_id, reply.document.name)
        links.append(t("zalo.document_link", name=reply.document.name, url=url) if url
                     else t("zalo.file_no_public_url", name=reply.document.name))
    pieces = text_pieces(reply, t, limits, after=links)
    if photo_url is None:
        return [Outgoing(text=piece) for piece in pieces]
    if as_caption(reply, pieces, limits):  # a photo with its text as caption costs one message, not two
        return [Outgoing(text=pieces[0] if pieces else "", photo_url=photo_url)]
    return [*(Outgoing(text=piece) for piece in pieces), Outgoing(photo_url=photo_url)]


def maybe_accepted(exc: ZaloError) -> bool:
    """No answer, or a 5xx (from Zalo or a proxy before it): Zalo may have taken the message and counted it against
    the month's quota, so the budget counts it too (the outbox's retry is then counted again, as Zalo would)."""
    return isinstance(exc, ZaloTimeout) or exc.status >= 500


class ZaloSender:
    """The outbox's sender for Zalo: checks the monthly budget, renders, sends, counts."""

    channel = CHANNEL

    def __init__(self, client: ZaloClient, translator: Translator, file_url: FileUrl, quota: ZaloQuota) -> None:
        self.client, self.translator, self.file_url, self.quota = client, translator, file_url, quota

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> AfterSend | None:
        """Send; what went out is counted in the outbox's mark-sent transaction (the returned AfterSend), or, when
        the send failed part-way, in a transaction of its own."""
        refusal = await self.quota.refusal(priority)
        if refusal is not None:
            wait, platform_quota = refusal
            raise TemporarySendError(HELD_FOR_QUOTA if platform_quota else HELD_FOR_BUDGET, retry_after=wait)
        messages = render(reply, self.translator.for_language(reply.language), self.file_url)
        sent = 0
        try:
            for message in messages[skip:]:  # what an earlier attempt delivered is not sent again
                await self._send_one(chat_id, message)  # one call: only the outbox retries (client.call)
                sent += 1
        except ZaloError as exc:
            error = await self._send_error(exc)
            error.delivered = sent
            if counted := sent + int(maybe_accepted(exc)):
                await self.quota.record(counted)
            raise error from None
        except BaseException:  # stopped some other way (cancelled at shutdown): count what went out now
            if sent:
                await self.quota.record(sent)
            raise
        return self.quota.counting(sent) if sent else None

    async def working(self, chat_id: str) -> None:
        """"typing…" in the chat (bot/working.py); not while the budget holds replies back (Zalo may count it)."""
        if await self.quota.refusal(PRIORITY_REPLY) is None:
            await self.client.send_chat_action(chat_id)

    async def _send_error(self, exc: ZaloError) -> SendError:
        """What the outbox should do about a failed call (the meaning of each answer: zalo/errors.py RULES)."""
        if isinstance(exc, ZaloRateLimited):
            return await self._on_rate_limited()
        if isinstance(exc, ZaloConfigError):
            log.error("zalo refused the bot token (%s): check ZALO_BOT_TOKEN", exc.status)
            return TemporarySendError(str(exc), retry_after=CONFIG_RETRY_SECONDS)
        if isinstance(exc, ZaloTransientError):  # 403, 5xx, a proxy's HTML, a timeout: the chat is not to blame
            return TemporarySendError(str(exc))
        if isinstance(exc, ZaloRecipientGone):  # Zalo's own JSON says so: the only reason to deactivate a chat
            return ChatGoneError(str(exc))
        return PermanentSendError(str(exc))

    async def _send_one(self, chat_id: str, message: Outgoing) -> None:
        if message.photo_url:
            await self.client.send_photo(chat_id, message.photo_url, message.text)
        else:
            await self.client.send_message(chat_id, message.text)

    async def _on_rate_limited(self) -> SendError:
        """429: a burst limit (the outbox's backoff waits it out), or, repeated, the month's quota is gone."""
        if await self.quota.rate_limited():
            return TemporarySendError(HELD_FOR_QUOTA, retry_after=self.quota.seconds_until_reset())
        return TemporarySendError("zalo rate limited (429)")
