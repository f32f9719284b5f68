"""Renders that misbehave, for the render process pool's tests: module-level so a worker process can import them."""

from __future__ import annotations

import os
import time


def crash(*_args):
    """The worker dies mid-render (a segfault in a C extension, the OOM killer)."""
    os._exit(13)


def hang(*_args):
    """The worker never returns."""
    time.sleep(3600)


def pid(*_args) -> int:
    """Which process rendered."""
    return os.getpid()


def reports_fetched(*_args) -> int:
    """Reports this worker has fetched from the database into its cache so far (storage/report_cache.py)."""
    from summaries.load import REPORTS

    return REPORTS.fetched


def kept_summaries(*_args) -> int:
    """Compiled summaries this worker keeps between calls (summaries/worker_jobs.py)."""
    from summaries.worker_jobs import _kept

    return len(_kept)


def slow_forget(key: str) -> None:
    """forget_in_worker after half a second: still under way when the test closes the bot."""
    from summaries.worker_jobs import forget_in_worker

    time.sleep(0.5)
    forget_in_worker(key)
