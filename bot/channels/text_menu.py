"""The neutral renderer every channel shares: numbered menus, and text cut to the channel's limits."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from bot.channels.base import ChannelLimits
from core.i18n import Translate
from core.menus import footer, numbered
from core.messages import Reply


def render_numbered(reply: Reply, t: Translate) -> str:
    """The reply's text, then its choices as "1. …" lines and a one-line instruction."""
    if not reply.choices:
        return reply.text
    lines = [reply.text, *(f"{n}. {label}" for n, label in numbered(reply.choices)), footer(t, reply.choices)]
    return "\n".join(lines)


def text_pieces(reply: Reply, t: Translate, limits: ChannelLimits, after: Sequence[str] = ()) -> list[str]:
    """The messages a reply's text becomes on a channel: choices numbered (under buttons too, so they can be
    typed), then the paragraphs `after` (a channel without files adds their links), in composed Unicode
    (shorter, and never cut between a letter and its marks), each message at most `limits.text` long."""
    text = "\n\n".join([render_numbered(reply, t), *after])
    return split_text(unicodedata.normalize("NFC", text), limits.text)


def as_caption(reply: Reply, pieces: list[str], limits: ChannelLimits) -> bool:
    """Whether the whole text can ride as the attachment's caption (one message instead of two): it must be
    one piece within the caption length, and buttons, where the channel has them, need a text message."""
    text = pieces[0] if pieces else ""
    return len(pieces) <= 1 and len(text) <= limits.caption and not (reply.choices and limits.buttons)


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, else a line, else a word boundary."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = _best_cut(rest, limit)
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _best_cut(text: str, limit: int) -> int:
    window = text[:limit + 1]
    for separator in ("\n\n", "\n", " "):
        position = window.rfind(separator)
        if position > limit // 4:  # a cut too near the start would make many tiny pieces
            return position
    cut = limit  # one very long word: cut it, but never between a letter and its combining marks
    while cut > 1 and unicodedata.combining(text[cut]):
        cut -= 1
    return cut
