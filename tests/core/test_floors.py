"""Dependencies point one way (docs/architecture.md, "Floors"): every import of the project's packages, read
from the source, points to its own package or to a floor below it; bot/channels/ never imports handlers/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "plan", "storage", "reminders", "summaries", "handlers", "bot")
# What each package may import besides itself: the floors below it.
ALLOWED = {
    "core": set(),
    "plan": {"core"},
    "storage": {"core"},
    "reminders": {"core", "plan", "storage"},
    "summaries": {"core", "plan", "storage"},
    "handlers": {"core", "plan", "storage", "reminders", "summaries"},
    "bot.channels": {"core", "plan", "storage", "bot"},  # the conversation core only through ChannelHost
    "bot": {"core", "plan", "storage", "reminders", "summaries", "handlers"},
}


def _floor(path: Path) -> str:
    parts = path.relative_to(ROOT).parts
    return "bot.channels" if parts[:2] == ("bot", "channels") else parts[0]


def _imported_packages(path: Path) -> set[str]:
    """The project packages a module imports, at its top or inside a function (lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {name.split(".")[0] for name in names} & set(PACKAGES)
    return found


def _modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down(path: Path) -> None:
    floor = _floor(path)
    own = floor.split(".")[0]
    upward = _imported_packages(path) - ALLOWED[floor] - {own}
    assert not upward, f"{path.relative_to(ROOT)} ({floor}) imports {sorted(upward)}, a floor above or beside it"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The reader finds imports wherever they are, so the rule above cannot pass by reading nothing."""
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef later():\n    from handlers.router import handle\n    import bot.app\n")
    assert _imported_packages(module) == {"handlers", "bot"}
