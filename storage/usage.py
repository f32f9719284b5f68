"""Outbound message counts per channel account and month: the data behind Zalo's monthly budget."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_for, insert_ignoring_duplicates
from storage.models import ChannelUsage


@dataclass(frozen=True, slots=True)
class Usage:
    """One account's month: messages sent so far, and the budget a platform "quota exceeded" paused at."""

    count: int = 0
    paused_budget: int | None = None


class UsageRepo:
    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def get(self, channel: str, account: str, month: str) -> Usage:
        row = (await self.session.execute(self._query(channel, account, month))).scalar_one_or_none()
        return Usage(row.count, row.paused_budget) if row is not None else Usage()

    async def month_total(self, channel: str, month: str) -> int:
        """Messages sent on a channel in a month, all bot accounts together (the dashboard's budget line)."""
        query = select(func.coalesce(func.sum(ChannelUsage.count), 0)).where(
            ChannelUsage.channel == channel, ChannelUsage.month == month)
        return int((await self.session.execute(query)).scalar_one())

    async def add(self, channel: str, account: str, month: str, sent: int) -> int:
        """Count `sent` more messages; returns the month's new total (atomic under concurrent senders)."""
        table = ChannelUsage.__table__
        statement = insert_for(self.dialect)(table).values(channel=channel, account=account, month=month, count=sent)
        statement = statement.on_conflict_do_update(index_elements=["channel", "account", "month"],
                                                    set_={"count": table.c.count + statement.excluded.count})
        # One statement (was three: insert-if-missing, update, read back): it runs for every message sent.
        return int((await self.session.execute(statement.returning(table.c.count))).scalar_one())

    async def pause(self, channel: str, account: str, month: str, budget: int) -> None:
        """Remember that the platform refused for quota while `budget` was configured."""
        await self._ensure(channel, account, month)
        await self.session.execute(
            update(ChannelUsage).where(*self._key(channel, account, month))
            .values(paused_budget=budget).execution_options(synchronize_session=False))

    async def _ensure(self, channel: str, account: str, month: str) -> None:
        await insert_ignoring_duplicates(self.session, self.dialect, ChannelUsage.__table__, {
            "channel": channel, "account": account, "month": month, "count": 0})

    @staticmethod
    def _key(channel: str, account: str, month: str) -> tuple:
        return ChannelUsage.channel == channel, ChannelUsage.account == account, ChannelUsage.month == month

    def _query(self, channel: str, account: str, month: str):
        return select(ChannelUsage).where(*self._key(channel, account, month)).execution_options(
            populate_existing=True)
