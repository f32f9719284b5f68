"""A /tonghop job's heavy half, done in a render worker process: read the year, compile it, render text and files.

Rendering alone in a worker still left the bot's interpreter reading 100,000 reports, compiling them, and
pickling the compiled summary (23 MB for 2,000 villages: its activity list feeds the XLSX) over to the worker —
each holding the GIL for hundreds of milliseconds, so every chat stalled (bench/bench_tonghop.py). Here the worker
opens the database itself (storage/reading.read_in_process: a read-only connection beside the bot's writer), so
only the request (ids, the plan, the time) goes over and only the chat text and the file bytes come back.

Two calls, so the chat text goes out before the files are rendered: `summary_in_worker` compiles and keeps the
summary in the worker, `files_in_worker` renders it (compiling again if the call reached a worker that does not
keep it: one restarted after a crash). With two workers (summaries/parallel_files.py) both read at once
(`read_in_worker`), and `sheet_in_worker` compiles the second's reading as of the first's (`Mark`) and writes the
XLSX while the first writes the text, the DOCX and the chart.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo

from core.i18n import Translator
from plan.periods import Period
from plan.schema import Plan
from storage.reading import read_in_process
from storage.report_cache import YearReports
from summaries.after_reply import release_after_reply
from summaries.compile import compile_summary
from summaries.data_version import data_version, rest_digest
from summaries.gc_pause import paused_gc
from summaries.load import snapshot_in
from summaries.model import DocumentSettings, Snapshot, Summary
from summaries.render_pool import worker_context
from summaries.render_text import render_text, text_before_files
from summaries.service import FILE_PARTS, Rendered, render_files


class Compiled(NamedTuple):
    """A compiled summary and the snapshot it was compiled from, kept together so that both are freed at once,
    after the worker's reply (freeing the snapshot's rows alone took ~20 ms of a 2,000-village year)."""

    summary: Summary
    snapshot: Snapshot


class Reading(NamedTuple):
    """A snapshot as read, with its reports as the cache held them (their clock) and its digests."""

    snapshot: Snapshot
    held: YearReports
    rest: bytes  # summaries/data_version.rest_digest
    version: bytes  # summaries/data_version.data_version


@dataclass(frozen=True, slots=True)
class Mark:
    """Which state a reading saw, small enough to send to the other worker: its digests, the report clock it saw
    and how many reports it held."""

    version: bytes
    rest: bytes
    clock: int
    count: int


KEPT = 4  # compiled summaries (and readings) a worker keeps between calls (one job at a time; a few is plenty)
_kept: OrderedDict[str, Compiled] = OrderedDict()
_readings: OrderedDict[str, Reading] = OrderedDict()


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    key: str  # the render job's key
    database_url: str
    commune_id: int
    plan: Plan
    period: str  # Period.key
    requested_at: datetime
    tz: ZoneInfo
    language: str  # the reader's: the chat text and the chart


@dataclass(frozen=True, slots=True)
class SummaryMade:
    """What store_files and the chat need of the summary: its name parts and its text."""

    commune_name: str
    period: Period
    text: str


@dataclass(frozen=True, slots=True)
class SummaryReady:
    """A summary sent on its own (the quarter-end summary): its name parts, its text in each language asked for,
    and its files."""

    commune_name: str
    period: Period
    texts: dict[str, str]
    rendered: Rendered


def summary_in_worker(request: SummaryRequest) -> SummaryMade:
    t = worker_context()["translator"].for_language(request.language)
    with paused_gc():
        year = _compile(request)
        text = text_before_files(year.summary, t, request.language)
    _keep(_kept, request.key, year)  # the snapshot with it: freed after the files, not before the text goes back
    return SummaryMade(year.summary.commune_name, year.summary.period, text)


def files_in_worker(request: SummaryRequest, party: bool, parts: frozenset[str] = FILE_PARTS,
                    keep: bool = False) -> Rendered:
    """The files of `parts` of the kept summary. `keep`: it stays kept for a later call (the XLSX, should the
    other worker's reading turn out different), until `forget_in_worker`."""
    context = worker_context()
    with paused_gc():
        year = [_kept.get(request.key) if keep else _kept.pop(request.key, None)]
        if year[0] is None:
            year[0] = _compile(request)
            if keep:
                _keep(_kept, request.key, year[0])
        if not keep:  # the year's only reference: freed after the files have gone back (summaries/after_reply.py)
            release_after_reply(year)
        return render_files(year[0].summary, request.plan, context["translator"], context["document"],
                            party=party, chart_language=request.language, parts=parts)


def read_in_worker(request: SummaryRequest) -> Mark:
    """Read the year and keep the reading for this worker's next call of the same job; which state it saw."""
    with paused_gc():
        reading = _read(request)
        _keep(_readings, request.key, reading)
        return Mark(reading.version, reading.rest, reading.held.clock, len(reading.held.rows))


def sheet_in_worker(request: SummaryRequest, mark: Mark) -> bytes | None:
    """The XLSX of the state `mark` names (another worker's reading, whose summary wrote the text and the DOCX),
    from this worker's reading (`read_in_worker`) less the reports committed after it. None when this worker
    cannot rebuild that state — a report edited or deleted, a unit changed between the two readings — and the
    other worker must write the XLSX itself."""
    context = worker_context()
    with paused_gc():
        # Everything of the year goes in here, freed after the XLSX has gone back (summaries/after_reply.py): this
        # worker's reply is as often as not the last the job waits for.
        year: list = [_readings.pop(request.key, None) or _read(request)]
        release_after_reply(year)
        snapshot = _as_of(year[0], mark)
        if snapshot is None:  # this reading may predate the mark's: a second one has the reports since
            year.append(_read(request))
            snapshot = _as_of(year[-1], mark)
        if snapshot is None:
            return None
        year += [snapshot, compile_summary(request.plan, snapshot, Period.parse_key(request.period),
                                           request.requested_at, request.tz)]
        return render_files(year[-1], request.plan, context["translator"], context["document"],
                            parts=frozenset({"xlsx"})).xlsx


def _as_of(reading: Reading, mark: Mark) -> Snapshot | None:
    """The reading's snapshot as of `mark`, if this reading can rebuild that state (only reports added since)."""
    if reading.version == mark.version:
        return reading.snapshot
    rows = reading.held.as_of(mark.clock, mark.count) if reading.rest == mark.rest else None
    return None if rows is None else replace(reading.snapshot, reports=tuple(rows))


def forget_in_worker(key: str) -> None:
    """The kept summary of `key` is no longer needed; freed after this call's reply."""
    with paused_gc():
        release_after_reply([_kept.pop(key, None)])


def ready_in_worker(request: SummaryRequest, languages: tuple[str, ...]) -> SummaryReady:
    """Read, compile, write the text in each of `languages` and render the files (the chart in request.language),
    in one call: only the request goes over and only text and bytes come back, never the compiled summary."""
    context = worker_context()
    with paused_gc():
        year = [_compile(request)]  # freed after the reply, as in files_in_worker
        release_after_reply(year)
        return summary_ready(year[0].summary, request.plan, context["translator"], context["document"], languages,
                             request.language)


def summary_ready(summary: Summary, plan: Plan, translator: Translator, document: DocumentSettings,
                  languages: tuple[str, ...], chart_language: str) -> SummaryReady:
    rendered = render_files(summary, plan, translator, document, chart_language=chart_language)
    return SummaryReady(summary.commune_name, summary.period, texts_in(summary, translator, languages), rendered)


def texts_in(summary: Summary, translator: Translator, languages: tuple[str, ...]) -> dict[str, str]:
    """The summary's chat text in each of `languages`."""
    return {language: render_text(summary, translator.for_language(language), language) for language in languages}


def _compile(request: SummaryRequest) -> Compiled:
    """The summary of the job's reading kept by `read_in_worker`, or of a reading made now."""
    reading = _readings.pop(request.key, None) or _read(request)
    return Compiled(compile_summary(request.plan, reading.snapshot, Period.parse_key(request.period),
                                    request.requested_at, request.tz), reading.snapshot)


def _read(request: SummaryRequest) -> Reading:
    year, seen = request.plan.year, []
    snapshot = read_in_process(request.database_url,
                               lambda connection: snapshot_in(connection, request.commune_id, year,
                                                              request.database_url, seen))  # this worker's cache
    rest = rest_digest(snapshot)
    return Reading(snapshot, seen[0], rest, data_version(rest, seen[0]))


def _keep(kept: OrderedDict, key: str, value) -> None:
    kept[key] = value
    while len(kept) > KEPT:
        kept.popitem(last=False)
