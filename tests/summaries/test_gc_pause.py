"""The cyclic collector is paused inside a summary job and comes back when the last overlapping job ends."""

import gc
import threading

import pytest

from summaries.gc_pause import paused_gc


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def test_paused_inside_and_back_after():
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_back_after_an_error():
    with pytest.raises(ValueError), paused_gc():
        raise ValueError("render failed")
    assert gc.isenabled()


def test_overlapping_jobs_keep_it_paused_until_the_last_ends():
    first_in, second_done = threading.Event(), threading.Event()
    seen = []

    def first_job():
        with paused_gc():
            first_in.set()
            second_done.wait(5)
            seen.append(gc.isenabled())  # the second job ended meanwhile: still paused for this one

    thread = threading.Thread(target=first_job)
    thread.start()
    first_in.wait(5)
    with paused_gc():
        pass
    second_done.set()
    thread.join(5)
    assert seen == [False]
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off():
    gc.disable()
    with paused_gc():
        pass
    assert not gc.isenabled()
