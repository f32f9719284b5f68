"""A render worker frees a job's year of objects once the bot has its files, not before they go back.

When `files_in_worker` returned, its frame held the last reference to the compiled summary, so CPython freed the
year's objects (~100,000 reports' rows, activities, answers: 60–80 ms for 2,000 villages) right there, and the
cyclic collector, paused for the job (summaries/gc_pause.py) and resumed at that moment, walked everything the job
had allocated (70–145 ms: the summary still alive, the chart's figure, which is all reference cycles) — both
before the worker could hand its files over, so both were part of the /tonghop's end-to-end time
(bench/bench_tonghop.py --stages).

So a job hands its objects over (`release_after_reply`, inside its `paused_gc()`): they stay alive, and the
collector paused, until the pool's call wrapper (summaries/result_spool.call_spooled) has written the result
(`reply_written`); then a thread of the worker waits until the bot has read a result that came through a file (it
deletes the file), frees the objects and lets the collector run. Freeing holds the GIL from start to end (no
bytecode runs while a list of 100,000 rows is torn down), so it must not start while the worker's main thread
still has the result to write.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from contextlib import ExitStack

from summaries.gc_pause import paused_gc

READ_WAIT = 30.0  # seconds to wait for the bot to read a result file; a bot that went away frees it then
POLL = 0.005  # seconds between looks at the file (a look is a stat call)

# The objects of the call running in this worker, and the collector's pause each holds (one call at a time).
_pending: list[tuple[list, ExitStack]] = []


def release_after_reply(garbage: list) -> None:
    """Free what `garbage` holds (the caller keeps no other reference) once the reply has been taken, keeping the
    collector paused until then. Call it inside the job's `paused_gc()`, in a function run by RenderPool.run."""
    pause = ExitStack()
    pause.enter_context(paused_gc())
    _pending.append((garbage, pause))


def handed_over() -> bool:
    """Whether the call running handed objects over: its reply must come through a file, whose reading tells
    when they may be freed (summaries/result_spool.py)."""
    return bool(_pending)


def reply_written(path: str | None) -> threading.Thread | None:
    """The call's result is written (into the file `path`, or small enough for the pool's pipe, or the call
    failed): free what it handed over, on a thread, after the bot has read the file."""
    if not _pending:
        return None
    handed = _pending.copy()
    _pending.clear()
    thread = threading.Thread(target=_release, args=(handed, path), name="release-after-reply", daemon=True)
    thread.start()
    return thread


def _release(handed: list[tuple[list, ExitStack]], path: str | None) -> None:
    deadline = time.monotonic() + READ_WAIT
    while path is not None and os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(POLL)
    for garbage, pause in handed:
        garbage.clear()  # the last references: the year's objects are freed here
        pause.close()
    if gc.isenabled():  # no other job paused it meanwhile: what only the collector frees (the chart's figure) goes
        gc.collect(0)  # now, rather than at whichever allocation comes next — perhaps the next job's
