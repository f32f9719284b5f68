"""One repository contract, run on SQLite always and on PostgreSQL through the throwaway cluster."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import StatementError
from sqlmodel import SQLModel
from support.app import VN
from support.one_village import one_village

import storage.models  # noqa: F401  (every table on SQLModel.metadata)
from storage.db import Database
from storage.models import Invite, ProcessedUpdate, Report

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)
LEASE = timedelta(minutes=2)


async def _commune(db: Database, name: str = "Nam Cường") -> tuple[int, int, int]:
    return await one_village(db, name, NOW)


async def test_ledger_claims_an_update_once(db):
    async with db.transaction() as repos:
        assert await repos.ledger.claim("zalo", "m1", NOW) is True
        assert await repos.ledger.claim("zalo", "m1", NOW) is False  # same transaction
        assert await repos.ledger.claim("telegram", "m1", NOW) is True  # another channel's id space
    async with db.transaction() as repos:
        assert await repos.ledger.claim("zalo", "m1", NOW) is False  # a later transaction
        assert await repos.ledger.claim("zalo", "m2", NOW) is True


async def test_ledger_claims_a_batch_in_one_statement_each_update_once(db):
    async with db.transaction() as repos:
        assert await repos.ledger.claim("zalo", "m1", NOW) is True
    async with db.transaction() as repos:
        keys = [("zalo", "m2"), ("zalo", "m1"), ("telegram", "m1"), ("zalo", "m2"), ("zalo", "tin nhắn \"3\"")]
        assert await repos.ledger.claim_many(keys, NOW) == {("zalo", "m2"), ("telegram", "m1"),
                                                            ("zalo", 'tin nhắn "3"')}
        assert await repos.ledger.claim_many([("zalo", "m2")], NOW) == set()  # same transaction
        assert await repos.ledger.claim_many([], NOW) == set()
    async with db.transaction() as repos:
        rows = (await repos.session.execute(select(ProcessedUpdate).order_by(ProcessedUpdate.id))).scalars().all()
    # recorded in the batch's order, with the instant it was received
    assert [(row.channel, row.external_id) for row in rows] == [
        ("zalo", "m1"), ("zalo", "m2"), ("telegram", "m1"), ("zalo", 'tin nhắn "3"')]
    assert {row.received_at for row in rows} == {NOW.astimezone(UTC)}


async def _enqueue(db: Database, key: str, priority: int = 0, channel: str = "zalo", at: datetime = NOW) -> bool:
    async with db.transaction() as repos:
        return await repos.outbox.enqueue(channel=channel, chat_id="c1", payload={"text": key},
                                          dedupe_key=key, now=at, priority=priority)


async def _claim(db: Database, at: datetime, channels: tuple[str, ...] = ("zalo",), limit: int = 10):
    async with db.transaction() as repos:
        return await repos.outbox.claim_due(at, channels=channels, limit=limit, lease=LEASE)


async def test_outbox_enqueue_is_deduplicated(db):
    assert await _enqueue(db, "reply:1") is True
    assert await _enqueue(db, "reply:1") is False
    async with db.transaction() as repos:
        assert await repos.outbox.counts() == {"pending": 1}


async def test_outbox_claims_by_priority_then_age_within_channel_and_limit(db):
    for key, priority in (("broadcast", 3), ("reply-a", 0), ("reminder", 1), ("reply-b", 0)):
        await _enqueue(db, key, priority)
    await _enqueue(db, "telegram-reply", 0, channel="telegram")
    await _enqueue(db, "later", 0, at=NOW + timedelta(minutes=1))  # not due yet
    first = await _claim(db, NOW, limit=3)
    assert [row.dedupe_key for row in first] == ["reply-a", "reply-b", "reminder"]
    assert all(row.status == "sending" and row.attempts == 1 for row in first)
    rest = await _claim(db, NOW)
    assert [row.dedupe_key for row in rest] == ["broadcast"]  # claimed rows are not handed out twice
    assert [row.dedupe_key for row in await _claim(db, NOW + timedelta(minutes=1))] == ["later"]


async def test_outbox_lease_expiry_lets_another_worker_reclaim(db):
    await _enqueue(db, "reply:1")
    [row] = await _claim(db, NOW)
    assert await _claim(db, NOW + LEASE - timedelta(seconds=1)) == []  # the first worker still holds it
    [again] = await _claim(db, NOW + LEASE + timedelta(seconds=1))  # that worker died
    assert again.id == row.id and again.attempts == 2


async def test_outbox_sent_retry_and_failed(db):
    for key in ("ok", "retry", "bad"):
        await _enqueue(db, key)
    rows = {row.dedupe_key: row.id for row in await _claim(db, NOW)}
    retry_at = NOW + timedelta(minutes=5)
    async with db.transaction() as repos:
        await repos.outbox.mark_sent(rows["ok"], NOW)
        await repos.outbox.mark_retry(rows["retry"], "429 " + "x" * 600, retry_at)
        await repos.outbox.mark_failed(rows["bad"], "400 bad request")
        assert await repos.outbox.counts() == {"sent": 1, "pending": 1, "failed": 1}
        assert await repos.outbox.pending_count() == 1  # what /healthz reports, from the queue index
        by_key = {row.dedupe_key: row for row in await repos.outbox.for_chat("zalo", "c1")}
    assert by_key["ok"].sent_at == NOW and by_key["ok"].claimed_until is None
    assert len(by_key["retry"].error) == 500 and by_key["retry"].next_attempt_at == retry_at
    assert by_key["bad"].error == "400 bad request"
    assert await _claim(db, retry_at - timedelta(seconds=1)) == []
    [due] = await _claim(db, retry_at)
    assert due.dedupe_key == "retry" and due.attempts == 2


async def test_conversations_save_get_clear(db):
    async with db.transaction() as repos:
        await repos.conversations.save("zalo", "chat", "u1", "report", {"step": "form", "n": [1, 2]}, NOW)
        await repos.conversations.save("zalo", "chat", "u2", "language", {"step": "pick"}, NOW)
    later = NOW + timedelta(hours=1)
    async with db.transaction() as repos:
        await repos.conversations.save("zalo", "chat", "u1", "report", {"step": "field", "index": 3}, later)
    async with db.transaction() as repos:
        row = await repos.conversations.get("zalo", "chat", "u1")
        assert (row.flow, row.state, row.updated_at) == ("report", {"step": "field", "index": 3}, later)
        await repos.conversations.clear("zalo", "chat", "u1")
    async with db.transaction() as repos:
        assert await repos.conversations.get("zalo", "chat", "u1") is None
        assert (await repos.conversations.get("zalo", "chat", "u2")).flow == "language"


async def test_reports_by_person_and_commune_ignore_deleted_and_respect_dates(db):
    commune_id, unit_id, person_id = await _commune(db)
    other_commune, other_unit, other_person = await _commune(db, "Xuân Lạc")

    def report(day: date, person: int = person_id, commune: int = commune_id, unit: int = unit_id) -> Report:
        return Report(commune_id=commune, unit_id=unit, person_id=person, form_id="ngay_hoi", activity_date=day,
                      answers={"ngay": day.isoformat()}, created_at=NOW)

    async with db.transaction() as repos:
        kept = [await repos.reports.add(report(date(2026, 10, d))) for d in (1, 15)]
        gone = await repos.reports.add(report(date(2026, 10, 20)))
        await repos.reports.add(report(date(2026, 9, 30)))  # outside the range
        await repos.reports.add(report(date(2026, 10, 5), other_person, other_commune, other_unit))
        await repos.reports.soft_delete(gone, NOW)
    async with db.transaction() as repos:
        mine = await repos.reports.by_person(person_id, date(2026, 10, 1), date(2026, 12, 31))
        commune = await repos.reports.in_commune(commune_id, date(2026, 10, 1), date(2026, 10, 15))
        assert [r.id for r in mine] == [r.id for r in kept]
        assert [r.id for r in commune] == [r.id for r in kept]  # both ends of the range are included
        assert (await repos.reports.get(gone.id)).deleted_at == NOW


async def test_invites_by_hash_and_mark_used(db):
    commune_id, unit_id, person_id = await _commune(db)
    async with db.transaction() as repos:
        await repos.invites.add(Invite(code_hash="h" * 64, commune_id=commune_id, unit_id=unit_id, role="reporter",
                                       created_at=NOW, expires_at=NOW + timedelta(days=14)))
    async with db.transaction() as repos:
        invite = await repos.invites.by_hash("h" * 64)
        assert invite.used_at is None and await repos.invites.by_hash("x" * 64) is None
        await repos.invites.mark_used(invite, person_id, NOW)
    async with db.transaction() as repos:
        invite = await repos.invites.by_hash("h" * 64)
        assert (invite.used_at, invite.used_by, invite.expires_at) == (NOW, person_id, NOW + timedelta(days=14))


async def test_baselines_upsert_per_unit_and_year(db):
    commune_id, unit_id, _ = await _commune(db)
    _, other_unit, _ = await _commune(db, "Đồng Lạc")
    async with db.transaction() as repos:
        await repos.directory.set_baseline(unit_id, 2026, "households", 100)
        await repos.directory.set_baseline(unit_id, 2027, "households", 90)
        await repos.directory.set_baseline(other_unit, 2026, "households", 70)
    async with db.transaction() as repos:
        await repos.directory.set_baseline(unit_id, 2026, "households", 120)  # corrected: replaces
    async with db.transaction() as repos:
        rows = await repos.directory.baselines(commune_id, 2026)
    assert [(r.unit_id, r.key, r.value) for r in rows] == [(unit_id, "households", 120)]


async def test_utc_datetime_round_trip_keeps_the_instant_and_awareness(db):
    await _enqueue(db, "tz", at=datetime(2026, 1, 1, 0, 30, tzinfo=VN))  # 31/12/2025 17:30 UTC
    async with db.transaction() as repos:
        [row] = await repos.outbox.for_chat("zalo", "c1")
    assert row.created_at == datetime(2025, 12, 31, 17, 30, tzinfo=UTC)
    assert row.created_at.utcoffset() == timedelta(0)
    with pytest.raises(StatementError, match="naive datetime"):
        await _enqueue(db, "naive", at=datetime(2026, 1, 1, 0, 30))


async def test_migrations_match_the_models(db):
    """After `upgrade heads`, autogenerate finds nothing to add: the migrations mirror storage/models.py."""
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}),
                                          SQLModel.metadata))
    assert differences == []
