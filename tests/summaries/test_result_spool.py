"""A render worker's big result comes back through a file in memory, read once and deleted; a small one as it was."""

import os
import time
import weakref

from summaries.after_reply import release_after_reply
from summaries.gc_pause import paused_gc
from summaries.result_spool import SPOOL_OVER, Pickled, Spooled, call_spooled, new_spool, remove_spool, unspooled
from summaries.service import Rendered


def test_a_big_result_comes_back_through_a_file_that_is_deleted_once_read():
    spool = new_spool()
    try:
        files = Rendered(docx=b"PK" * 1000, xlsx=os.urandom(SPOOL_OVER), png=b"\x89PNG")
        outcome = call_spooled(spool, lambda: files)
        assert isinstance(outcome, Spooled) and os.listdir(spool) == [os.path.basename(outcome.path)]
        assert unspooled(outcome) == files
        assert os.listdir(spool) == []
    finally:
        remove_spool(spool)
    assert not os.path.exists(spool)


def test_a_small_result_comes_back_pickled_without_a_file():
    spool = new_spool()
    try:
        outcome = call_spooled(spool, max, 3, 7)
        assert isinstance(outcome, Pickled) and os.listdir(spool) == []
        assert unspooled(outcome) == 7
    finally:
        remove_spool(spool)


def test_a_small_result_of_a_call_that_handed_objects_over_comes_through_a_file_read_before_they_are_freed():
    """forget_in_worker replies None: through the pipe its objects would be freed (the GIL held for tens of ms)
    while the pool's thread still had the reply to send."""
    class Year:
        pass

    spool, alive = new_spool(), []

    def forget():
        year = Year()
        alive.append(weakref.ref(year))
        with paused_gc():
            release_after_reply([year])
        return None

    try:
        outcome = call_spooled(spool, forget)
        assert isinstance(outcome, Spooled)
        assert alive[0]() is not None  # not read yet: kept
        assert unspooled(outcome) is None
        for _ in range(1000):  # the release thread frees it once the file is gone (bounded wait)
            if alive[0]() is None:
                break
            time.sleep(0.01)
        assert alive[0]() is None
    finally:
        remove_spool(spool)
