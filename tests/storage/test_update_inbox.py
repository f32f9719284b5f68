"""The update inbox (storage/inbox.py) on every backend: recorded in order, a replay left as it is, removed."""

from __future__ import annotations

from support.app import make_app


async def test_record_read_back_in_order_and_remove(database_url, clock):
    app = await make_app(database_url, clock, demo=False)
    first = {"event_name": "message.text.received", "message": {"message_id": "a" * 20, "text": "xin chào"}}
    second = {"event_name": "message.text.received", "message": {"message_id": "b" * 20, "text": "báo cáo"}}
    async with app.db.transaction() as repos:
        await repos.inbox.record_many("zalo", [("a" * 20, first), ("b" * 20, second)], clock())
    async with app.db.transaction() as repos:
        await repos.inbox.record_many("zalo", [("a" * 20, {"replayed": True})], clock())  # already there: kept
        await repos.inbox.record_many("telegram", [("a" * 20, first)], clock())  # another channel's own
    async with app.db.transaction() as repos:
        assert await repos.inbox.waiting("zalo") == [("a" * 20, first), ("b" * 20, second)]
        await repos.inbox.remove_many("zalo", ["a" * 20])
    async with app.db.transaction() as repos:
        assert await repos.inbox.waiting("zalo") == [("b" * 20, second)]
        assert await repos.inbox.waiting("telegram") == [("a" * 20, first)]
    await app.close()
