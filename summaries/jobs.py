"""/tonghop: the summary read once, beside the writer, then its text and its files: render jobs.

The handler only records a job (`record`) in the message's transaction; it reads nothing. A year of a large
commune (100,000 reports) read in the handler held the inbound transaction — on SQLite the one writer lock, so
every other chat waited seconds — and the event loop (issue 21). After the commit the pipeline tells the app,
which wakes `RenderJobs`. It claims the job with a lease (as the outbox does), together with any other due job
for the same commune, period, variant and language (staff asking again, or several chats at once: one read and
one render serve them all), reads the year through `Database.reader` (a read connection in a worker thread on
SQLite, outside the writer's lock), compiles it as of the request's time, queues the chat text at once, renders
the DOCX, XLSX and chart from the same summary, and in one short transaction stores the files, queues their
replies under dedupe keys derived from the job (a job run twice sends nothing twice) and marks the job done.
Its ticker runs whatever a crash left behind.

The job row stays a few short columns (the inbound transaction only inserts it); there is no serialised Summary
to keep readable across releases. The text and the files come from one snapshot, so they always agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from core.i18n import Translator
from core.messages import Reply
from plan.book import PlanBook
from plan.periods import Period
from plan.schema import Plan
from storage.db import Database
from storage.models import RenderJob
from storage.repositories import Repositories
from summaries import province_jobs
from summaries.compile import compile_summary
from summaries.load import read_snapshot
from summaries.model import DocumentSettings, Snapshot, Summary
from summaries.parallel_files import ParallelFiles
from summaries.render_pool import RenderPool
from summaries.render_text import text_before_files
from summaries.service import DOCUMENT_LANGUAGE, Rendered, file_replies, render_files, store_files
from summaries.text_util import period_label
from summaries.warm import RenderWarmer
from summaries.worker_jobs import (
    SummaryMade,
    SummaryReady,
    SummaryRequest,
    files_in_worker,
    ready_in_worker,
    summary_in_worker,
    texts_in,
)

log = logging.getLogger(__name__)
WAKE = "render_jobs"  # the name a handler puts in Context.after_commit to have its job run at once
LEASE = timedelta(minutes=5)  # far beyond one commune's render; a claim older than this belonged to a dead process
MAX_ATTEMPTS = 3  # then the reader is told, kindly, instead of waiting for ever
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5))  # after the 1st and 2nd failure; the ticker picks it up
FILE_SUFFIXES = ("docx", "xlsx", "png")  # in file_replies' order


def job_key(channel: str, message_id: str) -> str:
    """One job per inbound message; its replies' dedupe keys are this plus :docx, :xlsx, :png or :failed."""
    return f"files:{channel}:{message_id}"


async def record(repos: Repositories, *, channel: str, chat_id: str, message_id: str, commune_id: int,
                 period: Period, party: bool, language: str, now: datetime, province: str = "") -> None:
    """Record the files to make, in the caller's (the message's) transaction; `province`: a province's summary."""
    await repos.render_jobs.add(key=job_key(channel, message_id), commune_id=commune_id, period=period.key,
                                party=party, channel=channel, chat_id=chat_id, language=language, now=now,
                                province=province)


Clock = Callable[[], datetime]
# "Working for this chat" (channel, chat id) while a job reads and renders; the app shows it as "typing…".
Busy = Callable[[str, str], AbstractAsyncContextManager[object]]


def _not_shown(_channel: str, _chat_id: str) -> AbstractAsyncContextManager[object]:
    return contextlib.nullcontext()


class RenderJobs:
    """Runs due render jobs, one at a time per process: woken after a commit, by the ticker, or by `drain`."""

    __name__ = "render_jobs"

    def __init__(self, db: Database, plans: Plan | PlanBook, translator: Translator, document: DocumentSettings,
                 tz: ZoneInfo, clock: Clock, on_queued: Callable[[], None] = lambda: None,
                 pool: RenderPool | None = None) -> None:
        self.plans = PlanBook.of(plans)
        self.db, self.translator, self.document, self.tz = db, translator, document, tz
        # Where files are rendered: worker processes (summaries/render_pool.py); without a pool, a thread.
        self.pool = pool
        # The workers' caches of large communes' reports filled ahead of a /tonghop (a ticker: summaries/warm.py).
        self.warmer = RenderWarmer(db, pool, tz) if pool is not None else None
        self.files_in_worker = files_in_worker  # what a worker runs for the files (tests put misbehaving ones)
        self.parallel = ParallelFiles()  # with two workers or more (tests put misbehaving ones there too)
        self.clock, self.on_queued = clock, on_queued  # on_queued: replies were queued (the app wakes the outbox)
        self.busy: Busy = _not_shown  # the app sets it: the chats waiting for a job are shown it is working
        self._running = asyncio.Lock()  # one runner: claim → render → store, job after job
        self.rendering = asyncio.Lock()  # one render at a time, also for the quarter-end ticker (2 cores)
        self._task: asyncio.Task | None = None
        self._woken = False

    def wake(self) -> None:
        """Run due jobs soon, in the background; returns at once (called right after a commit queued a job)."""
        self._woken = True
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._background())

    async def _background(self) -> None:
        while self._woken:  # a wake during a run is served by one more run, never lost
            self._woken = False
            try:
                await self.run_due()
            except Exception:
                log.exception("running render jobs failed; the next tick tries again")

    async def __call__(self, now: datetime) -> int:
        """The ticker: whatever is due, e.g. a job a crash left between its commit and its render."""
        return await self.run_due()

    async def drain(self) -> int:
        """Every job due now, done when this returns (tests, the console chat); waits for a background run."""
        return await self.run_due()

    async def close(self) -> None:
        """Stop a background run (shutdown); the job it was rendering is handed back for the next start at once."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self.warmer is not None:
            await self.warmer.close()
        await self.parallel.settle()  # before the pool goes: its reply would find its file gone
        if self.pool is not None:
            self.pool.close()

    async def run_due(self) -> int:
        """Claim and run due jobs until none is left; how many finished (files sent or the reader told)."""
        finished = 0
        async with self._running:
            # The clock is read per job, so a long queue still takes fresh leases; a job retried later is not
            # due again within this run.
            while (job := await self._claim(self.clock())) is not None:
                finished += await self._run_or_hand_back(job)
        return finished

    async def _run_or_hand_back(self, job: RenderJob) -> int:
        """Run the job; stopped meanwhile (shutdown), give it back so the next start need not wait out the lease."""
        try:
            async with self.busy(job.channel, job.chat_id):
                return await self._run(job)
        except asyncio.CancelledError:
            async with self.db.transaction() as repos:  # a no-op when the job was finished just before the stop
                await repos.render_jobs.release(job)
            raise

    @property
    def plan(self) -> Plan:
        return self.plans.default

    async def render(self, summary: Summary, *, party: bool = False, chart_language: str = DOCUMENT_LANGUAGE,
                     plan: Plan | None = None) -> Rendered:
        """The three files, one render at a time: in a worker process (the pool), or a worker thread without one.
        `plan` is the one the summary was compiled with (the commune's of that year; default: PLAN_FILE's).

        A thread is safe: the chart uses matplotlib's object API with the Agg canvas (no pyplot state), and
        python-docx and xlsxwriter build their documents in memory; but it holds the interpreter while it renders.
        """
        async with self.rendering:
            if self.pool is not None and self.pool.processes > 0:
                return await self.pool.render(summary, party=party, chart_language=chart_language, plan=plan)
            return await asyncio.to_thread(render_files, summary, plan or self.plan, self.translator, self.document,
                                           party=party, chart_language=chart_language)

    async def files_of(self, summary: Summary, *, commune_id: int, now: datetime, party: bool = False,
                       chart_language: str = DOCUMENT_LANGUAGE, plan: Plan | None = None) -> Rendered:
        """The files of a summary the caller compiled already (the dashboard's download). With a worker that can
        open the database, the worker reads and compiles the same period as of `now` itself instead of being sent
        the compiled summary (pickling a 2,000-unit one cost the bot's loop ~0.5 s); otherwise as `render`."""
        if not self.in_worker():
            return await self.render(summary, party=party, chart_language=chart_language, plan=plan)
        request = SummaryRequest(f"download:{commune_id}:{summary.period.key}", self.db.url, commune_id,
                                 plan or self.plan, summary.period.key, now, self.tz, chart_language)
        async with self.rendering:
            return await self.pool.run(self.files_in_worker, request, party)

    async def ready(self, commune_id: int, plan: Plan, period: Period, now: datetime,
                    languages: tuple[str, ...]) -> SummaryReady:
        """A summary sent on its own (the quarter-end summary): its text in each of `languages` and its files.
        With a worker that can open the database, it reads, compiles and renders there (nothing of the year
        passes through this process: pickling a 2,000-unit summary over cost the loop ~0.5 s); otherwise the
        year is read beside the writer and compiled in a thread, and the files rendered as `render` does."""
        if self.in_worker():
            request = SummaryRequest(f"ready:{commune_id}:{period.key}", self.db.url, commune_id, plan, period.key,
                                     now, self.tz, DOCUMENT_LANGUAGE)
            async with self.rendering:
                return await self.pool.run(ready_in_worker, request, languages)
        snapshot = await read_snapshot(self.db.reader, commune_id, plan.year)
        summary = await asyncio.to_thread(compile_summary, plan, snapshot, period, now, self.tz)
        return SummaryReady(summary.commune_name, summary.period, texts_in(summary, self.translator, languages),
                            await self.render(summary, plan=plan))

    async def _claim(self, now: datetime) -> RenderJob | None:
        async with self.db.transaction() as repos:
            return await repos.render_jobs.claim_due(now, LEASE)

    async def _run(self, job: RenderJob) -> int:
        if job.attempts > MAX_ATTEMPTS:  # claimed again after processes died rendering it: stop there
            return await self._give_up(job, "interrupted too often")
        if job.province:  # a province viewer's communes side by side (summaries/province_jobs.py)
            try:
                made = await province_jobs.make(self, job)
            except Exception as exc:
                log.exception("render job %s failed (attempt %d of %d)", job.id, job.attempts, MAX_ATTEMPTS)
                return await self._failed(job, exc)
            return await province_jobs.deliver(self, job, made)
        # The same files asked for again (impatient staff, several chats) while this one waited: one read and
        # one render serve them all.
        group = [job, *await self._claim_same(job)]
        try:
            async with AsyncExitStack() as shown:  # the other chats waiting for the same files see it too
                for chat in {(member.channel, member.chat_id) for member in group[1:]} - {(job.channel, job.chat_id)}:
                    await shown.enter_async_context(self.busy(*chat))
                if self.in_worker():
                    summary, rendered = await self._make_in_worker(group)
                else:
                    summary = await self._compile(job)
                    await self._send_text(group, summary)
                    rendered = await self.render(summary, party=job.party, chart_language=job.language,
                                                 plan=self._plan_of(job))
        except Exception as exc:
            log.exception("render job %s failed (attempt %d of %d)", job.id, job.attempts, MAX_ATTEMPTS)
            return sum([await self._failed(member, exc) for member in group])
        return await self._deliver(group, summary, rendered)

    def in_worker(self) -> bool:
        """Read, compile and render in a worker process: when there is a pool and it can open the database too."""
        return self.pool is not None and self.pool.processes > 0 and self.db.reader.shareable

    async def _make_in_worker(self, group: list[RenderJob]) -> tuple[SummaryMade, Rendered]:
        """The text, then the files, made by a worker that reads the database itself (summaries/worker_jobs.py):
        nothing of the year's 100,000 rows passes through this process."""
        job = group[0]
        request = SummaryRequest(job.key, self.db.url, job.commune_id, self._plan_of(job), job.period,
                                 job.requested_at, self.tz, job.language)
        if self.pool.processes >= 2:  # the XLSX in the second worker meanwhile (summaries/parallel_files.py)
            async with self.rendering:  # both workers are this job's: one render job at a time still
                return await self.parallel.make(self.pool, request, job.party,
                                                lambda made: self._queue_text(group, made.text))
        made = await self.pool.run(summary_in_worker, request)
        await self._queue_text(group, made.text)
        async with self.rendering:
            return made, await self.pool.run(self.files_in_worker, request, job.party)

    async def _claim_same(self, job: RenderJob) -> list[RenderJob]:
        async with self.db.transaction() as repos:
            return await repos.render_jobs.claim_same(job, self.clock(), LEASE)

    async def _failed(self, job: RenderJob, exc: Exception) -> int:
        if job.attempts >= MAX_ATTEMPTS:
            return await self._give_up(job, repr(exc))
        delay = RETRY_AFTER[min(job.attempts, len(RETRY_AFTER)) - 1]
        async with self.db.transaction() as repos:
            await repos.render_jobs.retry(job, repr(exc), self.clock() + delay)
        return 0

    def _plan_of(self, job: RenderJob) -> Plan:
        """The commune's plan of the period's year (plan/book.py): a corrected plan re-computes the summary."""
        return self.plans.for_year(job.commune_id, Period.parse_key(job.period).year)

    async def _compile(self, job: RenderJob) -> Summary:
        """Read the commune's year beside the writer (no chat waits for it) and compile it in a worker thread."""
        plan = self._plan_of(job)
        snapshot = await read_snapshot(self.db.reader, job.commune_id, plan.year)
        return await asyncio.to_thread(self._compile_snapshot, job, snapshot, plan)  # a province's takes ~0.5 s

    def _compile_snapshot(self, job: RenderJob, snapshot: Snapshot, plan: Plan) -> Summary:
        return compile_summary(plan, snapshot, Period.parse_key(job.period), job.requested_at, self.tz)

    async def _send_text(self, group: list[RenderJob], summary: Summary) -> None:
        """The summary as chat text, before the files are rendered (one language: claim_same groups by it)."""
        t = self.translator.for_language(group[0].language)
        await self._queue_text(group, text_before_files(summary, t, group[0].language))

    async def _queue_text(self, group: list[RenderJob], text: str) -> None:
        """Queue the chat text to every chat of the group; its dedupe key sends it once per job."""
        messages = [(job.channel, job.chat_id, Reply(text=text, language=job.language).to_payload(), f"{job.key}:text")
                    for job in group]
        async with self.db.transaction() as repos:
            await repos.outbox.enqueue_many(messages, self.clock())
        self.on_queued()

    async def _deliver(self, group: list[RenderJob], summary: Summary | SummaryMade, rendered: Rendered) -> int:
        """Store the files once, queue their replies to every chat that asked and mark the jobs done: one short
        transaction."""
        now, finished = self.clock(), 0
        async with self.db.transaction() as repos:
            files = None
            for job in group:
                if not await repos.render_jobs.finish(job, now):
                    log.warning("render job %s was taken over by another worker; its files are theirs", job.id)
                    continue
                files = files or await store_files(repos, summary, rendered, now, party=job.party)
                replies = file_replies(self.translator, files, job.language)
                await repos.outbox.enqueue_many(
                    [(job.channel, job.chat_id, reply.to_payload(), f"{job.key}:{suffix}")
                     for suffix, reply in zip(FILE_SUFFIXES, replies, strict=True)], now)
                finished += 1
        self.on_queued()
        return finished

    async def _give_up(self, job: RenderJob, error: str) -> int:
        """Mark the job failed and tell the reader, once, in their language."""
        now = self.clock()
        t = self.translator.for_language(job.language)
        async with self.db.transaction() as repos:
            if not await repos.render_jobs.finish(job, now, failed=True, error=error):
                return 0
            # Files only, when the text went out; otherwise the whole summary failed.
            said = "summary.files_failed" if await repos.outbox.exists(f"{job.key}:text") else "summary.failed"
            text = t(said, period=period_label(t, Period.parse_key(job.period)))
            await repos.outbox.enqueue_many([(job.channel, job.chat_id, Reply(text=text, language=job.language)
                                              .to_payload(), f"{job.key}:failed")], now)
        log.error("render job %s gave up after %d attempts", job.id, job.attempts)
        self.on_queued()
        return 1
