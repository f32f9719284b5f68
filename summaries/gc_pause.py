"""The cyclic garbage collector paused while one summary is read, compiled and rendered.

A year of a 2,000-village commune is ~100,000 reports: answers dicts, report rows, activities, XML strings, all
alive until the files are made. Each allocation burst makes CPython's cyclic collector walk that growing heap
again (generation 2 included): in bench/bench_tonghop.py's worker that was about half of read + compile +
render (7–8 s → 3.3 s with it paused, same machine, same data). These objects hold no reference cycles worth
collecting mid-job; reference counting still frees everything as usual, and the collector runs again as soon as
the job ends. Counted, so overlapping jobs (RENDER_PROCESSES=0 runs them in threads) re-enable it only when
the last one finishes, and never enable a collector someone else had turned off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0  # jobs inside paused_gc now
_was_enabled = False  # the collector's state when the first of them came in


@contextmanager
def paused_gc() -> Iterator[None]:
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
