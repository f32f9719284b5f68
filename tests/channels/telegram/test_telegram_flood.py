"""Flood limits: a burst to many chats and a group, against a fake that answers 429 like Telegram.

Limits are scaled (the same code, other settings) so the test takes seconds: 40 msg/s overall (real HTTP
on loopback costs ~15 ms of CPU per message here) and 400 msg/min to a group stand for 30 msg/s and 20/min.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from support.fake_telegram import FloodRules
from support.telegram_harness import telegram_bot

from bot.channels.telegram.limiter import PAUSE_RECHECK, FloodLimiter
from core.messages import PRIORITY_BROADCAST, Reply

HELD = PAUSE_RECHECK * 3  # real seconds a held call is watched not to go (the pause is rechecked each PAUSE_RECHECK)

PER_SECOND, PRIVATE_PER_SECOND, GROUP_PER_MINUTE = 40.0, 1.0, 400.0
PRIVATE_CHATS, GROUP_MESSAGES, GROUP = 300, 60, "-1009999"


async def test_burst_to_300_chats_and_60_group_messages_meets_the_limits_without_429(sqlite_url, clock):
    limits = {"telegram_max_per_second": PER_SECOND, "telegram_private_per_second": PRIVATE_PER_SECOND,
              "telegram_group_per_minute": GROUP_PER_MINUTE}
    # webhook mode: start-up's menus are done before the burst, so every call from here on is the burst's
    async with telegram_bot(sqlite_url, clock, webhook=True, **limits) as h:
        h.fake.flood = FloodRules(PER_SECOND, 1 / PRIVATE_PER_SECOND, 60 / GROUP_PER_MINUTE)
        sender = h.channel.sender
        reply = Reply(text="Thông báo: họp tổng kết Ngày hội vào 8 giờ sáng thứ Hai.")
        time_ = VirtualTime(h.channel.limiter, h.fake, clock)

        async def to_group() -> None:  # the outbox sends one chat's messages in order, one after another
            for _ in range(GROUP_MESSAGES):
                await sender.send(GROUP, reply, priority=PRIORITY_BROADCAST)

        started = time_.now
        burst = asyncio.gather(to_group(), *(sender.send(str(10_000 + n), reply, priority=PRIORITY_BROADCAST)
                                             for n in range(PRIVATE_CHATS)), return_exceptions=True)
        async with asyncio.timeout(60):  # a guard only: time moves with the test, whatever the machine's load
            await time_.run_until(burst)
        elapsed = time_.now - started

    delivered = [c for c in h.fake.of("sendMessage") if c.ok]
    allowed = max((PRIVATE_CHATS + GROUP_MESSAGES - 1) / PER_SECOND, (GROUP_MESSAGES - 1) * 60 / GROUP_PER_MINUTE)
    print(f"flood: {len(delivered)} messages in {elapsed:.2f} virtual s; the limits allow {allowed:.2f} s")
    assert h.fake.too_many == 0, h.fake.refusals
    assert len(delivered) == PRIVATE_CHATS + GROUP_MESSAGES
    # Never faster than the limits allow; how close to the limit it gets on real time is measured in bench/.
    assert elapsed >= 0.9 * allowed


class VirtualTime:
    """The limiter's pacing clock and the fake's arrival clock, one virtual clock moved by the test.

    It moves only while no released call is on its way, so a call reaches the fake at the virtual moment the
    limiter let it go: a machine too loaded to keep real time cannot turn the limiter's pacing into a 429. And it
    moves straight to the moment the limiter said it would release the next call, not by small steps: stepping
    5 ms at a time took ~2,000 steps of several event-loop turns each, which a loaded machine stretched past the
    test's 60 s guard. Should a 429 come anyway, the app clock is moved past its pause, so the test fails on the
    429 instead of hanging.
    """

    MIN_STEP = 1e-6  # a jump smaller than the clock's float resolution would leave it where it is

    def __init__(self, limiter: FloodLimiter, fake, app_clock) -> None:
        # from the real clock's reading: what the limiter already paced (start-up's menus) stays in its past
        self.now, self.limiter, self.app_clock = time.monotonic(), limiter, app_clock
        limiter.clock = fake.monotonic = lambda: self.now
        self.released = self.finished = self.looks = 0
        self.wait = 0.0  # the limiter's last answer: seconds until it may release the next call (0: it released)
        self._finished = asyncio.Event()
        release_one, call = limiter._release_one, limiter.call

        def counting_release(now: float) -> float:
            waiting = len(limiter._waiting)
            self.wait = release_one(now)
            self.released += waiting - len(limiter._waiting)
            self.looks += 1
            return self.wait

        async def counting_call(*args, **kwargs):
            try:
                return await call(*args, **kwargs)
            finally:
                self.finished += 1
                self._finished.set()

        limiter._release_one, limiter.call = counting_release, counting_call
        limiter._changed.set()  # a dispatcher already waiting looks again, on this clock

    async def run_until(self, work: asyncio.Future) -> None:
        while not work.done():
            while self.finished < self.released:  # released calls on their way: time stands still
                self._finished.clear()
                await self._finished.wait()
            if self.limiter.paused_for() > 0:
                self.app_clock.advance(seconds=self.limiter.paused_for())
            wait = await self._limiter_wait()
            if wait is None:  # it released a call, or nobody waits yet: let them run, at this same moment
                await asyncio.sleep(0)
            else:
                self.now += max(wait, self.MIN_STEP)
        await work

    async def _limiter_wait(self) -> float | None:
        """Have the limiter look at the clock now; how long until it may release a call (None: it did, or
        nothing waits)."""
        if not self.limiter._waiting:
            return None
        looks = self.looks
        self.limiter._changed.set()
        while self.looks == looks and self.limiter._waiting:
            await asyncio.sleep(0)
        return self.wait if self.looks > looks and self.wait > 0 else None


class StepClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize("label, sends, expected_order", [
    ("a group waiting is served before private chats ready earlier",
     [("p1", False), ("p2", False), ("g", True)], ["g", "p1", "p2"]),
    ("one chat keeps its order", [("p1", False), ("p1", False)], ["p1"]),
])
async def test_limiter_order(label, sends, expected_order):
    clock = StepClock()
    limiter = FloodLimiter(per_second=1, private_interval=10, group_interval=60, clock=clock)
    released: list[str] = []

    async def send(chat: str, group: bool) -> None:
        await limiter.acquire(chat, group=group)
        released.append(chat)

    tasks = [asyncio.create_task(send(chat, group)) for chat, group in sends]
    await asyncio.sleep(0.01)  # the dispatcher releases what the (frozen) clock allows
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert released == expected_order[:1], label  # one release per second of the frozen clock
    assert not limiter._waiting


async def test_a_429_pauses_every_call_for_its_retry_after(clock):
    """Sends to other chats, and calls without a chat (edits, answers, menus), wait out the pause on the app clock."""
    limiter = FloodLimiter(per_second=1000, private_interval=0, group_interval=0, now=clock)
    limiter.pause(5)
    other_chat = asyncio.create_task(limiter.acquire("502"))
    edit = asyncio.create_task(limiter.acquire(None, background=True))
    await asyncio.sleep(HELD)
    assert not other_chat.done() and not edit.done()
    clock.advance(seconds=4.9)
    await asyncio.sleep(HELD)
    assert not other_chat.done()
    clock.advance(seconds=0.1)
    async with asyncio.timeout(5):
        await asyncio.gather(other_chat, edit)


async def test_after_a_429_other_chats_and_menus_wait_through_the_outbox(sqlite_url, clock):
    # One outbox lane: 502's send starts after 501's 429 came back (with several, it may already be on its way,
    # and a send in flight cannot be called back); webhook mode: start-up's menus are done.
    async with telegram_bot(sqlite_url, clock, webhook=True, outbox_lanes=1) as h:
        async with h.app.db.transaction() as repos:
            for chat in ("501", "502"):
                await repos.outbox.enqueue(channel="telegram", chat_id=chat, dedupe_key=f"notice:{chat}",
                                           payload=Reply(text="Thông báo").to_payload(), now=clock())
        h.fake.fail_next("sendMessage", retry_after=3)  # the first send, to 501
        drain = asyncio.create_task(h.app.outbox.drain())
        async with asyncio.timeout(5):
            while h.channel.limiter.paused_for() == 0:  # the 429 has come back
                await asyncio.sleep(0.005)
        menus_before = len(h.fake.of("setMyCommands"))
        menus = asyncio.create_task(h.channel._publish_menus())
        await asyncio.sleep(HELD)
        assert [c.ok for c in h.fake.of("sendMessage")] == [False]  # 502 waits: Telegram's flood control is per bot
        assert len(h.fake.of("setMyCommands")) == menus_before
        clock.advance(seconds=3)
        async with asyncio.timeout(10):
            await asyncio.gather(drain, menus)
        assert h.fake.texts(502) == ["Thông báo"] and len(h.fake.of("setMyCommands")) > menus_before
        await h.app.outbox.drain()  # 501's retry is due by now (it may have gone in the drain above)
        assert h.fake.texts(501) == ["Thông báo"]
