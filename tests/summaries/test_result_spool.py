"""A render worker's big result comes back through a file in memory, read once and deleted; a small one as it was."""

import os

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
