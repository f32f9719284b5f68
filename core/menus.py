"""Menu options as conversations keep them: a value and every label that selects it."""

from __future__ import annotations

from typing import Any

from core.messages import Choice


def option(value: str | int, *labels: str) -> dict[str, Any]:
    """A menu option as kept in conversation state: its value and every label that selects it."""
    return {"value": str(value), "labels": [label for label in labels if label]}


def choices_of(options: list[dict[str, Any]]) -> list[Choice]:
    """The options as the neutral choices a channel renders (numbered lines, or buttons on Telegram)."""
    return [Choice(value=o["value"], label=o["labels"][0]) for o in options]
