"""The ports between the app and a channel adapter: what a channel is (`Channel`), what it can carry
(`ChannelLimits`), what it may use of the app (`ChannelHost`), what its sender offers the outbox (`Sender`),
and the errors a send may raise. Adapters import this module, never `bot.app`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.channels.health import ChannelHealth
from core.i18n import Translator
from core.messages import Inbound, MenuCommand, NotRecorded, PhotoIn, Reply
from storage.db import is_database_fault
from storage.repositories import Repositories

Clock = Callable[[], datetime]
PhotoFetcher = Callable[[PhotoIn], Awaitable[bytes | None]]
InboundHandler = Callable[[Inbound, PhotoFetcher | None], Awaitable[bool]]
Transactions = Callable[[], AbstractAsyncContextManager[Repositories]]  # a database session factory
WebHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
SectionT = TypeVar("SectionT")
# What Channel.start returns: work to run beside the bot, as a factory (a coroutine function), so the runner can
# restart it, with backoff, whenever it stops with an error.
Task = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """What one platform can carry, written down as data (as courier keeps platform limits) so the renderer
    and the adapter read one object instead of constants scattered through the code."""

    text: int  # characters in one text message: longer replies are split
    caption: int  # characters in a photo's or file's caption (0: no captions)
    photo_bytes: int  # the largest image sent as a photo; a larger one goes as a document
    buttons: bool  # inline buttons under a message (else choices are numbered text only)
    files: bool  # files are uploaded (else they go as signed links to the bot's web server)
    download_bytes: int | None = None  # the largest file the platform lets a bot fetch (None: no platform limit)


class WebRoutes(Protocol):
    """The part of the bot's web server a channel may use: its webhook route and public links."""

    def add_post(self, path: str, handler: WebHandler) -> None: ...

    def public_url(self, path: str) -> str | None: ...

    def file_url(self, file_id: int, name: str, ttl: timedelta = ...) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ChannelHost(Generic[SectionT]):
    """All an adapter receives from the app: no `App`, no pipeline, no other channel's settings."""

    handle: InboundHandler  # run one inbound through the conversation core; returns after it is committed
    transaction: Transactions
    clock: Clock
    translator: Translator
    tz: ZoneInfo
    settings: SectionT  # the channel's own settings section (bot.settings.ZaloSection, TelegramSection)
    web: WebRoutes
    max_photo_bytes: int  # the largest photo the conversation core accepts from a user
    commands: tuple[MenuCommand, ...] = ()  # what a command menu may offer (Telegram's "/" menu)


# The web server closes a connection whose request head has not arrived by then (bot/web.py), and a webhook stops
# reading a body that has not: a half-sent request must not hold a connection for ever.
REQUEST_READ_TIMEOUT = 15.0


def not_recorded(exc: BaseException) -> bool:
    """True when `exc` from `ChannelHost.handle` (or a transaction of the adapter's own) means the update is not in
    the database: the adapter must not acknowledge it to the platform (webhook 500; a poller does not move on)."""
    return isinstance(exc, NotRecorded) or is_database_fault(exc)


class SendError(Exception):
    """A send that failed; `retry_after` (seconds) when the platform said when to try again; `delivered`: how
    many of the reply's parts (a split text's pieces, a file) the platform had accepted before the failure."""

    def __init__(self, message: str, *, retry_after: float | None = None, delivered: int = 0) -> None:
        super().__init__(message)
        self.retry_after, self.delivered = retry_after, delivered


class TemporarySendError(SendError):
    """Network trouble, 5xx, 429: try again later."""


class PermanentSendError(SendError):
    """The message can never be delivered as it is (bad request): do not retry."""


class ChatGoneError(PermanentSendError):
    """The user blocked the bot or the chat no longer exists: mark the chat inactive."""


# What a sender asks to have written in the transaction that records its send as sent (the outbox's group
# commit), e.g. Zalo's monthly message count: no transaction of its own per message (issue 21.3).
AfterSend = Callable[[Repositories], Awaitable[None]]


def doubling_wait(failures: int, first: float, most: float) -> float:
    """Seconds to wait after the `failures`-th failure in a row: `first`, twice that, four times … at most `most`."""
    return min(most, first * 2 ** (failures - 1))


class Sender(Protocol):
    channel: str

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> AfterSend | None:
        """Deliver one reply (split, rendered and rate-limited as the platform needs); may return an `AfterSend`.

        `skip`: parts an earlier attempt delivered (its SendError's `delivered`): a retry sends only the rest,
        so a failure in the middle of a long reply does not repeat its first pieces.

        `priority` is the outbox row's (core.messages.PRIORITY_*): a channel with a message budget
        may refuse low-priority traffic with a TemporarySendError(retry_after=…) to keep room for replies.
        """


class ShowsWorking(Protocol):
    """A sender that can show a chat the bot is working (bot/working.py); optional, as `Sender` need not."""

    async def working(self, chat_id: str) -> None:
        """Show "typing…" (or the platform's like) in the chat for a few seconds; best effort, may raise."""


class Channel(Protocol):
    """A platform adapter: parses updates into Inbound, renders Reply; no business rules."""

    name: str
    limits: ChannelLimits
    sender: Sender
    health: ChannelHealth  # written by the adapter, read by /healthz and `mttq-bot status` (bot/liveness.py)

    async def start(self) -> list[Task]:
        """Register webhook routes (before the web server starts) and return long-running tasks (polling): factories,
        so the runner can restart one that stops."""

    async def stop(self) -> None:
        """Release connections; called once on shutdown."""

