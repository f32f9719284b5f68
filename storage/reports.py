"""Reports, their attached files, and the audit log of every change."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import insert_for, skip_locked
from storage.jsontext import serialised
from storage.models import AuditLog, Report, ReportClock, StoredFile


class ReportRepo:
    """Every write of a report (add, insert, update_answers, soft_delete) stamps it with its commune's next clock
    number (ReportClock) in the same transaction: the rule storage/report_cache.py relies on."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect

    async def add(self, report: Report) -> Report:
        report.change_seq = await self._tick(report.commune_id)
        self.session.add(report)
        await self.session.flush()
        return report

    async def insert(self, report: Report) -> Report:
        """`add` without the ORM: one INSERT … RETURNING id, and the report given its id but kept out of the session
        (a new report is only read afterwards). Confirming a report is a conversation's costliest step."""
        report.change_seq = await self._tick(report.commune_id)
        values = {column.name: getattr(report, column.name) for column in _REPORT_COLUMNS}
        report.id = (await self.session.execute(_NEW_REPORT, values)).scalar_one()
        return report

    async def get(self, report_id: int) -> Report | None:
        return await self.session.get(Report, report_id)

    async def by_person(self, person_id: int, start: date, end: date) -> list[Report]:
        query = (select(Report).where(Report.person_id == person_id, Report.deleted_at.is_(None),
                                      Report.activity_date >= start, Report.activity_date <= end)
                 .order_by(Report.activity_date, Report.id))
        return list((await self.session.execute(query)).scalars())

    async def in_commune(self, commune_id: int, start: date, end: date) -> list[Report]:
        """Live (not deleted) reports of a commune whose activity date falls in [start, end]."""
        query = (select(Report).where(Report.commune_id == commune_id, Report.deleted_at.is_(None),
                                      Report.activity_date >= start, Report.activity_date <= end)
                 .order_by(Report.activity_date, Report.id))
        return list((await self.session.execute(query)).scalars())

    async def rows_in_commune(self, commune_id: int, start: date, end: date) -> list[tuple]:
        """(id, unit id, form id, activity date, answers) of the live reports in [start, end]: what summaries read.

        Plain rows, not ORM objects: a province-size commune has 100,000 reports a year, and building an identity-
        mapped object for each cost half of the load (bench/bench_dashboard.py)."""
        query = (select(Report.id, Report.unit_id, Report.form_id, Report.activity_date, Report.answers)
                 .where(Report.commune_id == commune_id, Report.deleted_at.is_(None),
                        Report.activity_date >= start, Report.activity_date <= end)
                 .order_by(Report.activity_date, Report.id))
        return [tuple(row) for row in (await self.session.execute(query)).all()]

    async def data_version(self, commune_id: int) -> tuple:
        """Changes whenever a report of the commune is added, edited or deleted: caches of summaries compare it."""
        query = select(func.count(), func.max(Report.id), func.max(Report.edited_at), func.max(Report.deleted_at)
                       ).where(Report.commune_id == commune_id)
        return tuple((await self.session.execute(query)).one())

    async def data_versions(self, commune_ids: list[int]) -> dict[int, tuple]:
        """data_version of many communes in one statement (a province page checks a hundred at once)."""
        query = (select(Report.commune_id, func.count(), func.max(Report.id), func.max(Report.edited_at),
                        func.max(Report.deleted_at)).where(Report.commune_id.in_(commune_ids))
                 .group_by(Report.commune_id))
        found = {row[0]: tuple(row[1:]) for row in (await self.session.execute(query)).all()}
        return {commune_id: found.get(commune_id, (0, None, None, None)) for commune_id in commune_ids}

    async def update_answers(self, report: Report, answers: dict[str, Any], activity_date: date,
                             now: datetime) -> None:
        """The only way a report's answers or day change. Its revision goes up by one in SQL (`revision + 1`, not a
        number computed here): two edits racing on PostgreSQL then still get two revisions, and a cache of decoded
        reports (summaries/report_cache.py) never keeps the first one's answers under the second's revision."""
        report.answers = dict(answers)  # a new object, so the JSON column is seen as changed
        report.activity_date = activity_date
        report.edited_at = now
        report.revision = Report.revision + 1
        report.change_seq = await self._tick(report.commune_id)
        await self.session.flush()

    async def soft_delete(self, report: Report, now: datetime) -> None:
        report.deleted_at = now
        report.change_seq = await self._tick(report.commune_id)
        await self.session.flush()

    async def _tick(self, commune_id: int) -> int:
        """The commune's clock raised by one, in this transaction: one upsert. On PostgreSQL the row stays locked
        until the commit, so the commune's report writers commit in the order of their numbers and a reader that
        sees the clock at N sees every write numbered up to N (on SQLite the one writer gives the same)."""
        return int((await self.session.execute(_clock_tick(self.dialect), {"commune_id": commune_id})).scalar_one())


class FileRepo:
    def __init__(self, session: AsyncSession, dialect: str = "sqlite") -> None:
        self.session, self.dialect = session, dialect

    async def add(self, stored: StoredFile) -> StoredFile:
        self.session.add(stored)
        await self.session.flush()
        return stored

    async def get(self, file_id: int) -> StoredFile | None:
        return await self.session.get(StoredFile, file_id)

    async def listed_for(self, report_ids: list[int]) -> list[tuple[int, int, str, str]]:
        """(file id, report id, name, mime) of the reports' files, without their bytes (pages list them)."""
        if not report_ids:
            return []
        query = (select(StoredFile.id, StoredFile.report_id, StoredFile.name, StoredFile.mime)
                 .where(StoredFile.report_id.in_(report_ids)).order_by(StoredFile.id))
        return [tuple(row) for row in (await self.session.execute(query)).all()]

    async def attach(self, file_ids: list[int], report_id: int) -> None:
        for file_id in file_ids:
            stored = await self.session.get(StoredFile, file_id)
            if stored is not None:
                stored.report_id = report_id
        await self.session.flush()

    async def purge_unattached_before(self, cutoff: datetime, limit: int) -> int:
        """Delete up to `limit` files no report holds, stored before `cutoff` (retention): generated summary
        documents, and photos sent for a report that was never confirmed. A report's photos stay with it."""
        ids = skip_locked(select(StoredFile.id).where(StoredFile.report_id.is_(None), StoredFile.created_at < cutoff)
                          .limit(limit), self.dialect)  # as in LedgerRepo.purge_before
        result = await self.session.execute(delete(StoredFile).where(StoredFile.id.in_(ids.scalar_subquery()))
                                            .execution_options(synchronize_session=False))
        return result.rowcount


class AuditRepo:
    """The audit log. While `deferring` (a batch of inbound messages, as ConversationRepo does) entries wait for
    `write_deferred`, which inserts them in the order they were recorded by one executemany: one statement a
    batch instead of one a confirmed report (a visible share of a confirmation's CPU, docs/benchmarks.md)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._deferred: list[dict[str, Any]] | None = None

    async def record(self, *, at: datetime, person_id: int | None, entity: str, entity_id: int, action: str,
                     before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
        # Written without an ORM object (nothing reads it back in the transaction): a flush per entry was a
        # visible share of a report's confirmation. None is stored as JSON null, as the ORM did.
        entry = {"at": at, "person_id": person_id, "entity": entity, "entity_id": entity_id, "action": action,
                 "before": before, "after": after}
        if self._deferred is not None:  # serialised now, as an immediate write would have stored them
            self._deferred.append({**entry, "before": serialised(before), "after": serialised(after)})
            return
        await self.session.execute(_NEW_AUDIT_ENTRY, entry)

    def defer_writes(self) -> None:
        self._deferred = []

    async def write_deferred(self) -> None:
        """Insert the deferred entries, in order, and stop deferring."""
        await self._insert_deferred()
        self._deferred = None

    async def _insert_deferred(self) -> None:
        if self._deferred:
            entries, self._deferred = self._deferred, []
            await self.session.execute(_NEW_AUDIT_ENTRY, entries)

    async def for_entity(self, entity: str, entity_id: int) -> list[AuditLog]:
        await self._insert_deferred()  # what this transaction recorded is part of the history
        query = (select(AuditLog).where(AuditLog.entity == entity, AuditLog.entity_id == entity_id)
                 .order_by(AuditLog.id))
        return list((await self.session.execute(query)).scalars())


_NEW_AUDIT_ENTRY = AuditLog.__table__.insert()
_REPORT_COLUMNS = [column for column in Report.__table__.c if column.name != "id"]
_NEW_REPORT = Report.__table__.insert().returning(Report.__table__.c.id)
_CLOCK = ReportClock.__table__


@cache
def _clock_tick(dialect: str):
    """INSERT … (seq 1) ON CONFLICT DO UPDATE SET seq = seq + 1 RETURNING seq, built once per dialect."""
    statement = insert_for(dialect)(_CLOCK).values(commune_id=bindparam("commune_id"), seq=1)
    return statement.on_conflict_do_update(index_elements=["commune_id"],
                                           set_={"seq": _CLOCK.c.seq + 1}).returning(_CLOCK.c.seq)
