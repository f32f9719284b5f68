"""Matching keys for Vietnamese as people type it: with, without or with wrong diacritics, Telex/VNI leftovers,
politeness particles. Every parser in core/vnparse.py compares these keys, never the raw text."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Most messages are short answers that repeat ("1", "có", "bỏ qua", a village's name), folded several times
# each (command, menu, yes/no): short texts are folded once and remembered. Long texts are not kept.
_REMEMBERED_LENGTH = 80


def fold(text: str) -> str:
    """Accent-insensitive key, because the same word arrives with, without or with wrong diacritics.

    đ has no decomposition, so it is mapped by hand (ð too: legacy fonts render Đ with it).
    """
    text = text or ""
    return _fold_short(text) if len(text) <= _REMEMBERED_LENGTH else _fold(text)


def _fold(text: str) -> str:
    if text.isascii():  # nothing to normalise or strip
        return " ".join(text.lower().split())
    s = unicodedata.normalize("NFC", text).lower().replace("đ", "d").replace("ð", "d")
    # str.translate instead of a per-character generator: faster on a 100,000-report summary
    return " ".join(unicodedata.normalize("NFD", s).translate(_NONSPACING_MARKS).split())


class _NonspacingMarks(dict):
    """A str.translate table deleting every character of category Mn, each looked up once."""

    def __missing__(self, code: int) -> int | None:
        self[code] = value = None if unicodedata.category(chr(code)) == "Mn" else code
        return value


_NONSPACING_MARKS = _NonspacingMarks()


_TONE_KEYS = "sfrxj"  # Telex tone keys; never a final letter of a Vietnamese syllable
_FINALS = ("a", "e", "i", "o", "u", "y", "w", "c", "ch", "m", "n", "ng", "nh", "p", "t")
_VOWEL = re.compile(r"[aeiouyw]")
_VNI_DIGITS = re.compile(r"(?<=[a-z])[0-9]+")
_DIGIT_RUN = re.compile(r"[0-9]+")
_ALNUM_RUN = re.compile(r"[a-z0-9]+")
_ALPHA_RUN = re.compile(r"[a-z]+")
_NON_WORD = re.compile(r"[\W_]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def loose_word(word: str) -> str:
    """Undo IME-off leftovers in one folded ASCII word: VNI digits, Telex tone key, w-marks, doubles."""
    letters = _DIGIT_RUN.sub("", word)
    if letters != word and len(letters) >= 2 and _VOWEL.search(letters):
        word = _VNI_DIGITS.sub("", word)  # "tho6n" -> "thon"; but keep "t2", "q1", "2026"
    if not word.isalpha():
        return word
    rest = word[:-1]
    if len(word) >= 2 and word[-1] in _TONE_KEYS and _VOWEL.search(rest) and rest.endswith(_FINALS):
        word = rest  # "baos" -> "bao", "ngayf" -> "ngay"; "cards" stays (d is no Vietnamese final)
    word = re.sub(r"(?<=[aou])w", "", word).replace("w", "u")  # aw ow uw -> a o u; lone w is ư
    return re.sub(r"d{2,}", "d", re.sub(r"([aeo])\1+", r"\1", word))  # aa ee oo dd -> a e o d


def loose(text: str) -> str:
    """fold() made tolerant of Telex/VNI leftovers and punctuation, for matching names and answers.

    Aggressive on purpose ("cards" survives, "bus" becomes "bu"): it is only a matching key and is
    applied to both sides of every comparison.
    """
    text = text or ""
    return _loose_short(text) if len(text) <= _REMEMBERED_LENGTH else _loose(text)


def _loose(text: str) -> str:
    s = _NON_WORD.sub(" ", fold(text))
    return " ".join(_ALNUM_RUN.sub(lambda m: loose_word(m.group()), s).split())


_fold_short = lru_cache(maxsize=4096)(_fold)
_loose_short = lru_cache(maxsize=4096)(_loose)


def soft(text: str) -> str:
    """fold() with Telex repair on letter runs only, keeping digits and punctuation (for dates)."""
    return _ALPHA_RUN.sub(lambda m: loose_word(m.group()), fold(text))


PARTICLES = frozenset({"a", "nhe", "nha"})  # "có ạ", "hôm qua nhé": politeness, no meaning


def drop_particles(s: str) -> str:
    """Remove trailing politeness words so "hôm qua ạ" reads like "hôm qua"."""
    words = s.split(" ")
    while len(words) > 1 and words[-1] in PARTICLES:
        words.pop()
    return " ".join(words)


def wordy(text: str) -> str:
    """soft() as space-separated words, splitting glued letters/digits ("thu2" -> "thu 2")."""
    s = _LETTER_DIGIT.sub(" ", _NON_WORD.sub(" ", soft(text)))
    return " ".join(s.split())
