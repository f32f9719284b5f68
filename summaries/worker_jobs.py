"""A /tonghop job's heavy half, done in a render worker process: read the year, compile it, render text and files.

Rendering alone in a worker still left the bot's interpreter reading 100,000 reports, compiling them, and
pickling the compiled summary (23 MB for 2,000 villages: its activity list feeds the XLSX) over to the worker —
each holding the GIL for hundreds of milliseconds, so every chat stalled (bench/bench_tonghop.py). Here the worker
opens the database itself (storage/reading.read_in_process: a read-only connection beside the bot's writer), so
only the request (ids, the plan, the time) goes over and only the chat text and the file bytes come back.

Two calls, so the chat text goes out before the files are rendered: `summary_in_worker` compiles and keeps the
summary in the worker, `files_in_worker` renders it (compiling again if another worker of the pool got the call).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core.i18n import Translator
from plan.periods import Period
from plan.schema import Plan
from storage.reading import read_in_process
from summaries.compile import compile_summary
from summaries.gc_pause import paused_gc
from summaries.load import snapshot_in
from summaries.model import DocumentSettings, Summary
from summaries.render_pool import worker_context
from summaries.render_text import render_text, text_before_files
from summaries.service import Rendered, render_files

KEPT = 4  # compiled summaries a worker keeps between the two calls (one job at a time; a few is plenty)
_kept: OrderedDict[str, Summary] = OrderedDict()


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
    with paused_gc():
        summary = _compile(request)
    _kept[request.key] = summary
    while len(_kept) > KEPT:
        _kept.popitem(last=False)
    t = worker_context()["translator"].for_language(request.language)
    text = text_before_files(summary, t, request.language)
    return SummaryMade(summary.commune_name, summary.period, text)


def files_in_worker(request: SummaryRequest, party: bool) -> Rendered:
    context = worker_context()
    with paused_gc():
        summary = _kept.pop(request.key, None) or _compile(request)
        return render_files(summary, request.plan, context["translator"], context["document"], party=party,
                            chart_language=request.language)


def ready_in_worker(request: SummaryRequest, languages: tuple[str, ...]) -> SummaryReady:
    """Read, compile, write the text in each of `languages` and render the files (the chart in request.language),
    in one call: only the request goes over and only text and bytes come back, never the compiled summary."""
    context = worker_context()
    with paused_gc():
        summary = _compile(request)
        return summary_ready(summary, request.plan, context["translator"], context["document"], languages,
                             request.language)


def summary_ready(summary: Summary, plan: Plan, translator: Translator, document: DocumentSettings,
                  languages: tuple[str, ...], chart_language: str) -> SummaryReady:
    rendered = render_files(summary, plan, translator, document, chart_language=chart_language)
    return SummaryReady(summary.commune_name, summary.period, texts_in(summary, translator, languages), rendered)


def texts_in(summary: Summary, translator: Translator, languages: tuple[str, ...]) -> dict[str, str]:
    """The summary's chat text in each of `languages`."""
    return {language: render_text(summary, translator.for_language(language), language) for language in languages}


def _compile(request: SummaryRequest) -> Summary:
    year = request.plan.year
    snapshot = read_in_process(request.database_url,
                               lambda connection: snapshot_in(connection, request.commune_id, year,
                                                              request.database_url))  # this worker's cache
    return compile_summary(request.plan, snapshot, Period.parse_key(request.period), request.requested_at,
                           request.tz)
