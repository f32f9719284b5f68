"""What every channel's sender offers the outbox worker, and the errors it may raise."""

from __future__ import annotations

from typing import Protocol

from core.messages import Reply


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


class Sender(Protocol):
    channel: str

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        """Deliver one reply (split, rendered and rate-limited as the platform needs).

        `skip`: parts an earlier attempt delivered (its SendError's `delivered`): a retry sends only the rest,
        so a failure in the middle of a long reply does not repeat its first pieces.

        `priority` is the outbox row's (core.messages.PRIORITY_*): a channel with a message budget
        may refuse low-priority traffic with a TemporarySendError(retry_after=…) to keep room for replies.
        """
