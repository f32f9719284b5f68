"""A /tonghop's files from two render workers at once: the XLSX in the second while the first writes the chat
text, the DOCX and the chart.

On a large commune (2,000 villages, 100,000 reports) nearly all of a /tonghop is one worker's CPU: read and compile
~0.3 s, DOCX ~0.2 s, chart ~0.2 s, XLSX ~0.4 s (docs/benchmarks.md). With two cores the second worker reads and
compiles the same period as of the same request time (compile_summary is a pure function of plan, snapshot,
period, time and zone) and writes the XLSX meanwhile, so the files come in about the time of the longer half.

The two readings are separate read transactions, so a report confirmed between them would make the XLSX count
what the text and the DOCX do not. Both workers read at once; the first's reading names the state it saw (a
`Mark`: its digests, the commune's report clock it saw and its reports' count, summaries/data_version.py) and
the second compiles its own
reading as of that state: the reports committed since are left out, and a reading older than the mark is read
again. When it cannot rebuild that state (a report edited or deleted, a unit renamed between the readings), the
first worker, which keeps its summary until then, writes the XLSX itself (~0.4 s more, only then): the three
files and the text always tell one state of the data.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from summaries.service import Rendered
from summaries.worker_jobs import (
    Mark,
    SummaryMade,
    SummaryRequest,
    files_in_worker,
    forget_in_worker,
    read_in_worker,
    sheet_in_worker,
    summary_in_worker,
)

if TYPE_CHECKING:
    from summaries.render_pool import RenderPool

log = logging.getLogger(__name__)
TEXT_WORKER, SHEET_WORKER = 0, 1
NOT_THE_SHEET = frozenset({"docx", "png"})
THE_SHEET = frozenset({"xlsx"})


class ParallelFiles:
    """What each worker runs (tests put their own module-level functions in)."""

    def __init__(self) -> None:
        self.text_read_fn: Callable[[SummaryRequest], Mark] = read_in_worker
        self.sheet_read_fn: Callable[[SummaryRequest], Mark] = read_in_worker
        self.summary_fn: Callable[[SummaryRequest], SummaryMade] = summary_in_worker
        self.sheet_fn: Callable[[SummaryRequest, Mark], bytes | None] = sheet_in_worker
        self.files_fn: Callable[..., Rendered] = files_in_worker
        self._forgetting: set[asyncio.Future] = set()  # forget_in_worker calls under way (kept from the collector)

    async def make(self, pool: RenderPool, request: SummaryRequest, party: bool,
                   send_text: Callable[[SummaryMade], Awaitable[None]]) -> tuple[SummaryMade, Rendered]:
        """The text (sent by `send_text` as soon as it is written), then the three files."""
        reading = asyncio.ensure_future(pool.run_on(SHEET_WORKER, self.sheet_read_fn, request))
        sheet: asyncio.Future | None = None
        try:
            mark = await pool.run_on(TEXT_WORKER, self.text_read_fn, request)
            sheet = asyncio.ensure_future(self._sheet(pool, reading, request, mark))
            made = await pool.run_on(TEXT_WORKER, self.summary_fn, request)
            await send_text(made)
            rest = await pool.run_on(TEXT_WORKER, self.files_fn, request, party, NOT_THE_SHEET, True)
            xlsx = await sheet
            if xlsx is None:
                log.info("the data changed between the two readings of %s: the XLSX is written again", request.key)
                xlsx = (await pool.run_on(TEXT_WORKER, self.files_fn, request, party, THE_SHEET)).xlsx
            else:  # not waited for: freeing a large year's summary took 10-15 ms the files would have waited
                self._forget(pool, request.key)
        finally:
            for task in (reading, sheet):  # the text worker failed: the job is retried; nothing waits for these
                if task is None:
                    continue
                if not task.done():
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):  # an error is the job's already
                    await task
        return made, Rendered(docx=rest.docx, xlsx=xlsx, png=rest.png)

    def _forget(self, pool: RenderPool, key: str) -> None:
        """The text worker's kept summary freed in the background (its next call waits behind it anyway)."""
        task = asyncio.ensure_future(pool.run_on(TEXT_WORKER, forget_in_worker, key))
        self._forgetting.add(task)
        task.add_done_callback(self._forgot)

    async def settle(self) -> None:
        """Wait for the kept summaries' freeing under way (a shutdown: before the pool and its files go)."""
        if self._forgetting:
            await asyncio.gather(*self._forgetting, return_exceptions=True)

    def _forgot(self, task: asyncio.Future) -> None:
        self._forgetting.discard(task)
        if not task.cancelled() and task.exception() is not None:  # a dead worker frees everything anyway
            log.warning("freeing a kept summary in the render worker failed: %r", task.exception())

    async def _sheet(self, pool: RenderPool, reading: asyncio.Future, request: SummaryRequest,
                     mark: Mark) -> bytes | None:
        await reading  # the second worker's own reading first (its process runs one call at a time anyway)
        return await pool.run_on(SHEET_WORKER, self.sheet_fn, request, mark)
