"""Crash safety, CI size: the real bot process SIGKILLed during a report, a broadcast and a reminder run.

A crash may repeat at most one message per chat (issue 20): the one the platform accepted just before the kill,
before its "sent" was committed — one per outbox lane, each lane one chat (OUTBOX_LANES, default 8).
bench/bench_crash.py runs the same harness ≥100 times;
the numbers are in docs/reliability.md.
"""

from __future__ import annotations

import pytest
from support.crash_harness import run_once


@pytest.mark.parametrize(("kind", "kills", "size"), [("report", 1, 1), ("broadcast", 2, 150), ("reminder", 1, 40)])
async def test_a_killed_bot_loses_nothing_and_resends_at_most_one_message_per_chat(tmp_path, kind, kills, size):
    result = await run_once(kind, tmp_path / kind, kills=kills, seed_value=hash(kind) % 1000, recipients=size,
                            reports=size)
    assert result.problems == [] and result.kills == kills, result
    assert result.missed == result.strays == result.lost_reports == 0, result
    assert result.expected > 0 and result.delivered == result.expected, result
    if kind == "report":
        assert result.receipts == result.reports == size, result
    assert result.worst_chat_crash <= 1, result  # bot.outbox: one row in flight per lane, a lane is one chat
    assert result.worst_crash <= 8 and result.duplicates <= 8 * kills, result  # OUTBOX_LANES


async def test_with_several_chats_in_flight_no_chat_gets_more_than_one_duplicate_per_crash(tmp_path):
    """Issue 20.1: several outbox lanes (one chat each) to keep up with a slow platform; a crash may then repeat
    one message in each chat that had one in flight, never two in one chat."""
    lanes = 4
    result = await run_once("broadcast", tmp_path / "lanes", kills=2, seed_value=7, recipients=150, lanes=lanes)
    assert result.problems == [] and result.kills == 2, result
    assert result.missed == result.strays == 0 and result.delivered == result.expected > 0, result
    assert result.worst_chat_crash <= 1 and result.worst_crash <= lanes, result
