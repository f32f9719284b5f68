"""Load and validate a plan file; every error names the file, the line and what is wrong."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from plan.schema import Plan, PlanReferenceError

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SHIPPED_PLAN = Path(__file__).parent / "plans" / "nam_cuong_2026.yaml"


class PlanError(ValueError):
    """A plan file that cannot be used; the message is meant for the person who edits the file."""


def load_plan(path: str | Path) -> Plan:
    """Read, parse and validate a plan file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"{path}: cannot read the plan file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise PlanError(f"{path}: the plan file is not UTF-8 text") from None
    return parse_plan(text, source=str(path))


def parse_plan(text: str, *, source: str = "<plan>") -> Plan:
    try:
        # Parse once (with libyaml when present): the node tree gives line numbers, and the data is built from it.
        root = yaml.compose(text, Loader=_FAST_LOADER)
        data = _FAST_LOADER("").construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f"line {mark.line + 1}" if mark else "unknown line"
        raise PlanError(f"{source}, {line}: not valid YAML: {exc.problem}") from None
    if not isinstance(data, dict):
        raise PlanError(f"{source}, line 1: a plan file is a mapping of keys (year, forms, …)")
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        raise PlanError(_describe(exc, root, source)) from None


@lru_cache(maxsize=8)
def load_plan_cached(path: str) -> Plan:
    """The plan is read once per process; it is immutable afterwards."""
    return load_plan(path)


def _describe(exc: ValidationError, root: yaml.Node, source: str) -> str:
    lines = []
    for error in exc.errors(include_url=False)[:10]:
        location = tuple(error["loc"])
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, PlanReferenceError):  # a cross-reference: point at the offending value
            location += cause.loc
        node = _node_at(root, location)
        line = node.start_mark.line + 1 if node is not None else 1
        where = ".".join(str(part) for part in location) or "plan"
        message = error["msg"].removeprefix("Value error, ")
        lines.append(f"{source}, line {line}: {where}: {message}")
    return "\n".join(lines)


def _node_at(node: yaml.Node | None, location: tuple) -> yaml.Node | None:
    """The deepest YAML node along a validation error's location (for its line number)."""
    for part in location:
        child = _child(node, part)
        if child is None:
            break
        node = child
    return node


def _child(node: yaml.Node | None, part: object) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return node.value[part]
    return None
