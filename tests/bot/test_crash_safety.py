"""Crash safety, CI size: the real bot process SIGKILLed during a report, a broadcast and a reminder run.

With the default settings (OUTBOX_LANES=1) a crash may repeat at most one message: the one the platform accepted
just before the kill, before its "sent" was committed. bench/bench_crash.py runs the same harness ≥100 times;
the numbers are in docs/reliability.md.
"""

from __future__ import annotations

import pytest
from support.crash_harness import run_once


@pytest.mark.parametrize(("kind", "kills", "size"), [("report", 1, 1), ("broadcast", 2, 150), ("reminder", 1, 40)])
async def test_a_killed_bot_loses_nothing_and_resends_at_most_one_message_per_crash(tmp_path, kind, kills, size):
    result = await run_once(kind, tmp_path / kind, kills=kills, seed_value=hash(kind) % 1000, recipients=size,
                            reports=size)
    assert result.problems == [] and result.kills == kills, result
    assert result.missed == result.strays == result.lost_reports == 0, result
    assert result.expected > 0 and result.delivered == result.expected, result
    if kind == "report":
        assert result.receipts == result.reports == size, result
    assert result.worst_crash <= 1 and result.duplicates <= kills, result  # bot.outbox: one lane, one row in flight
