"""constraints.txt pins every dependency pyproject.toml declares, within its range (so a new dependency or a
narrowed range cannot land without refreshing the pins CI and README's install use)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            assert pinned, f"constraints.txt: not a pin: {line!r}"
            pins[canonicalize_name(name)] = pinned.strip()
    return pins


def test_every_declared_dependency_is_pinned_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = _pins()
    for text in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        requirement = Requirement(text)
        pinned = pins.get(canonicalize_name(requirement.name))
        assert pinned is not None, f"{requirement.name} is not in constraints.txt (refresh it: docs/deployment.md)"
        assert requirement.specifier.contains(pinned, prereleases=True), f"{requirement.name}=={pinned} vs {text}"


def test_the_project_itself_is_not_pinned():
    assert "mttq-bot" not in _pins()
