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
