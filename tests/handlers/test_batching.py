"""Group commit of inbound messages: batches never mix two messages of one conversation, a failure in a batch
costs nobody their answer, and many reporters at once all get the same conversation as one alone would."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from support.app import ChatUser, attach_recorder, make_app

from handlers import router
from handlers.batching import Batcher
from storage.models import Identity, Person


class Recorder:
    """A batch handler that records its batches and can be held or made to fail."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.release = asyncio.Event()
        self.running = 0
        self.most_running = 0
        self.fail_on: str | None = None

    async def __call__(self, items: list[str]) -> list[str]:
        self.batches.append(items)
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            await self.release.wait()
            if self.fail_on in items:
                raise RuntimeError("boom")
            return [item.upper() for item in items]
        finally:
            self.running -= 1


async def test_a_key_is_never_twice_in_a_batch_and_keeps_its_order():
    handler = Recorder()
    batcher = Batcher(handler, max_batch=10, parallel=1)
    items = [("a", "a1"), ("a", "a2"), ("b", "b1"), ("a", "a3"), ("c", "c1")]
    calls = [asyncio.create_task(batcher.submit(key, item)) for key, item in items]
    await asyncio.sleep(0)
    handler.release.set()
    assert await asyncio.gather(*calls) == ["A1", "A2", "B1", "A3", "C1"]
    assert handler.batches == [["a1"], ["a2", "b1", "c1"], ["a3"]]


async def test_batches_are_capped_in_size_and_in_number_at_once():
    handler = Recorder()
    batcher = Batcher(handler, max_batch=3, parallel=2)
    calls = [asyncio.create_task(batcher.submit(n, f"m{n}")) for n in range(10)]
    for _ in range(3):  # the submissions, then the first two batches, reach their wait
        await asyncio.sleep(0)
    handler.release.set()
    await asyncio.gather(*calls)
    assert max(len(batch) for batch in handler.batches) == 3 and handler.most_running == 2
    assert sorted(item for batch in handler.batches for item in batch) == sorted(f"m{n}" for n in range(10))


async def test_a_failing_batch_reaches_each_of_its_callers_and_the_next_batch_still_runs():
    handler = Recorder()
    handler.fail_on = "x2"
    batcher = Batcher(handler, max_batch=10, parallel=1)
    first = asyncio.create_task(batcher.submit("x", "x1"))
    failing = [asyncio.create_task(batcher.submit(key, key + "2")) for key in ("x", "y")]
    await asyncio.sleep(0)
    handler.release.set()
    assert await first == "X1"
    for call in failing:
        with pytest.raises(RuntimeError):
            await call
    assert await batcher.submit("x", "x3") == "X3"


async def test_a_cancelled_caller_does_not_cancel_the_batch_of_the_others():
    handler = Recorder()
    batcher = Batcher(handler, max_batch=10, parallel=1)
    leaving = asyncio.create_task(batcher.submit("a", "a1"))
    staying = asyncio.create_task(batcher.submit("b", "b1"))
    await asyncio.sleep(0)
    leaving.cancel()
    handler.release.set()
    assert await staying == "B1"
    assert handler.batches == [["a1"], ["b1"]] or handler.batches == [["a1", "b1"]]


# Through the app: the same path as the channels (app.handle), SQLite and PostgreSQL.

# the form by its name (either menu level)
REPORT = ("bao cao", "ngay hoi dai doan ket toan dan toc", "hom qua", "Nha van hoa", "120 nguoi", "co",
          "bo qua", "bo qua", "bo qua", "1")


async def _reporters(app, count: int) -> list[ChatUser]:
    sender = attach_recorder(app)
    async with app.db.transaction() as repos:
        village = next(u for u in await repos.directory.units(1) if u.kind == "village")
        for n in range(count):
            person = await repos.directory.add(Person(commune_id=1, unit_id=village.id, name=f"Trưởng thôn {n}",
                                                      role="reporter", created_at=app.clock()))
            await repos.directory.add(Identity(person_id=person.id, channel="console", external_id=f"v{n}"))
    return [ChatUser(app, sender, f"v{n}", f"Trưởng thôn {n}") for n in range(count)]


def _count_batches(app, monkeypatch) -> list[int]:
    sizes: list[int] = []
    handle = app.pipeline._handle_batch

    async def counting(batch):
        sizes.append(len(batch))
        return await handle(batch)

    monkeypatch.setattr(app.pipeline._batcher, "_handle_batch", counting)
    return sizes


async def test_many_reporters_at_once_each_file_their_report(database_url, clock, monkeypatch):
    app = await make_app(database_url, clock)
    try:
        reporters = await _reporters(app, 12)
        sizes = _count_batches(app, monkeypatch)

        async def file_report(user: ChatUser) -> list[bool]:
            return [await app.handle(user.inbound(text)) for text in REPORT]

        results = await asyncio.gather(*(file_report(user) for user in reporters))
        assert all(all(handled) for handled in results)
        assert max(sizes) > 1, sizes  # messages did share transactions
        await app.outbox.drain()
        async with app.db.transaction() as repos:
            reports = await repos.reports.in_commune(1, date(2026, 1, 1), date(2026, 12, 31))
            # each confirmation's audit entry, written with its batch (AuditRepo.write_deferred)
            history = [await repos.audit.for_entity("report", r.id) for r in reports]
        assert len({r.person_id for r in reports}) == len(reports) == 12
        assert [[(e.action, e.person_id, e.after) for e in entries] for entries in history] == [
            [("create", r.person_id, r.answers)] for r in reports]
        assert {r.answers["dia_diem"] for r in reports} == {"Nha van hoa"}
        for user in reporters:  # each saw exactly the conversation one reporter alone sees
            texts = user.sender.texts_for(user.target)
            assert len(texts) == len(REPORT) and texts[1].startswith("(1/7)") and "Đã ghi báo cáo số" in texts[-1]
    finally:
        await app.close()


async def test_a_message_that_fails_inside_a_batch_gets_an_apology_and_the_others_their_answers(
        database_url, clock, monkeypatch):
    app = await make_app(database_url, clock)
    try:
        reporters = await _reporters(app, 6)
        handle = router.handle

        async def failing_on_boom(ctx):
            if ctx.inbound.text == "boom":
                raise RuntimeError("a bug in a handler")
            await handle(ctx)

        monkeypatch.setattr(router, "handle", failing_on_boom)
        blocker = asyncio.Event()
        original = app.pipeline._handle_batch

        async def held_first(batch):  # hold the first batch so the rest queue into one
            await blocker.wait()
            return await original(batch)

        monkeypatch.setattr(app.pipeline._batcher, "_handle_batch", held_first)
        first = asyncio.create_task(app.handle(reporters[0].inbound("/trogiup")))
        await asyncio.sleep(0)
        rest = [asyncio.create_task(app.handle(user.inbound("boom" if n == 2 else "bao cao")))
                for n, user in enumerate(reporters[1:], start=1)]
        await asyncio.sleep(0)
        blocker.set()
        assert await first and all(await asyncio.gather(*rest))
        await app.outbox.drain()
        apology = app.translator.for_language("vi")("err.internal")
        for n, user in enumerate(reporters[1:], start=1):
            texts = user.sender.texts_for(user.target)
            assert len(texts) == 1
            assert (texts[0] == apology) == (n == 2), texts
    finally:
        await app.close()


async def test_the_same_update_submitted_twice_at_once_is_handled_once(app, reporter):
    inbound = reporter.inbound("/trogiup", message_id="tg-dup")
    assert sorted(await asyncio.gather(app.handle(inbound), app.handle(inbound))) == [False, True]
    await app.outbox.drain()
    assert len(reporter.sender.texts_for("reporter")) == 1
