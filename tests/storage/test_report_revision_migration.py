"""Migration 0019 gives every report a revision (0), which each edit then raises (storage/report_cache.py keys the
decoded reports by it); downgraded and upgraded again, a database with reports (and files that refer to them)
keeps them all."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from support.app import make_app
from support.migrations import migrate

from storage.models import Report, StoredFile


async def test_reports_get_revision_zero_and_an_edit_raises_it(database_url, clock):
    app = await make_app(database_url, clock)
    try:
        async with app.db.transaction() as repos:
            for day in (date(2026, 3, 2), date(2026, 4, 5)):
                await repos.reports.add(Report(commune_id=1, unit_id=1, person_id=1, form_id="ngay_hoi",
                                               activity_date=day, answers={"so_nguoi": 3}, created_at=clock()))
            await repos.files.add(StoredFile(kind="photo", name="a.png", mime="image/png", size=1, content=b"x",
                                             report_id=1, created_at=clock()))  # a row that refers to a report
        async with app.db.engine.begin() as connection:
            count = (await connection.execute(text("SELECT count(*) FROM report"))).scalar_one()
            await connection.run_sync(migrate, "downgrade", "0018_province_rows")
            await connection.run_sync(migrate, "upgrade", "heads")
        assert count == 2
        async with app.db.transaction() as repos:
            report = await repos.reports.get(1)
            await repos.reports.update_answers(report, dict(report.answers), report.activity_date, clock())
        async with app.db.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, revision FROM report ORDER BY id"))).all()
        assert len(rows) == count and {tuple(row) for row in rows} == {(1, 1)} | {(row[0], 0) for row in rows[1:]}
    finally:
        await app.close()
