"""Compiled scenes kept between page views while the commune's data is unchanged.

A province-size commune (2,000 units × 50 reports) costs seconds to load and compile, which every page needs;
the data changes a few times an hour. Each request asks storage for a cheap data version (counts and latest
change times of reports and petitions) and reuses the scene while it matches, for the same business day.
Changes the version cannot see (a unit renamed, a baseline set) show within MAX_AGE.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.dashboard.views import Scene, scene_of
from plan.periods import Period, business_date
from plan.schema import Plan
from storage.db import Database
from summaries.load import read_snapshot
from summaries.model import Snapshot

MAX_AGE = timedelta(minutes=1)
ENTRIES = 16  # scenes kept: a few communes × a few periods


@dataclass(frozen=True, slots=True)
class _Entry:
    version: tuple
    made_at: datetime
    value: Scene | Snapshot


class SceneCache:
    def __init__(self, max_age: timedelta = MAX_AGE, entries: int = ENTRIES) -> None:
        self.max_age, self.size = max_age, entries
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()  # (commune,) → snapshot; (commune, …) → scene
        self.hits = self.misses = 0

    async def scene(self, db: Database, plan: Plan, commune_id: int, period: Period, now: datetime,
                    tz: ZoneInfo) -> Scene:
        """The scene from the cache, or read and compiled now. Only the data version is read in a transaction: a
        miss reads the year beside the writer (`Database.reader`; on SQLite a transaction queues behind the one
        writer lock, and 100,000 reports read there held every chat up) and compiles it in a thread, off the loop.
        The version is taken before the read, so data changed meanwhile only makes the next view read again."""
        async with db.transaction() as repos:
            version = (await repos.reports.data_version(commune_id), await repos.petitions.data_version(commune_id))
        key = (commune_id, period.key, business_date(now, tz), id(plan))  # a corrected plan: another scene
        cached = self._get(key, version, now)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        snapshot = self._get((commune_id,), version, now)  # another period of the same data: compile only
        if snapshot is None:
            snapshot = await read_snapshot(db.reader, commune_id, plan.year)
            self._put((commune_id,), version, now, snapshot)
        made = await asyncio.to_thread(scene_of, plan, commune_id, snapshot, period, now, tz)
        self._put(key, version, now, made)
        return made

    def _get(self, key: tuple, version: tuple, now: datetime):
        entry = self._entries.get(key)
        if entry is None or entry.version != version or now - entry.made_at >= self.max_age:
            return None
        self._entries.move_to_end(key)
        return entry.value

    def _put(self, key: tuple, version: tuple, now: datetime, value: Scene | Snapshot) -> None:
        self._entries[key] = _Entry(version, now, value)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)
