"""Migration 0020: stored files' bytes are kept as they come on PostgreSQL (STORAGE EXTERNAL), without pglz's
attempt to compress a DOCX, an XLSX or a photo that is compressed already; downgraded, the default again."""

from __future__ import annotations

from sqlalchemy import text
from support.app import make_app
from support.migrations import migrate

from storage.models import StoredFile

STORAGE = ("SELECT attstorage::text FROM pg_attribute WHERE attrelid = 'storedfile'::regclass AND attname = 'content'")


async def test_file_content_is_stored_uncompressed_and_files_survive_both_ways(database_url, clock):
    app = await make_app(database_url, clock)
    postgresql = app.db.dialect == "postgresql"
    content = bytes(range(256)) * 4096  # 1 MB
    try:
        async with app.db.transaction() as repos:
            stored = await repos.files.add(StoredFile(kind="document", name="a.xlsx", mime="application/zip",
                                                      size=len(content), content=content, created_at=clock()))
        async with app.db.engine.begin() as connection:
            if postgresql:
                assert (await connection.execute(text(STORAGE))).scalar_one() == "e"
            await connection.run_sync(migrate, "downgrade", "0019_report_revision")
            if postgresql:
                assert (await connection.execute(text(STORAGE))).scalar_one() == "x"
            await connection.run_sync(migrate, "upgrade", "heads")
            if postgresql:
                assert (await connection.execute(text(STORAGE))).scalar_one() == "e"
        async with app.db.transaction() as repos:
            assert (await repos.files.get(stored.id)).content == content
    finally:
        await app.close()
