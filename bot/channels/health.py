"""What a running channel knows about itself, for /healthz and `mttq-bot status`: how it receives (poll or
webhook), when that last worked, whether getMe and setWebhook are done, and since when it has been failing.

Adapters write it (the poller after each getUpdates, the webhook route after each authenticated call, the
registration loops); the runner marks a task that stopped; bot/liveness.py reads it. Times are the app's clock
(business time, a FakeClock in tests), so thresholds are tested without waiting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

POLL, WEBHOOK = "poll", "webhook"


@dataclass
class ChannelHealth:
    channel: str
    clock: Callable[[], datetime]
    mode: str = POLL
    me_ok: bool = False  # getMe answered (the token works, the bot's names are known)
    webhook_registered: bool | None = None  # None in poll mode; False until setWebhook (or its check) succeeded
    last_received: datetime | None = None  # last successful poll (an empty one too) or authenticated webhook call
    failing_since: datetime | None = None  # the first failure of the current outage; None while all is well
    last_error: str = ""
    stopped: bool = False  # a long-running task ended with an error; the runner restarts it
    restarts: int = 0

    def received(self) -> None:
        """A poll answered (an update or an idle 408) or Zalo/Telegram called the webhook with the right secret."""
        self.last_received = self.clock()
        self.recovered()

    def failed(self, error: str) -> None:
        """Polling, getMe or setWebhook failed; the outage starts at the first failure."""
        if self.failing_since is None:
            self.failing_since = self.clock()
        self.last_error = error[:300]

    def recovered(self) -> None:
        self.failing_since, self.stopped = None, False

    def registered(self) -> None:
        self.webhook_registered = True
        self.recovered()

    def use_webhook(self) -> None:
        self.mode, self.webhook_registered = WEBHOOK, False

    def task_stopped(self, error: str) -> None:
        self.stopped = True
        self.restarts += 1
        self.failed(error)

    def failing_for(self, now: datetime) -> float:
        """Seconds the current outage has lasted (0 when well). Webhook mode before registration counts too."""
        return 0.0 if self.failing_since is None else (now - self.failing_since).total_seconds()
