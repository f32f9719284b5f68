"""Big reads off the writer's path: a summary's year of rows, read beside the writer instead of behind it.

`Database.transaction()` on SQLite queues behind the one writer lock and runs its statements on the event loop,
so a read of 100,000 reports there (seconds of row building) held up every other chat. A `Reader` opens its own
connection instead: on a SQLite file a plain sqlite3 connection in a worker thread (WAL lets readers run beside
the writer, and each read is one read transaction, so it sees one consistent moment), on PostgreSQL a pooled
connection of its own, outside any writing transaction. The statements are SQLAlchemy Core on plain columns —
tuples, never ORM objects (building an identity-mapped object per report cost most of the old load).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import String, Text, cast, create_engine, event, func, select, type_coerce
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from storage.models import Baseline, Commune, HdndSession, Petition, Report, Unit
from storage.petitions import OPEN_STATUSES

if TYPE_CHECKING:
    from storage.db import Database
    from storage.report_cache import ReportCache

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SummaryRows:
    """One commune's year as plain tuples: what summaries/load.py turns into a Snapshot."""

    commune: tuple[str, str]  # name, province
    units: list[tuple]  # (id, name, kind, active)
    baselines: list[tuple]  # (unit id, key, value)
    reports: list[tuple]  # (id, unit id, form id, activity date, answers), by activity date then id
    sessions: list[date]
    petitions: list[tuple]  # (id, year, number, unit id, source kind, status, content, received on, closed on)


def read_summary_rows(connection: Connection, commune_id: int, year: int, make: Callable[[tuple], Any] = tuple,
                      cached: tuple[ReportCache, str] | None = None, seen: list | None = None) -> SummaryRows:
    """Units (active or not), the year's baselines, live reports and petitions from December of the year before
    (Quý I starts there with a cut-off day), and older petitions still open. Synchronous: run it through a Reader,
    or on a transaction's connection (summaries/load.py: the one read of a summary's year, whichever way).

    Each report is `make((id, unit id, form id, day, answers))`. `cached` = (a cache, the database's URL): the
    reports come through storage/report_cache.py, re-reading only the changed ones — for reads of committed data
    only, never inside a writing transaction (whose unflushed rows have no clock stamp yet). `seen`, a list (with
    `cached` only): given the YearReports the read saw (its clock: summaries/data_version.py)."""
    commune = connection.execute(select(Commune.name, Commune.province).where(Commune.id == commune_id)).first()
    if commune is None:
        raise LookupError(f"no commune with id {commune_id}")
    start, end = summary_days(year)
    units = select(Unit.id, Unit.name, Unit.kind, Unit.active).where(Unit.commune_id == commune_id)
    baselines = (select(Baseline.unit_id, Baseline.key, Baseline.value).join(Unit, Unit.id == Baseline.unit_id)
                 .where(Unit.commune_id == commune_id, Baseline.year == year))
    sessions = select(HdndSession.day).where(HdndSession.commune_id == commune_id).order_by(HdndSession.day)
    columns = (Petition.id, Petition.year, Petition.number, Petition.unit_id, Petition.source_kind, Petition.status,
               Petition.content, Petition.received_on, Petition.closed_on)
    petitions = (select(*columns).where(Petition.commune_id == commune_id)
                 .where(((Petition.received_on >= start) & (Petition.received_on <= end))
                        | (Petition.status.in_(OPEN_STATUSES) & (Petition.received_on < date(year, 1, 1))))
                 .order_by(Petition.received_on, Petition.id))
    if cached:
        held = cached[0].reports(connection, cached[1], commune_id, start, end, year)
        reports = held.rows
        if seen is not None:
            seen.append(held)
    else:
        reports = _reports(connection, commune_id, start, end, make)
    return SummaryRows(commune=tuple(commune), units=[tuple(r) for r in connection.execute(units.order_by(Unit.id))],
                       baselines=[tuple(r) for r in connection.execute(baselines)], reports=reports,
                       sessions=list(connection.execute(sessions).scalars()),
                       petitions=[tuple(r) for r in connection.execute(petitions)])


def summary_days(year: int) -> tuple[date, date]:
    """The first and last day of the reports a summary of `year` reads: from December of the year before (Quý I
    starts there with a cut-off day)."""
    return date(year - 1, 12, 1), date(year, 12, 31)


def communes_by_reports(connection: Connection, year: int, min_reports: int) -> list[tuple[int, int]]:
    """(commune id, live reports) of the communes holding at least `min_reports` in a summary's days of `year`,
    the most first (summaries/warm.py: 18 ms over 100,000 reports on SQLite)."""
    start, end = summary_days(year)
    counted = func.count().label("reports")
    query = (select(Report.commune_id, counted)
             .where(Report.deleted_at.is_(None), Report.activity_date >= start, Report.activity_date <= end)
             .group_by(Report.commune_id).having(counted >= min_reports).order_by(counted.desc()))
    return [(commune_id, reports) for commune_id, reports in connection.execute(query)]


def _reports(connection: Connection, commune_id: int, start: date, end: date,
             make: Callable[[tuple], Any]) -> list:
    """The live reports of [start, end]. On SQLite the answers come as their stored JSON text, decoded by one
    json.loads of the joined texts, and the days as text, parsed once per distinct day: the column types' own
    per-row processing (a json.loads call and a regex per row) was most of reading 100,000 reports."""
    query = (select(*report_columns())
             .where(Report.commune_id == commune_id, Report.deleted_at.is_(None),
                    Report.activity_date >= start, Report.activity_date <= end)
             .order_by(Report.activity_date, Report.id))
    return decoded_reports(connection.execute(query).all(), make)


def report_columns() -> tuple:
    """(id, unit id, form id, day, answers) of a report as decoded_reports takes them: the day as stored text on
    SQLite (type_coerce: no SQL cast), the answers as JSON text on both backends (a CAST: on PostgreSQL the driver
    would otherwise decode each row's JSON on its own — 100,000 json.loads calls, and 100,000 copies of each key,
    which made compiling the year ~20 % slower than from SQLite's rows)."""
    return (Report.id, Report.unit_id, Report.form_id, type_coerce(Report.activity_date, String),
            cast(Report.answers, Text))


def decoded_reports(rows: list, make: Callable[[tuple], Any] = tuple) -> list:
    """Rows fetched as (id, unit id, form id, day, answers, …) — the day and the answers as stored text on SQLite;
    further columns ignored — each made `make((id, unit id, form id, day, answers))` of a date and a dict."""
    answers = _decoded([row[4] for row in rows])
    days: dict[str | date, date] = {}  # PostgreSQL gives dates already; they map to themselves
    for row in rows:
        if row[3] not in days:
            days[row[3]] = row[3] if isinstance(row[3], date) else date.fromisoformat(row[3])
    return [make((row[0], row[1], row[2], days[row[3]], answers_of or {}))
            for row, answers_of in zip(rows, answers, strict=True)]


def _decoded(values: list) -> list:
    """JSON texts (SQLite) decoded by one json.loads; values a driver decoded already (asyncpg's codec for json
    columns on PostgreSQL) kept as they are."""
    if not any(isinstance(value, str) for value in values):
        return values
    texts = [value if isinstance(value, str) else json.dumps(value) for value in values]
    return json.loads(f"[{','.join(texts)}]")


class Reader:
    """Runs a synchronous read `fn(connection)` outside the writer's lock (see the module's docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        parsed = make_url(db.url)
        self._sqlite_file = (parsed.get_backend_name() == "sqlite" and bool(parsed.database)
                             and parsed.database != ":memory:" and not parsed.query.get("uri"))
        # Another process can open the same database (a render worker reads it itself: summaries/render_pool.py).
        self.shareable = self._sqlite_file or parsed.get_backend_name() != "sqlite"

    async def run(self, fn: Callable[[Connection], T]) -> T:
        if self._sqlite_file:
            return await asyncio.to_thread(read_in_process, self.db.url, fn)
        if self.db.dialect == "sqlite":  # :memory: has no second connection that sees the same data
            async with self.db.transaction() as repos:
                return await (await repos.session.connection()).run_sync(fn)
        async with self.db.engine.connect() as connection:  # PostgreSQL: a connection of its own
            await connection.execution_options(isolation_level=ONE_MOMENT)
            return await connection.run_sync(fn)

    def dispose(self) -> None:
        with _lock:
            engine = _engines.pop(self.db.url, None)
        if engine is not None:
            engine.dispose()


# PostgreSQL: every statement of a read sees the same committed moment, as one SQLite read transaction does.
ONE_MOMENT = "REPEATABLE READ"
_engines: dict[str, Engine] = {}  # per database URL, in this process (the bot's, or a render worker's)
_lock = threading.Lock()


def read_in_process(url: str, fn: Callable[[Connection], T]) -> T:
    """`fn(connection)` in one read transaction, from any thread of any process (a render worker's included):
    SQLite through a plain sqlite3 connection; PostgreSQL through a short-lived asyncpg connection of its own."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with _sqlite_engine(url, parsed.database).connect() as connection, connection.begin():
            return fn(connection)
    return _run_on_new_loop(_read_async(url, fn))  # a worker process's thread has no event loop of its own


def _run_on_new_loop(coroutine: Awaitable[T]) -> T:
    """`asyncio.run`, less its SIGINT handling: in a process's main thread (a render worker's calls run there)
    it ends with `signal.getsignal`, which on Python 3.11 formats the handler it installed — a partial holding the
    main task — and so the task's result in full: a 2,000-village year's repr, 0.49 s of every PostgreSQL read in
    a worker (bench/bench_tonghop.py --pg). A read needs no Ctrl-C handling of its own."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
        finally:
            loop.close()


async def _read_async(url: str, fn: Callable[[Connection], T]) -> T:
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execution_options(isolation_level=ONE_MOMENT)
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


def _sqlite_engine(url: str, path: str) -> Engine:
    with _lock:
        if url not in _engines:
            # NullPool: a connection per read, opened in the reading thread (~0.1 ms); query_only guards against
            # this path ever writing beside the writer.
            engine = create_engine(f"sqlite:///{path}", poolclass=NullPool,
                                   connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(engine, "connect", _read_only_pragmas)
            event.listen(engine, "begin", _begin)
            _engines[url] = engine
        return _engines[url]


def _read_only_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # sqlite3 itself would never BEGIN before a SELECT: `_begin` does
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _begin(connection) -> None:
    """One read transaction for the whole read: without it each SELECT saw its own moment, and a report edited
    between two statements of one summary's read could be counted by one and not the other."""
    connection.exec_driver_sql("BEGIN")
