"""The units a batch's arrival read brings along are kept for the transaction's later unit reads, and a unit
written in the same transaction is read again (storage/unit_memo.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import event
from support.app import VN

from storage.db import Database
from storage.models import Commune, Identity, Person, Unit

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)


async def _reporter(db: Database) -> tuple[int, int]:
    async with db.transaction() as repos:
        commune = await repos.directory.add(Commune(name="Nam Cường", province="Thái Nguyên"))
        unit = await repos.directory.add(Unit(commune_id=commune.id, name="Thôn A", kind="village"))
        person = await repos.directory.add(Person(commune_id=commune.id, unit_id=unit.id, name="Bà Lan",
                                                  role="reporter", created_at=NOW))
        await repos.directory.add(Identity(person_id=person.id, channel="zalo", external_id="u1"))
        return commune.id, unit.id


def _count_unit_reads(db: Database) -> list[str]:
    seen: list[str] = []

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def _statement(_conn, _cursor, statement, *_args):
        if statement.lstrip().startswith("SELECT") and "FROM unit" in statement:
            seen.append(statement)

    return seen


async def test_the_arrival_read_brings_the_senders_unit_and_no_unit_is_read_again(db):
    commune_id, unit_id = await _reporter(db)
    reads = _count_unit_reads(db)
    async with db.transaction() as repos:
        arrivals = await repos.arrivals.of_many([("zalo", "u1", "u1")])
        assert arrivals["zalo", "u1", "u1"].person.unit_id == unit_id
        row = await repos.directory.unit_row(unit_id)
        assert (row.id, row.name, row.kind, row.commune_id) == (unit_id, "Thôn A", "village", commune_id)
        assert await repos.directory.unit_names(commune_id, [unit_id]) == {unit_id: "Thôn A"}
        assert await repos.directory.unit_names(commune_id + 1, [unit_id]) == {}  # another commune's: not named
    assert reads == []
    async with db.transaction() as repos:  # a new transaction keeps nothing
        assert (await repos.directory.unit_row(unit_id)).name == "Thôn A"
    assert len(reads) == 1


async def test_a_unit_renamed_in_the_same_transaction_is_read_again(db):
    commune_id, unit_id = await _reporter(db)
    async with db.transaction() as repos:
        await repos.arrivals.of_many([("zalo", "u1", "u1")])
        unit = await repos.directory.unit(unit_id)
        await repos.directory_admin.change(unit, name="Thôn Mới", active=False)
        row = await repos.directory.unit_row(unit_id)
        assert (row.name, row.active) == ("Thôn Mới", False)
        assert await repos.directory.unit_names(commune_id, [unit_id]) == {unit_id: "Thôn Mới"}


async def test_a_unit_read_that_finds_nothing_keeps_nothing(db):
    await _reporter(db)
    async with db.transaction() as repos:
        assert await repos.directory.unit_row(999_999) is None
        assert await repos.directory.unit_names(1, [999_999]) == {}
