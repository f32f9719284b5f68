"""When polled updates may be handled (bot/channels/zalo/handling_gate.py): not while a burst is polled at once on a
fast link, beside every poll on a slow one, a slice then everything when a poll is held, all once overdue."""

from __future__ import annotations

import asyncio

from bot.channels.zalo.handling_gate import HANDLE_GAP, HANDLE_SLICE, ROUND_TRIPS, HandlingGate


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def polls(gate: HandlingGate, ticks: Ticks, round_trip: float, count: int) -> None:
    for _ in range(count):
        gate.poll_sent()
        ticks.now += round_trip
        gate.poll_brought_update()


async def passes(gate: HandlingGate, count: int) -> int:
    """How many of `count` handlers get through the gate now."""
    waiters = [asyncio.create_task(gate.wait()) for _ in range(count)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    through = sum(w.done() for w in waiters)
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    return through


async def test_a_burst_on_a_fast_link_is_polled_first_and_a_spike_does_not_open_the_gate():
    ticks = Ticks()
    gate = HandlingGate(ticks)
    polls(gate, ticks, 0.001, ROUND_TRIPS - 1)
    polls(gate, ticks, 0.2, 1)  # one poll slowed by a busy machine: the fastest of the last 8 is still fast
    assert not gate.network_bound and await passes(gate, 3) == 0
    gate.poll_sent()
    gate._held_a_while()  # the poll out is held HANDLE_GAP: a slice goes
    assert await passes(gate, HANDLE_SLICE + 5) == HANDLE_SLICE
    gate.open()  # held as long again (or empty): everything goes
    assert await passes(gate, 50) == 50
    gate.poll_brought_update()  # it was the machine, not Zalo: the burst goes on, handling waits again
    assert await passes(gate, 3) == 0


async def test_on_a_slow_link_handling_runs_beside_every_poll():
    ticks = Ticks()
    gate = HandlingGate(ticks)
    polls(gate, ticks, 0.05, ROUND_TRIPS)  # a 50 ms round trip
    assert gate.network_bound and await passes(gate, 20) == 20


async def test_a_long_burst_is_handled_once_overdue_until_all_is_handled():
    ticks = Ticks()
    gate = HandlingGate(ticks)
    polls(gate, ticks, 0.001, 3)
    assert await passes(gate, 3) == 0
    gate._overdue_now()  # HANDLE_DELAY since handling began to wait
    polls(gate, ticks, 0.001, 3)
    assert await passes(gate, 20) == 20
    gate.all_handled()
    polls(gate, ticks, 0.001, 1)  # the next burst waits again, with its own delay
    assert await passes(gate, 3) == 0
    gate.all_handled()


async def test_one_timer_looks_at_the_poll_out_a_slice_once_held_then_everything():
    ticks = Ticks()
    gate = HandlingGate(ticks)
    polls(gate, ticks, 0.001, 3)
    gate.poll_sent()
    ticks.now += HANDLE_GAP / 2
    gate._look_at_poll_out()  # armed for an earlier poll: this one is not held long enough yet
    assert await passes(gate, 3) == 0
    ticks.now += HANDLE_GAP / 2
    gate._look_at_poll_out()
    assert await passes(gate, HANDLE_SLICE + 5) == HANDLE_SLICE
    ticks.now += HANDLE_GAP / 2
    gate._look_at_poll_out()  # the slice is handled, the poll still held, not yet twice as long
    assert await passes(gate, 3) == 0
    ticks.now += HANDLE_GAP / 2
    gate._look_at_poll_out()
    assert await passes(gate, 50) == 50
    gate.poll_brought_update()
    gate.poll_sent()
    ticks.now += HANDLE_GAP
    gate.poll_brought_update()  # answered before the timer looked: nothing is released for it
    gate._look_at_poll_out()
    assert await passes(gate, 3) == 0
    gate.all_handled()
