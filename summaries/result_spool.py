"""A render worker's big results come back through a file in memory, not through the process pool's pipe.

ProcessPoolExecutor sends a result pickled through a pipe of 64 KB, and the bot's side reads it in a thread, one
chunk per read: a 2,000-village year's files (5 MB, nearly all of it the XLSX) took ~80 reads, and after each the
reading thread had to win the GIL back from the event loop — up to its 5 ms switch interval each time the chats
kept the loop busy — while the worker, at a lower priority, waited for the CPU to write the next chunk.
bench/bench_tonghop.py --stages, from the worker returning the files to the bot having them: 8 ms on a quiet
machine, 95–355 ms at load 4 with 50 reporters writing. Through a file the worker writes once and the bot reads
once. A small result (the chat text) still goes the usual way, already pickled — unless its call handed objects
over to be freed after the reply (summaries/after_reply.py), which then waits for the bot to have read the file.

A file is deleted as soon as it is read; one whose reader went away (a stop, a timeout) goes with its pool's
directory (RenderPool removes it when it discards or closes the pool).
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summaries.after_reply import handed_over, reply_written

SPOOL_OVER = 256 * 1024  # pickled results at least this big come back through a file
IN_MEMORY = Path("/dev/shm")  # Linux's RAM-backed file system; elsewhere the temporary directory


@dataclass(frozen=True, slots=True)
class Pickled:
    """A small result, pickled in the worker."""

    data: bytes


@dataclass(frozen=True, slots=True)
class Spooled:
    """A big result, pickled into this file by the worker."""

    path: str


def new_spool() -> str:
    """A directory of its own for one pool's results."""
    root = IN_MEMORY if IN_MEMORY.is_dir() and os.access(IN_MEMORY, os.W_OK) else None
    return tempfile.mkdtemp(prefix="mttq-render-", dir=root)


def remove_spool(spool: str) -> None:
    shutil.rmtree(spool, ignore_errors=True)


def call_spooled(spool: str, fn: Callable[..., Any], *args: Any) -> Pickled | Spooled:
    """In the worker: `fn(*args)`, its result pickled, and a big one written to a file of `spool`; then what the
    call handed over for later (summaries/after_reply.py) is freed once the bot has read it."""
    path = None
    try:
        data = pickle.dumps(fn(*args), protocol=pickle.HIGHEST_PROTOCOL)
        # A call that handed objects over replies through a file even when small: freeing them holds the GIL for
        # tens of milliseconds, and through the pipe nothing would tell it to wait until the pool's thread has
        # sent the reply (forget_in_worker's 4-byte reply took 25–45 ms to reach the bot: the /tonghop's last step).
        if len(data) < SPOOL_OVER and not handed_over():
            return Pickled(data)
        descriptor, path = tempfile.mkstemp(dir=spool, suffix=".pickle")
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        return Spooled(path)
    finally:
        reply_written(path)


def unspooled(outcome: Pickled | Spooled) -> Any:
    """In the bot: the result itself (a file read once, from memory, and deleted)."""
    if isinstance(outcome, Pickled):
        return pickle.loads(outcome.data)
    try:
        data = Path(outcome.path).read_bytes()
    finally:
        Path(outcome.path).unlink(missing_ok=True)
    return pickle.loads(data)
