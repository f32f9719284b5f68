"""The `mttq-bot` command starts with the cyclic collector off and turns it back on once set up (bot/__init__.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _probe(argv0: str) -> list[str]:
    code = textwrap.dedent(f"""
        import gc, sys
        sys.argv[0] = {argv0!r}
        import bot.cli
        during = gc.isenabled()
        bot.cli.start_collecting()
        print(during, gc.isenabled(), gc.get_freeze_count() > 0)
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_command_imports_without_the_collector_and_then_collects_again():
    assert _probe("/srv/mttq/.venv/bin/mttq-bot") == ["False", "True", "True"]


def test_importing_the_bot_any_other_way_leaves_the_collector_alone():
    assert _probe("/usr/bin/pytest") == ["True", "True", "False"]


def test_the_built_bot_leaves_the_document_renderers_to_its_workers(tmp_path):
    """python-docx (with lxml), xlsxwriter, openpyxl and matplotlib are imported by the render workers (their fork
    server preloads them), never by the bot's own start: each held megabytes of the idle bot's memory for
    nothing (bench/bench_startup.py, idle RSS ≤ 120 MB)."""
    code = textwrap.dedent(f"""
        import asyncio, sys
        import bot.cli, bot.runner
        from bot.app import create_app
        from bot.settings import Settings

        async def main():
            app = await create_app(Settings(_env_file=None, database_url="sqlite+aiosqlite:///{tmp_path}/m.db"))
            await app.close()

        asyncio.run(main())
        print(sorted(n for n in sys.modules if n.split('.')[0] in ('docx', 'lxml', 'xlsxwriter', 'openpyxl',
                                                                    'matplotlib')))
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
