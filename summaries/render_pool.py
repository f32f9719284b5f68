"""Documents rendered in worker processes, so a province-size DOCX never holds the bot's interpreter.

python-docx and matplotlib are pure-Python CPU work: in a thread they hold the GIL, and a province's year (seconds
of rendering) lagged the event loop — every chat — by hundreds of milliseconds to seconds (issue 20.3). A small
pool of processes (RENDER_PROCESSES; default 2 on a host of two cores or more, else 1) renders instead; the bot's
loop only pickles the compiled Summary over and the bytes back (a big result through a file in memory:
summaries/result_spool.py).

Processes come from a fork server (multiprocessing "forkserver", with the renderers preloaded there): no copy of
the bot's threads, sockets or event loop is inherited, and a new worker forks in milliseconds from a process that
already imported python-docx. Each worker is given the plan and document settings once (its initializer) and
builds the translator from the same catalogs; a render call then sends only the summary.

A render that raises comes back as that exception. A worker that dies (a crash, the kernel's OOM killer) breaks
the pool: the call raises `RenderCrashed` and the next call starts a fresh pool. A render that takes longer than
RENDER_TIMEOUT_SECONDS raises `RenderTimedOut` after the pool's processes are killed — a hung render cannot be
cancelled any other way. Either way the render job is retried, then the reader is told (summaries/jobs.py).
`processes=0` renders in a thread of the bot's process instead (the old behaviour).

Workers run at a lower CPU priority (WORKER_NICE): on a host with few cores a render is a CPU-bound process beside
the bot's, and at the same priority the kernel split the cores evenly, so every statement of every chat ran at half
speed while a province's year rendered (bench/bench_stall.py: the loop lagged inside ordinary SQLite calls, not in
any work of the render). A render is background work; a chat is someone waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from core.i18n import Translator
from plan.schema import Plan
from summaries.after_reply import reply_written
from summaries.gc_pause import paused_gc
from summaries.model import DocumentSettings, Summary
from summaries.result_spool import Spooled, call_spooled, new_spool, remove_spool, unspooled
from summaries.service import DOCUMENT_LANGUAGE, Rendered, render_files

log = logging.getLogger(__name__)
T = TypeVar("T")
# matplotlib too: summaries.chart imports it only when it draws (the bot's own start-up should not pay ~1 s for
# it), so without it here every new worker paid that import in its first chart (3.2 s → 1.3 s at load 9).
PRELOAD = ["summaries.service", "summaries.docx", "summaries.xlsx", "summaries.chart", "summaries.worker_jobs",
           "matplotlib.figure", "matplotlib.backends.backend_agg"]
WORKER_NICE = 10  # added to a render worker's niceness: the CPU goes to the bot's chats first (see above)


class RenderCrashed(RuntimeError):
    """The worker process died while rendering."""


class RenderTimedOut(RuntimeError):
    """The render took longer than the timeout; its worker was killed."""


# One worker process's context, set by its initializer (or, with processes=0, per call in the bot's process).
_worker: dict[str, Any] = {}


def worker_context() -> dict[str, Any]:
    """The plan, translator and document settings of this worker process (summaries/worker_jobs.py)."""
    return _worker


def _init_worker(plan: Plan, locales_dir: str, default_language: str, document: DocumentSettings,
                 nice: int = 0) -> None:
    if nice:
        with contextlib.suppress(OSError):  # a platform without it: the render just competes as before
            os.nice(nice)
    _worker.update(plan=plan, translator=Translator(Path(locales_dir), default_language), document=document)


def render_in_worker(summary: Summary, party: bool, chart_language: str) -> Rendered:
    """The three files, in a worker (module-level so a process can find it by name)."""
    return render_in_worker_with(_worker["plan"], summary, party, chart_language)


def render_in_worker_with(plan: Plan, summary: Summary, party: bool, chart_language: str) -> Rendered:
    """The three files by another plan than the worker's (a commune's stored plan of the summary's year)."""
    with paused_gc():
        return render_files(summary, plan, _worker["translator"], _worker["document"], party=party,
                            chart_language=chart_language)


class _Slot:
    """One worker process of its own pool: a call aimed at a slot reaches that process, which keeps what an
    earlier call of the same job left there (summaries/worker_jobs.py keeps the compiled summary)."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None
        self.spool = ""  # the directory big results come back through (summaries/result_spool.py)


class RenderPool:
    """Render processes, each started at its first call and restarted after a crash or a hang.

    One single-process pool per slot rather than one pool of `processes`: a shared queue sent the second call of
    a job (the files) to whichever process was free, which then read and compiled the year again; calls aimed at
    a slot (`run_on`) let a job use both processes at once and still find its compiled summary."""

    def __init__(self, plan: Plan, translator: Translator, document: DocumentSettings, *, locales_dir: Path,
                 processes: int = 1, timeout: float = 300.0) -> None:
        self.plan, self.translator, self.document = plan, translator, document
        self.locales_dir, self.processes, self.timeout = locales_dir, processes, timeout
        self.nice = WORKER_NICE  # bench/bench_stall.py --nice compares
        self._slots = [_Slot() for _ in range(max(processes, 1))]
        self._lock = threading.Lock()
        self.render_fn: Callable[[Summary, bool, str], Rendered] = render_in_worker  # tests put misbehaving ones

    @property
    def _spool(self) -> str:
        return self._slots[0].spool

    async def render(self, summary: Summary, *, party: bool = False, chart_language: str = DOCUMENT_LANGUAGE,
                     plan: Plan | None = None) -> Rendered:
        if plan is not None and plan is not self.plan:  # sent along: workers hold only PLAN_FILE's plan
            return await self.run(render_in_worker_with, plan, summary, party, chart_language)
        return await self.run(self.render_fn, summary, party, chart_language)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the first worker process (a module-level function: the worker imports it by name)."""
        return await self.run_on(0, fn, *args)

    async def run_on(self, slot: int, fn: Callable[..., T], *args: Any) -> T:
        """`fn(*args)` in the worker process of `slot` (0 ≤ slot < processes)."""
        if self.processes <= 0:
            return await asyncio.to_thread(self._in_thread, fn, *args)
        # Off the loop: the first submit starts the fork server and a worker, which blocks until the server has
        # imported the renderers (seconds).
        pool, future = await asyncio.to_thread(self._submit, self._slots[slot], fn, *args)
        try:
            outcome = await asyncio.wait_for(asyncio.wrap_future(future), self.timeout)
        except TimeoutError:
            log.error("a render took more than %.0f s: its worker is killed", self.timeout)
            self._discard(self._slots[slot], pool, kill=True)
            raise RenderTimedOut(f"render took more than {self.timeout:.0f} s") from None
        except BrokenProcessPool:
            log.error("a render worker died while rendering; a new one starts with the next render")
            self._discard(self._slots[slot], pool, kill=True)
            raise RenderCrashed("the render worker died") from None
        if isinstance(outcome, Spooled):  # a file of 5 MB: read and unpickled off the loop (2–8 ms)
            return await asyncio.to_thread(unspooled, outcome)
        return unspooled(outcome)

    def started(self) -> int:
        """How many worker processes are running (each starts at its slot's first call)."""
        with self._lock:
            return sum(slot.pool is not None for slot in self._slots)

    def _submit(self, slot: _Slot, fn: Callable[..., T], *args: Any) -> tuple[ProcessPoolExecutor, Future]:
        pool, spool = self._pool_now(slot)
        try:
            return pool, pool.submit(call_spooled, spool, fn, *args)
        except BrokenProcessPool:  # died since the last call: start afresh once
            self._discard(slot, pool)
            pool, spool = self._pool_now(slot)
            return pool, pool.submit(call_spooled, spool, fn, *args)

    def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        _worker.update(plan=self.plan, translator=self.translator, document=self.document)
        try:
            return fn(*args)
        finally:
            reply_written(None)  # what fn handed over for after its reply (summaries/after_reply.py)

    def _pool_now(self, slot: _Slot) -> tuple[ProcessPoolExecutor, str]:
        with self._lock:
            if slot.pool is None:
                slot.spool = new_spool()
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(PRELOAD)  # one fork server serves every slot
                slot.pool = ProcessPoolExecutor(
                    max_workers=1, mp_context=context, initializer=_init_worker,
                    initargs=(self.plan, str(self.locales_dir), self.translator.default_language, self.document,
                              self.nice))
            return slot.pool, slot.spool

    def _discard(self, slot: _Slot, pool: ProcessPoolExecutor, *, kill: bool = False) -> None:
        with self._lock:
            if slot.pool is pool:
                slot.pool = None
                remove_spool(slot.spool)  # with any result no one came to read (a timeout, a stop)
        if kill:  # a hung worker ignores everything else; its pool is then shut down without waiting
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """At a stop: a render still running is abandoned (its job was handed back), so its worker is killed."""
        for slot in self._slots:
            with self._lock:
                pool = slot.pool
            if pool is not None:
                self._discard(slot, pool, kill=True)
