"""A /tonghop's files from two render workers at once: the XLSX in the second while the first writes the chat
text, the DOCX and the chart.

On a large commune (2,000 villages, 100,000 reports) nearly all of a /tonghop is one worker's CPU: read and compile
~0.3 s, DOCX ~0.2 s, chart ~0.2 s, XLSX ~0.4 s (docs/benchmarks.md). With two cores the second worker reads and
compiles the same period as of the same request time (compile_summary is a pure function of plan, snapshot,
period, time and zone) and writes the XLSX meanwhile, so the files come in about the time of the longer half.

The two readings are separate read transactions, so a report confirmed between them would make the XLSX count
what the text and the DOCX do not. Each reading returns the digest of the state it read (summaries/data_version.py);
the first worker keeps its compiled summary until the digests are compared, and on a difference it writes the
XLSX itself from that summary (~0.4 s more, only then): the three files and the text always tell one state.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from summaries.service import Rendered
from summaries.worker_jobs import (
    Sheet,
    SummaryMade,
    SummaryRequest,
    files_in_worker,
    forget_in_worker,
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
        self.summary_fn: Callable[[SummaryRequest], SummaryMade] = summary_in_worker
        self.sheet_fn: Callable[[SummaryRequest], Sheet] = sheet_in_worker
        self.files_fn: Callable[..., Rendered] = files_in_worker

    async def make(self, pool: RenderPool, request: SummaryRequest, party: bool,
                   send_text: Callable[[SummaryMade], Awaitable[None]]) -> tuple[SummaryMade, Rendered]:
        """The text (sent by `send_text` as soon as it is written), then the three files."""
        sheet = asyncio.ensure_future(pool.run_on(SHEET_WORKER, self.sheet_fn, request))
        try:
            made = await pool.run_on(TEXT_WORKER, self.summary_fn, request)
            await send_text(made)
            rest = await pool.run_on(TEXT_WORKER, self.files_fn, request, party, NOT_THE_SHEET, True)
            xlsx = await self._sheet_of(pool, request, party, made, await sheet)
        finally:
            if not sheet.done():  # the text worker failed: the job is retried; nothing waits for this sheet
                sheet.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):  # its error, if any, is the job's already
                await sheet
        return made, Rendered(docx=rest.docx, xlsx=xlsx, png=rest.png)

    async def _sheet_of(self, pool: RenderPool, request: SummaryRequest, party: bool, made: SummaryMade,
                        sheet: Sheet) -> bytes:
        if sheet.version == made.version:
            await pool.run_on(TEXT_WORKER, forget_in_worker, request.key)
            return sheet.xlsx
        log.info("the data changed between the two readings of %s: the XLSX is written again", request.key)
        return (await pool.run_on(TEXT_WORKER, self.files_fn, request, party, THE_SHEET)).xlsx
