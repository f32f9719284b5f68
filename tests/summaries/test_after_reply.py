"""A render worker frees a job's objects after its reply has been taken, and keeps the collector paused until then
(summaries/after_reply.py)."""

import gc
import weakref

import pytest

from summaries.after_reply import release_after_reply, reply_written
from summaries.gc_pause import paused_gc


class Year:
    """Stands for a compiled year: something with a reference cycle, as a chart's figure has."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def handed_over() -> weakref.ref:
    """A job's year, handed over inside the job's pause, as files_in_worker does; the job's pause then ends."""
    year = Year()
    alive = weakref.ref(year)
    with paused_gc():
        release_after_reply([year])
        del year
    return alive


def test_a_reply_through_the_pipe_frees_the_job_at_once_and_the_collector_resumes():
    alive = handed_over()
    assert alive() is not None and not gc.isenabled()  # the job's pause ended, the hand-over's holds
    thread = reply_written(None)
    thread.join(timeout=10)
    assert alive() is None and gc.isenabled()  # the cycle too: the thread collected it


def test_a_reply_through_a_file_frees_the_job_once_the_bot_has_read_it(tmp_path):
    result = tmp_path / "result.pickle"
    result.write_bytes(b"files")
    alive = handed_over()
    thread = reply_written(str(result))
    thread.join(timeout=0.2)  # the bot has not taken it: nothing is freed, the collector stays paused
    assert thread.is_alive() and alive() is not None and not gc.isenabled()
    result.unlink()  # what the bot does once it has read the result
    thread.join(timeout=10)
    assert alive() is None and gc.isenabled()


def test_nothing_handed_over_starts_no_thread():
    assert reply_written(None) is None
