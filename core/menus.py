"""Menu options as conversations keep them: a value and every label that selects it."""

from __future__ import annotations

from typing import Any

from core.messages import Choice

MESSAGE_CHARS = 300  # the longest message the bot sends in a conversation (read on a cheap phone's screen)


def menu_chars(text: str, labels: list[str], footer: str) -> int:
    """How long a numbered menu is once rendered (bot/channels/text_menu.render_numbered)."""
    return len(text) + sum(len(f"\n{n}. {label}") for n, label in enumerate(labels, start=1)) + 1 + len(footer)


def option(value: str | int, *labels: str) -> dict[str, Any]:
    """A menu option as kept in conversation state: its value and every label that selects it."""
    return {"value": str(value), "labels": [label for label in labels if label]}


def choices_of(options: list[dict[str, Any]]) -> list[Choice]:
    """The options as the neutral choices a channel renders (numbered lines, or buttons on Telegram)."""
    return [Choice(value=o["value"], label=o["labels"][0]) for o in options]


def line_pages(header: str, lines: list[str], more_for, limit: int = MESSAGE_CHARS) -> list[list[str]]:
    """A long list in pages that each fit `limit` with the header and the "more" line `more_for(page, pages)`
    says under every page but the last (a sample call sizes it); a line too long alone gets a page alone."""
    if len(header) + sum(1 + len(line) for line in lines) <= limit:
        return [list(lines)]  # all fit: no "more" line to make room for
    reserve = len(more_for(99, 99)) + 1
    pages: list[list[str]] = [[]]
    used = len(header)
    for line in lines:
        if pages[-1] and used + 1 + len(line) + reserve > limit:
            pages.append([])
            used = len(header)
        pages[-1].append(line)
        used += 1 + len(line)
    return pages


def page_text(header: str, lines: list[str], more_for, page: int, limit: int = MESSAGE_CHARS) -> str:
    """Page `page` (1-based, kept in range) of `lines` under `header`, with the "more" line if pages follow."""
    split = line_pages(header, lines, more_for, limit)
    page = min(max(page, 1), len(split))
    shown = [header, *split[page - 1]]
    if page < len(split):
        shown.append(more_for(page + 1, len(split)))
    return "\n".join(shown)
