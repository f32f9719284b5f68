"""Show a person the bot is working ("typing…") while a reply is slow or a summary renders.

Channel-neutral: the app and the render jobs only say "working for this chat" (`WorkingSignal.shown`); a channel
whose sender has `working(chat_id)` (bot/channels/base.ShowsWorking) turns it into its platform's chat action
(Telegram and Zalo: sendChatAction "typing"). It is cosmetic, so it never goes through the outbox (a late
"typing…" is worse than none) and a failure is logged, never raised. A platform shows the action for about
5 seconds or until the bot's next message, so it is repeated every REPEAT_EVERY seconds while the work lasts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Mapping

from bot.channels.base import Sender

log = logging.getLogger(__name__)
WORKING_AFTER = 1.0  # seconds: a reply slower than this shows "typing…" (WORKING_INDICATOR_SECONDS)
REPEAT_EVERY = 4.0  # seconds: within the ~5 s a platform shows one chat action


class WorkingSignal:
    """`async with signal.shown(channel, chat_id):` shows the chat that the bot is working, once the work has
    taken `after` seconds, until the block ends."""

    def __init__(self, senders: Mapping[str, Sender], *, after: float = WORKING_AFTER,
                 every: float = REPEAT_EVERY) -> None:
        self.senders, self.after, self.every = senders, after, every  # senders: the app's, filled as channels start

    @contextlib.asynccontextmanager
    async def shown(self, channel: str, chat_id: str, *, after: float | None = None) -> AsyncIterator[None]:
        show = getattr(self.senders.get(channel), "working", None)
        if show is None:  # the console, or a channel that cannot show it
            yield
            return
        task = asyncio.create_task(self._show(show, chat_id, self.after if after is None else after))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _show(self, show, chat_id: str, after: float) -> None:
        await asyncio.sleep(after)
        while True:
            try:
                await show(chat_id)
            except Exception as exc:  # cosmetic: the reply itself is what matters
                log.info("could not show 'working' in %s (%s)", chat_id, type(exc).__name__)
            await asyncio.sleep(self.every)
