"""Ticking the reminder job by hand at a fake-clock moment, and reading what it sent to one chat."""

from __future__ import annotations

from datetime import datetime

from reminders.tick import ReminderTicker
from support.app import ChatUser


def ticker_of(app) -> ReminderTicker:
    return next(t for t in app.tickers if isinstance(t, ReminderTicker))


async def remind(app, recorder, user: ChatUser, now: datetime) -> list[str]:
    """Move the clock to `now`, tick, deliver, and return the texts `user` got."""
    app.clock.set(now)
    before = len(recorder.texts_for(user.target))
    await ticker_of(app)(now)
    await app.outbox.drain()
    return recorder.texts_for(user.target)[before:]
