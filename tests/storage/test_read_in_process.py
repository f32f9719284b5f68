"""storage.reading.read_in_process as a render worker calls it: in a process's main thread, with no event loop.

On PostgreSQL it runs an event loop of its own for the read. `asyncio.run` did, and on Python 3.11 it ends by
formatting the SIGINT handler it had installed, which holds the main task and so formats the task's result: for a
2,000-village year's snapshot, 0.49 s of every read in a worker (docs/benchmarks.md)."""

from __future__ import annotations

import signal

from sqlalchemy import select

from storage.reading import read_in_process


class Costly:
    """A read's result whose repr must never be made (a year's snapshot: 100,000 rows)."""

    formatted = 0

    def __init__(self, value: int) -> None:
        self.value = value

    def __repr__(self) -> str:
        type(self).formatted += 1
        return "Costly(…)"


def test_a_read_returns_its_result_without_formatting_it(database_url):
    handler = signal.getsignal(signal.SIGINT)
    Costly.formatted = 0
    result = read_in_process(database_url, lambda connection: Costly(connection.execute(select(1)).scalar_one()))
    assert result.value == 1
    assert Costly.formatted == 0
    assert signal.getsignal(signal.SIGINT) is handler  # Ctrl-C behaves as before the read
