"""What every channel's sender offers the outbox worker, and the errors it may raise."""

from __future__ import annotations

from typing import Protocol

from handlers.messages import Reply


class SendError(Exception):
    """A send that failed; `retry_after` (seconds) when the platform said when to try again."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TemporarySendError(SendError):
    """Network trouble, 5xx, 429: try again later."""


class PermanentSendError(SendError):
    """The message can never be delivered as it is (bad request): do not retry."""


class ChatGoneError(PermanentSendError):
    """The user blocked the bot or the chat no longer exists: mark the chat inactive."""


class Sender(Protocol):
    channel: str

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0) -> None:
        """Deliver one reply (split, rendered and rate-limited as the platform needs).

        `priority` is the outbox row's (handlers.messages.PRIORITY_*): a channel with a message budget
        may refuse low-priority traffic with a TemporarySendError(retry_after=…) to keep room for replies.
        """
