"""Amounts of money as village officials type them: "2 triệu rưỡi", "1,5 tr", "500k", "năm trăm nghìn",
"2.500.000đ", "2tr5", "3 triệu 200".

A money answer holds only an amount: digits or number words, scale words (tỷ, triệu/tr, nghìn/ngàn/k,
trăm), "rưỡi", a currency word (đồng, đ, vnđ) and a leading "khoảng"-like word. Anything else ("khoảng 150
người", "nhiều") is refused with err.money.unreadable, whose text shows examples — a count typed into a
money field must not be stored as đồng. Pure, like core.vnparse (its limits and ParseError).

A number right after a scale with no scale of its own continues it positionally, as people write on
receipts: "2tr5" = 2.500.000, "3 triệu 200" = 3.200.000, "1k5" = 1.500.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from core.vnparse import ParseError, _check_range, _number_word, _run_value, _word_runs, fold

_MAX_INPUT = 200
_SCALES = {"ty": 10**9, "trieu": 10**6, "tr": 10**6, "nghin": 1000, "ngan": 1000, "k": 1000, "tram": 100,
           "tramnghin": 10**5, "tramtrieu": 10**8}
_CURRENCY = {"dong", "d", "vnd", "vnđ"}
_LEADING = {"khoang", "tam", "chung", "gan", "hon", "tren", "do", "uoc", "tong", "cong", "la", "het", "tri", "gia"}
_TOKEN = re.compile(r"\s*(?:(?P<num>[0-9]{1,3}(?:([.,])[0-9]{3})(?:\2[0-9]{3})*(?![0-9])|[0-9]+(?:[.,][0-9]+)?)"
                    r"|(?P<word>[a-z]+)|(?P<junk>\S))")
_ACCENTED_LEADING = {unicodedata.normalize("NFC", w) for w in (
    "khoảng", "chừng", "tầm", "gần", "hơn", "trên", "độ", "ước", "tổng", "cộng", "là", "hết", "trị", "giá")}
_ACCENTED_CURRENCY = {unicodedata.normalize("NFC", w) for w in ("đồng", "đ", "vnđ", "vnd", "dong")}


def parse_money(text: str, minimum: int | None = 0, maximum: int | None = None) -> int | ParseError:
    """The amount in đồng, or err.money.unreadable / err.number.* when it is not an amount in range."""
    unreadable = ParseError("err.money.unreadable")
    if not text or len(text) > _MAX_INPUT:
        return unreadable
    value = _from_digits(text) if re.search(r"[0-9]", text) else _from_words(text)
    if value is None:
        return unreadable
    if value != value.to_integral_value():
        return ParseError("err.number.not_whole")
    return _check_range(int(value), minimum, maximum)


def _tokens(text: str) -> list[tuple[str, str]] | None:
    s = re.sub(r"\btram (nghin|ngan|trieu)\b", lambda m: "tram" + ("trieu" if m[1] == "trieu" else "nghin"),
               fold(text).replace("vnđ", "vnd"))
    tokens, position = [], 0
    for match in _TOKEN.finditer(s):
        if match.start() != position or match["junk"]:
            return None
        position = match.end()
        tokens.append(("num", match["num"]) if match["num"] else ("word", match["word"]))
    return tokens if s[position:].strip() == "" else None


def _number(raw: str) -> Decimal | None:
    if re.fullmatch(r"[0-9]{1,3}([.,])[0-9]{3}(\1[0-9]{3})*", raw):
        return Decimal(re.sub(r"[.,]", "", raw))
    try:
        return Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None


def _from_digits(text: str) -> Decimal | None:
    """Digits with scales: (number scale)* in falling order, then a bare remainder, "rưỡi" or a currency."""
    tokens = _tokens(text)
    if not tokens:
        return None
    while tokens and tokens[0] == ("word", tokens[0][1]) and tokens[0][1] in _LEADING:
        tokens = tokens[1:]
    while tokens and tokens[-1][0] == "word" and tokens[-1][1] in _CURRENCY:
        tokens = tokens[:-1]
    total, pending, last_scale, half_used = Decimal(0), None, None, False
    for kind, raw in tokens:
        if kind == "num":
            if pending is not None or half_used:
                return None
            pending = _number(raw)
            if pending is None:
                return None
        elif raw in _SCALES:
            scale = _SCALES[raw]
            if pending is None or (last_scale is not None and scale >= last_scale):
                return None
            total, pending, last_scale = total + pending * scale, None, scale
        elif raw == "ruoi" and pending is None and last_scale is not None and not half_used:
            total, half_used = total + Decimal(last_scale) / 2, True
        else:
            return None
    if pending is not None:
        total += pending if last_scale is None else _remainder(pending, last_scale)
    return total if tokens else None


def _remainder(number: Decimal, scale: int) -> Decimal:
    """The digits after a scale continue it: after triệu, "5" is 5 trăm nghìn and "500" is 500 nghìn."""
    digits = len(str(int(number))) if number == number.to_integral_value() else 0
    if digits == 0 or 10**digits > scale:
        return number  # "2 triệu 1500" is read as written: 2.001.500
    return number * scale / 10**digits


def _from_words(text: str) -> Decimal | None:
    """Number words only ("hai triệu rưỡi", "năm trăm nghìn đồng"), after dropping leading and currency words."""
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text).lower())
    while words and words[0] in _ACCENTED_LEADING | (_LEADING - {"tam"}):
        words = words[1:]
    while words and words[-1] in _ACCENTED_CURRENCY:
        words = words[:-1]
    if not words or any(_number_word(w) is None for w in words):
        return None
    runs = _word_runs(" ".join(words))
    if len(runs) != 1 or len(runs[0]) != len(words) or not any(kind in "dt" for kind, _ in runs[0]):
        return None  # "triệu" alone names no amount
    value = _run_value(runs[0])
    return None if value is None else Decimal(value)
