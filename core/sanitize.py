"""Text from a platform made safe to store, echo and log: no control, bidi-override or zero-width characters.

Names, group titles, captions and commands come from whoever is on the other end. A NUL breaks PostgreSQL text
columns; bidi overrides and zero-width characters make an echoed text read differently from what it is; a
newline in a logged field forges a log line.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width and bidi formatting characters (LRM/RLM, embeddings, overrides, isolates, the Arabic letter mark),
# the byte-order mark, and the noncharacters U+FDD0–U+FDEF.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufdd0-\ufdef]")


def _allowed(ch: str, keep: str) -> bool:
    """Drop C0/C1 controls (NUL included) except those in `keep`, surrogates and U+xFFFE/U+xFFFF."""
    if ch in keep:
        return True
    return unicodedata.category(ch) not in ("Cc", "Cs") and (ord(ch) & 0xFFFE) != 0xFFFE


def strip_invisible(text: str, *, keep: str = "\n\t") -> str:
    """`text` without control (but the ones in `keep`), bidi-override, zero-width characters and NUL."""
    if text.isprintable() and not _INVISIBLE.search(text):
        return text  # the usual case costs one scan
    return _INVISIBLE.sub("", "".join(ch for ch in text if _allowed(ch, keep)))


def one_line(text: str) -> str:
    """A name or title: any run of whitespace (newlines too) one space, invisible characters gone."""
    return strip_invisible(" ".join(text.split()), keep="")


def log_safe(value: object, limit: int = 80) -> str:
    """A platform-given value for a log line: non-printable characters escaped (so no forged lines), cut short."""
    text = str(value)[:limit]
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
