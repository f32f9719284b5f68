"""Cutting a label or a line to a length at a word boundary, with "…": "văn hóa…", never "vă…"."""

from __future__ import annotations


def cut_words(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters; else its longest run of whole words that fits with "…"
    (one word longer than the limit is cut inside, as nothing else fits)."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    inside_word = text[limit - 1] != " " and not cut.endswith(" ")
    if inside_word and " " in cut:  # drop the word the cut falls in
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:-–") + "…"
