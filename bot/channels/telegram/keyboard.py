"""Inline keyboards: one button per choice, callback data "k:<menu key>:<option index>" (well under 64 bytes)."""

from __future__ import annotations

import secrets

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.menus import numbered
from core.messages import Choice
from core.wordcut import cut_words

MAX_LABEL = 40  # longer labels are cut on the button; the full text is in the numbered list above it


def new_key() -> str:
    """A fresh key per menu, so a button of an older menu is never taken for one of the current menu."""
    return secrets.token_urlsafe(6)


def callback_data(key: str, index: int) -> str:
    return f"k:{key}:{index}"


def button_label(number: int, label: str) -> str:
    text = f"{number}. {label}"
    return cut_words(text, MAX_LABEL)


def markup(choices: tuple[Choice, ...], key: str) -> InlineKeyboardMarkup:
    """One button per row: old phones show long Vietnamese labels better stacked than side by side."""
    rows = [[InlineKeyboardButton(button_label(number, label), callback_data=callback_data(key, i))]
            for i, (number, label) in enumerate(numbered(choices))]
    return InlineKeyboardMarkup(rows)
