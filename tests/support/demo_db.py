"""The demo app on a copy of one migrated, seeded SQLite file: what make_app builds, for a fraction of the CPU.

Migrating and seeding a fresh database costs ~0.3 s of CPU; copying a file costs almost nothing. The
template is made once per test process with the current migrations, so a copy is exactly what
`make_app(sqlite_url, clock)` would have built (except that the demo people's created_at is TEMPLATE_NOW).
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from bot.app import App, create_app
from support.app import VN, FakeClock, make_app, test_settings

TEMPLATE_NOW = datetime(2026, 1, 1, 8, 0, tzinfo=VN)
_template: list[Path] = []


async def _template_file() -> Path:
    if not _template:
        directory = Path(tempfile.mkdtemp(prefix="mttq-template-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)
        app = await make_app(f"sqlite+aiosqlite:///{directory}/template.db", FakeClock(TEMPLATE_NOW))
        await app.close()  # the last connection closing checkpoints the WAL into the file
        _template.append(directory / "template.db")
    return _template[0]


async def demo_app(directory: Path, clock: FakeClock, **overrides: object) -> App:
    """The bot on `directory`/mttq.db, a fresh copy of the migrated database with the demo commune."""
    template = await _template_file()
    for suffix in ("", "-wal"):
        if Path(f"{template}{suffix}").exists():
            shutil.copyfile(f"{template}{suffix}", directory / f"mttq.db{suffix}")
    settings = test_settings(f"sqlite+aiosqlite:///{directory}/mttq.db", **overrides)
    return await create_app(settings, clock=clock, migrate=False)
