"""Reading pieces out of a whole sentence: words, phrases, a date and amounts, wherever they are written.

core.vnparse reads one short answer to one question; this module finds the same things inside a
report written as village heads write in their Zalo groups ("hôm qua thôn tổ chức ngày hội ở nhà văn
hóa có 150 người"). A sentence becomes a list of :class:`Token` (each with an accent- and Telex-
insensitive key and its place in the original text), and each finder returns the token span it used,
so a caller can stop one finding from reading another's words. Pure: ``today`` is a parameter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from core.vnparse import ParseError, loose, parse_date, parse_number

MAX_SENTENCE = 1000  # a report in one message is a few lines; longer text is not read as one

_TOKEN = re.compile(r"\d+(?:[/.,-]\d+)+|\w+|[,;:!?()\n]|(?<!\d)\.|\.(?!\d)")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_NUMERIC = re.compile(r"\d+(?:[.,]\d+)*")


@dataclass(frozen=True, slots=True)
class Token:
    key: str  # loose() form: no accents, Telex/VNI leftovers undone; "," for any punctuation
    start: int  # where the token's word is in the (NFC) sentence, for copying what was typed
    end: int

    @property
    def is_break(self) -> bool:
        return self.key == ","

    @property
    def is_number(self) -> bool:
        return self.key[0].isdigit()


def tokenize(text: str) -> tuple[str, list[Token]]:
    """The NFC sentence and its tokens; letters glued to digits are split ("150nguoi", "t7", "2tr5")."""
    s = unicodedata.normalize("NFC", text or "")[:MAX_SENTENCE]
    tokens: list[Token] = []
    for m in _TOKEN.finditer(s):
        raw = m.group()
        if raw[0].isdigit() and not raw.isalnum():
            tokens.append(Token(raw, m.start(), m.end()))  # "15/3", "1.200", "2,5" keep their separators
        elif not raw[0].isalnum():
            tokens.append(Token(",", m.start(), m.end()))
        else:
            for piece in _LETTER_DIGIT.sub(" ", loose(raw)).split():
                tokens.append(Token(piece, m.start(), m.end()))
    return s, tokens


def phrase_keys(phrase: str) -> tuple[str, ...]:
    """A plan phrase as the keys a sentence is compared with (punctuation dropped)."""
    return tuple(t.key for t in tokenize(phrase)[1] if not t.is_break)


@lru_cache(maxsize=65536)  # the same word pairs recur in every message
def _near(a: str, b: str) -> bool:
    """One typo (a letter missing, extra, wrong or two swapped) in words long enough to stay distinct."""
    if a == b:
        return True
    if min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def match_at(words: Sequence[str], at: int, phrase: Sequence[str]) -> int | None:
    """The end of `phrase` matched at `at` in `words` (two phrase words may be typed glued: "ngayhoi")."""
    j, k = 0, at
    while j < len(phrase):
        if k >= len(words):
            return None
        if _near(words[k], phrase[j]):
            j += 1
        elif j + 1 < len(phrase) and words[k] == phrase[j] + phrase[j + 1]:
            j += 2
        else:
            return None
        k += 1
    return k


def find_phrase(words: Sequence[str], phrase: Sequence[str], vocabulary: frozenset[str] | None = None,
                ) -> list[tuple[int, int]]:
    """Every (start, end) where the phrase occurs; `vocabulary` (the set of `words`) makes a miss cheap."""
    if not phrase:
        return []
    first, spans = phrase[0], []
    glued = first + phrase[1] if len(phrase) > 1 else None
    fuzzy = len(first) >= 5
    if vocabulary is not None and not fuzzy and first not in vocabulary and glued not in vocabulary:
        return []  # most phrases are not in a sentence: one set lookup instead of a scan
    starts = [at for at, w in enumerate(words) if w in (first, glued) or (fuzzy and _near(w, first))]
    for at in starts:  # most words start no phrase: checking the first word alone is ~10x cheaper
        end = match_at(words, at, phrase)
        if end is not None:
            spans.append((at, end))
    return spans


# --- the date --------------------------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}|\d{2}))?")
_DAY_PARTS = {"hom", "sang", "chieu", "toi", "trua", "dem", "bua", "ngay"}
_RELATIVE = {"nay": 0, "qua": -1, "kia": -2, "mai": 1}
_FUTURE_DAYS = {("ngay", "kia"): 2, ("ngay", "mot"): 2}
_WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
_SCALE_WORDS = {"trieu", "tr", "nghin", "ngan", "k", "ty", "ti", "dong", "d", "vnd"}
_LAST_WEEK = (("tuan", "truoc"), ("tuan", "roi"))
_JUST_PAST = (("vua", "roi"), ("vua", "qua"))


@dataclass(frozen=True, slots=True)
class Found:
    """A value read from tokens [start, end), or why a readable value cannot be used."""

    value: object
    start: int
    end: int


def _weekday_at(keys: Sequence[str], i: int) -> tuple[int, int] | None:
    """(weekday 0=Monday, end) for "thứ hai", "thứ 2", "t2", "chủ nhật", "cn" at i."""
    k = keys[i]
    nxt = keys[i + 1] if i + 1 < len(keys) else ""
    if i > 0 and keys[i - 1] in ("lan", "ky", "dot", "hang", "lop"):
        return None  # "lần thứ hai" is "the second time"
    if k == "thu" and nxt in _WEEKDAY_WORDS:
        return _WEEKDAY_WORDS[nxt], i + 2
    if k in ("thu", "t") and nxt in {"2", "3", "4", "5", "6", "7"}:
        return int(nxt) - 2, i + 2
    if k == "chu" and nxt == "nhat":
        return 6, i + 2
    if k == "cn":
        return 6, i + 1
    return None


def _weekday_date(keys: Sequence[str], i: int, today: date) -> tuple[date, int] | None:
    found = _weekday_at(keys, i)
    if found is None:
        return None
    weekday, end = found
    after = tuple(keys[end:end + 2])
    if after in _LAST_WEEK:  # "thứ bảy tuần trước": that day of the previous Monday-to-Sunday week
        monday = today - timedelta(days=today.weekday() + 7)
        return monday + timedelta(days=weekday), end + 2
    back = (today.weekday() - weekday) % 7
    if after in _JUST_PAST:  # "chủ nhật vừa rồi" said on a Sunday is the Sunday before
        return today - timedelta(days=back or 7), end + 2
    if after == ("tuan", "nay"):
        return today - timedelta(days=today.weekday()) + timedelta(days=weekday), end + 2
    return today - timedelta(days=back), end


def _relative_date(keys: Sequence[str], i: int, today: date) -> tuple[date, int] | None:
    k = keys[i]
    nxt = keys[i + 1] if i + 1 < len(keys) else ""
    if (k, nxt) in _FUTURE_DAYS:
        return today + timedelta(days=_FUTURE_DAYS[k, nxt]), i + 2
    if k in _DAY_PARTS and nxt in _RELATIVE and not (k == "ngay" and nxt in ("nay", "qua")):
        return today + timedelta(days=_RELATIVE[nxt]), i + 2
    if k in ("hqua", "homqua", "yesterday"):
        return today - timedelta(days=1), i + 1
    if k == "today":
        return today, i + 1
    if k == "ngay" and nxt in ("nay", "qua"):  # "ngày nay" is "nowadays"; only "ngày hôm qua" is a day
        return None
    return None


def _word_date(keys: Sequence[str], i: int, default_year: int) -> tuple[date | ParseError, int] | None:
    """"15 tháng 3 (năm 2026)" at i; "ngày"/"mùng" before it are consumed by the caller."""
    if not (keys[i].isdigit() and i + 2 < len(keys) and keys[i + 1] == "thang" and keys[i + 2].isdigit()):
        return None
    year, end = default_year, i + 3
    if end + 1 < len(keys) and keys[end] == "nam" and keys[end + 1].isdigit() and len(keys[end + 1]) in (2, 4):
        year, end = int(keys[end + 1]) % 100 + 2000 if len(keys[end + 1]) == 2 else int(keys[end + 1]), end + 2
    return _calendar(year, int(keys[i + 2]), int(keys[i])), end


def _calendar(year: int, month: int, day: int) -> date | ParseError:
    try:
        return date(year, month, day)
    except ValueError:
        return ParseError("err.date.invalid")


def _numeric_date(keys: Sequence[str], i: int, today: date, year: int) -> tuple[date | ParseError, int] | None:
    m = _NUMERIC_DATE.fullmatch(keys[i])
    if m is None or (i + 1 < len(keys) and keys[i + 1] in _SCALE_WORDS):
        return None  # "1.5 triệu" is money, not 1 May
    if "." in keys[i] and m[3] is None and i > 0 and keys[i - 1] not in ("ngay", "mung", "hom"):
        return None  # "2.5" alone is more often an amount than a date; "ngày 2.5" is a date
    value = parse_date(keys[i], today, year)
    if isinstance(value, ParseError) and value.code == "err.date.unreadable":
        return None
    if isinstance(value, ParseError) and value.code in ("err.date.future", "err.date.outside_year"):
        value = _calendar(int(m[3]) % 100 + 2000 if m[3] and len(m[3]) == 2 else int(m[3] or min(year, today.year)),
                          int(m[2]), int(m[1]))
    return value, i + 1


def _day_of_month(keys: Sequence[str], i: int, today: date) -> tuple[date | ParseError, int] | None:
    """"ngày 15" alone: the latest 15th on or before today."""
    if keys[i] not in ("ngay", "mung") or i + 1 >= len(keys) or not keys[i + 1].isdigit():
        return None
    day = int(keys[i + 1])
    if not 1 <= day <= 31 or (i + 2 < len(keys) and keys[i + 2] in ("thang", *_SCALE_WORDS)):
        return None
    month_start = today.replace(day=1)
    for back in range(3):  # this month, or the months before when the day has not come yet (or is 31)
        first = (month_start - timedelta(days=1)).replace(day=1) if back else month_start
        month_start = first
        candidate = _calendar(first.year, first.month, day)
        if isinstance(candidate, date) and candidate <= today:
            return candidate, i + 2
    return None


def find_date(tokens: Sequence[Token], today: date, year: int) -> Found | None:
    """The first date written anywhere in the sentence: a date, or a ParseError (future, other year, 31/2)."""
    keys = [t.key for t in tokens]
    for i in range(len(keys)):
        lead = i + 1 if keys[i] in ("ngay", "mung", "hom") and i + 1 < len(keys) else i
        hit = (_numeric_date(keys, lead, today, year) or _word_date(keys, lead, min(year, today.year))
               or _weekday_date(keys, lead, today) or _relative_date(keys, i, today) or _day_of_month(keys, i, today))
        if hit is None:
            continue
        value, end = hit
        return Found(_check_date(value, today, year), i, end)
    return None


def _check_date(value: date | ParseError, today: date, year: int) -> date | ParseError:
    if isinstance(value, ParseError):
        return value
    if value > today:
        return ParseError("err.date.future")
    if value.year != year:
        return ParseError("err.date.outside_year", {"year": year})
    return value


# --- amounts ---------------------------------------------------------------------------------------------------

NUMBER_WORDS = frozenset({"khong", "mot", "hai", "ba", "bon", "nam", "sau", "bay", "tam", "chin", "muoi", "chuc",
                          "tram", "nghin", "ngan", "trieu", "linh", "le", "lam", "nham", "tu", "ruoi", "mươi"})
_MONEY_SCALES = {"trieu": 10**6, "tr": 10**6, "ty": 10**9, "ti": 10**9, "k": 1000, "nghin": 1000, "ngan": 1000}
_CURRENCY = {"dong", "d", "vnd"}


@dataclass(frozen=True, slots=True)
class Amount:
    """A number written in the sentence, what follows it, and whether it is money."""

    value: int | ParseError
    start: int
    end: int  # after the number (and its scale and currency words)
    money: bool


def _decimal(key: str) -> Decimal | None:
    """"1.200" and "1,200" are thousands; "1,5" and "2.5" are decimals."""
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", key):
        return Decimal(re.sub(r"[.,]", "", key))
    try:
        return Decimal(key.replace(",", "."))
    except InvalidOperation:
        return None


def _digit_amount(keys: Sequence[str], tokens: Sequence[Token], i: int) -> Amount | None:
    """Digits with an optional scale, fraction and currency: "150", "5 triệu", "2tr5", "500k", "1,5 tỷ đồng"."""
    if not _NUMERIC.fullmatch(keys[i]) or (value := _decimal(keys[i])) is None:
        return None
    end, money = i + 1, False
    if end < len(keys) and keys[end] in _MONEY_SCALES:
        scale = _MONEY_SCALES[keys[end]]
        value, end, money = value * scale, end + 1, keys[end] not in ("nghin", "ngan")
        glued = end < len(keys) and tokens[end].start == tokens[end - 1].start  # "2tr5" typed as one word
        if (end < len(keys) and keys[end].isdigit() and len(keys[end]) <= 3
                and (glued or not _unit_follows(keys, end + 1))):
            value += Decimal(keys[end]) * scale / 10 ** len(keys[end])  # "2tr5", "2 triệu 500" = 2,500,000
            end += 1
        elif end < len(keys) and keys[end] == "ruoi":
            value, end = value + scale // 2, end + 1
    if end < len(keys) and keys[end] in _CURRENCY:
        end, money = end + 1, True
    whole = value.to_integral_value()
    return Amount(int(whole) if whole == value else ParseError("err.number.not_whole"), i, end, money)


def _unit_follows(keys: Sequence[str], at: int) -> bool:
    return at < len(keys) and keys[at] not in _CURRENCY and keys[at].isalpha() and keys[at] not in NUMBER_WORDS


def _word_amount(keys: Sequence[str], tokens: Sequence[Token], text: str, i: int) -> Amount | None:
    """Number words ("một trăm năm mươi", "hai triệu rưỡi"), read by vnparse from what was typed."""
    if keys[i] not in NUMBER_WORDS or (i > 0 and keys[i - 1] in NUMBER_WORDS):
        return None
    end = i
    while end < len(keys) and keys[end] in NUMBER_WORDS:
        end += 1
    if end < len(keys) and keys[i] == "mot" and keys[end] == "so":
        return None  # "một số hộ" is "some households"
    value = parse_number(text[tokens[i].start:tokens[end - 1].end])
    if isinstance(value, ParseError):
        return None
    money = "trieu" in keys[i:end]
    if end < len(keys) and keys[end] in _CURRENCY:
        end, money = end + 1, True
    return Amount(value, i, end, money)


def find_amounts(text: str, tokens: Sequence[Token], skip: set[int]) -> list[Amount]:
    """Every number in the sentence outside the `skip` token indices, in order."""
    keys = [t.key for t in tokens]
    amounts: list[Amount] = []
    i = 0
    while i < len(keys):
        amount = None if i in skip else (_digit_amount(keys, tokens, i) or _word_amount(keys, tokens, text, i))
        if amount is None:
            i += 1
            continue
        amounts.append(amount)
        i = amount.end
    return amounts


def mentions_money(text: str) -> bool:
    """Whether a short answer is an amount of money ("5 triệu", "500k", "200.000đ"), not a count."""
    s, tokens = tokenize(text)
    return any(a.money for a in find_amounts(s, tokens, set()))
