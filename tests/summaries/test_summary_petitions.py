"""The 100% petition indicators from the petition records: loaded on every backend, shown by /tonghop."""

from __future__ import annotations

from datetime import date

from support.app import make_app

from plan.petition_lifecycle import ANSWERED, NOT_COMPETENT, RECEIVED, RESOLVED
from storage.models import Petition
from summaries.load import load_snapshot

# (source, status, received, closed) in the demo commune; the clock stands on 25/11/2026 (Quý IV)
ITEMS = [
    ("nhan_dan", RESOLVED, date(2026, 10, 5), date(2026, 11, 1)),
    ("nhan_dan", RECEIVED, date(2026, 11, 2), None),
    ("nhan_dan", NOT_COMPETENT, date(2026, 10, 9), date(2026, 10, 10)),  # redirected: in neither number
    ("sau_giam_sat", ANSWERED, date(2026, 3, 20), date(2026, 4, 2)),
    ("cu_tri", RECEIVED, date(2025, 12, 1), None),  # last year's, still open: listed, not counted
]


async def _add_petitions(app) -> None:
    async with app.db.transaction() as repos:
        commune = (await repos.directory.communes())[0]
        unit = (await repos.directory.units(commune.id))[1]
        person = (await repos.directory.people(commune.id))[0]
        for source, status, received, closed in ITEMS:
            await repos.petitions.create(Petition(
                commune_id=commune.id, unit_id=unit.id, person_id=person.id, year=received.year, number=0,
                source_kind=source, content=f"Kiến nghị {source}", received_on=received, status=status,
                closed_on=closed, created_at=app.clock(), updated_at=app.clock()))


async def test_snapshot_holds_the_years_petitions_and_older_open_ones(database_url, clock):
    app = await make_app(database_url, clock)
    try:
        await _add_petitions(app)
        async with app.db.transaction() as repos:
            commune = (await repos.directory.communes())[0]
            snapshot = await load_snapshot(repos, commune.id, 2026)
        got = sorted((p.reference, p.source_kind, p.status, p.received_on, p.closed_on) for p in snapshot.petitions)
        assert got == [("KN-2025-001", "cu_tri", RECEIVED, date(2025, 12, 1), None),
                       ("KN-2026-001", "nhan_dan", RESOLVED, date(2026, 10, 5), date(2026, 11, 1)),
                       ("KN-2026-002", "nhan_dan", RECEIVED, date(2026, 11, 2), None),
                       ("KN-2026-003", "nhan_dan", NOT_COMPETENT, date(2026, 10, 9), date(2026, 10, 10)),
                       ("KN-2026-004", "sau_giam_sat", ANSWERED, date(2026, 3, 20), date(2026, 4, 2))]
    finally:
        await app.close()


async def test_tonghop_shows_the_petition_shares_and_a_dash_without_items(app, chair, recorder):
    await _add_petitions(app)
    text = (await chair.say("/tonghop"))[0]
    lines = {line.split(" ", 2)[1].rstrip("."): line for line in text.splitlines() if line.startswith(("✅", "⚠️"))}
    assert "50%/100%" in lines["1.5.2"] and "(trong kỳ: 50%)" in lines["1.5.2"]  # 1 of 2; the redirected one out
    assert "100%/100% — đạt" in lines["1.2.2"] and "(trong kỳ: —)" in lines["1.2.2"]  # answered in Q2
    assert "—/100% (chưa có kiến nghị nào để tính)" in lines["1.3.2"]  # none at all: no value and why, not 0 %
