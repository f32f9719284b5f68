"""Retention: once a day, delete sent outbox messages, processed-update ids, stored files no report holds and
finished render jobs older than their period.

Nghị định 13/2023 asks that personal data be kept no longer than its purpose needs (docs/security.md). The outbox
keeps every message text and the ledger every platform update id; nothing else ever deletes them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from plan.periods import business_date
from storage.db import Database
from storage.repositories import Repositories

log = logging.getLogger(__name__)
# Rows per DELETE. Each batch is its own short transaction, so a first purge of a year's backlog never holds
# SQLite's single writer for long: replies queued behind it get their turn between batches.
BATCH = 5000


@dataclass(frozen=True)
class Purged:
    """What one daily run deleted, for logs and tests."""

    outbox: int
    ledger: int
    files: int = 0  # stored files no report holds: generated documents, photos of abandoned reports
    render_jobs: int = 0
    strangers: int = 0  # unregistered senders not answered since yesterday (their ids are personal data)


class RetentionTicker:
    """Registered in app.tickers; runs at the first tick of each business day, and is a no-op on the others.

    The last-run guard is per process: several processes (or a restart) may each purge once a day, which is
    harmless, as a purge deletes only what is already past its period and a second one finds nothing.
    """

    __name__ = "retention"

    def __init__(self, db: Database, tz: ZoneInfo, *, outbox_days: int, ledger_days: int,
                 batch: int = BATCH) -> None:
        self.db, self.tz, self.batch = db, tz, batch
        self.outbox_keep, self.ledger_keep = timedelta(days=outbox_days), timedelta(days=ledger_days)
        self.last_day: date | None = None

    async def __call__(self, now: datetime) -> Purged | None:
        """Purge if this business day has not been purged yet; None when it already was."""
        today = business_date(now, self.tz)
        if self.last_day == today:
            return None
        outbox_cutoff, ledger_cutoff = now - self.outbox_keep, now - self.ledger_keep
        purged = Purged(
            outbox=await self._in_batches(lambda repos: repos.outbox.purge_finished_before(outbox_cutoff, self.batch)),
            ledger=await self._in_batches(lambda repos: repos.ledger.purge_before(ledger_cutoff, self.batch)),
            # Files and finished render jobs follow the outbox's period: the messages that carried them are gone.
            files=await self._in_batches(lambda repos: repos.files.purge_unattached_before(outbox_cutoff, self.batch)),
            render_jobs=await self._in_batches(
                lambda repos: repos.render_jobs.purge_finished_before(outbox_cutoff, self.batch)))
        async with self.db.transaction() as repos:  # one row per stranger, and only yesterday's are still needed
            purged = replace(purged, strangers=await repos.strangers.purge_before(today - timedelta(days=1)))
        self.last_day = today  # only after success: a failed purge is tried again at the next tick
        # Counts only: the rows are message texts and update ids, which never go to the logs.
        log.info("retention: deleted %d sent/failed outbox rows older than %d days and %d ledger entries older "
                 "than %d days", purged.outbox, self.outbox_keep.days, purged.ledger, self.ledger_keep.days)
        if purged.files or purged.render_jobs:
            log.info("retention: deleted %d stored files no report holds and %d finished render jobs older than "
                     "%d days", purged.files, purged.render_jobs, self.outbox_keep.days)
        return purged

    async def _in_batches(self, purge: Callable[[Repositories], Awaitable[int]]) -> int:
        """Repeat one bounded DELETE, each in its own transaction, until a batch comes back short."""
        total = 0
        while True:
            async with self.db.transaction() as repos:
                deleted = await purge(repos)
            total += deleted
            if deleted < self.batch:
                return total
