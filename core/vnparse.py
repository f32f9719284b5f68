"""Lenient parsing of short answers typed by village officials (docs/domain.md, "How people type").

Users are older people on cheap phones: they type with, without or with half-broken diacritics, leave
Telex/VNI keystrokes behind when the IME is off ("thoon", "tho6n"), and wrap numbers in words ("khoảng
150 người"). Everything here is pure: no I/O, no clock (``today`` is a parameter) and no user-facing
text — failures are :class:`ParseError` codes the caller translates. Inputs longer than
``_MAX_INPUT`` are refused up front and every regex is linear, so hostile input cannot hang the bot.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from core.sanitize import strip_invisible
from core.textfold import PARTICLES, drop_particles, fold, loose, loose_word, soft, wordy

_MAX_INPUT = 500  # real answers are a few words; longer text is never a date/number/choice


@dataclass(frozen=True)
class ParseError:
    """A failed parse: a message code (``err.*``) plus values for the caller's translated message."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


def clean_text(text: str, max_length: int) -> str | ParseError:
    """Sanitise free text before storing it or putting it in a report (DOCX/XLSX reject controls)."""
    s = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    s = unicodedata.normalize("NFC", strip_invisible(s)).strip()
    if not s:
        return ParseError("err.text.empty")
    if len(s) > max_length:
        return ParseError("err.text.too_long", {"max": max_length})
    return s


# --- dates ---------------------------------------------------------------------------------------

_DATE_PREFIX = re.compile(r"^(?:ngay|hom|mung|mong) ?")
_NUMERIC_DATE = re.compile(r"(\d{1,2}) ?[/.-] ?(\d{1,2})(?: ?[/.-] ?(\d{4}|\d{2}))?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_WORD_DATE = re.compile(r"(\d{1,2}) thang (\d{1,2})(?: nam (\d{4}|\d{2}|nay|ngoai|truoc)| (\d{4}))?")
_YEAR_WORDS = {"nay": 0, "ngoai": -1, "truoc": -1}
_RELATIVE = {"homnay": 0, "nay": 0, "buanay": 0, "homqua": -1, "buaqua": -1, "homkia": -2,
             "ngaymai": 1, "mai": 1, "ngaykia": 2, "ngaymot": 2}
_WEEKDAYS = {"chunhat": 6, "cn": 6}
for _wd, _name in enumerate(("hai", "ba", "tu", "nam", "sau", "bay")):
    _WEEKDAYS.update({f"thu{_name}": _wd, f"thu{_wd + 2}": _wd, f"t{_wd + 2}": _wd})


def _year(raw: str | None, default: int) -> int:
    """Two-digit years are 20xx; "năm nay/ngoái" are relative to the default year."""
    if raw is None:
        return default
    if raw in _YEAR_WORDS:
        return default + _YEAR_WORDS[raw]
    return 2000 + int(raw) if len(raw) == 2 else int(raw)


def _calendar(y: int, m: int, d: int) -> date | ParseError:
    """A readable but impossible date (31/2, 0/3) is a different mistake than gibberish."""
    try:
        return date(y, m, d)
    except ValueError:
        return ParseError("err.date.invalid")


def _explicit_date(text: str, default_year: int) -> date | ParseError | None:
    """Day-first numeric ("15/3/26", "15.3.2026"), ISO, or "ngày 15 tháng 3 năm 2026"."""
    s = _DATE_PREFIX.sub("", drop_particles(soft(text).strip(" .,;:!?")).strip(" .,"), count=1)
    if m := _ISO_DATE.fullmatch(s):
        return _calendar(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC_DATE.fullmatch(s):
        return _calendar(_year(m[3], default_year), int(m[2]), int(m[1]))
    w = _DATE_PREFIX.sub("", drop_particles(wordy(text)), count=1)
    if m := _WORD_DATE.fullmatch(w):
        return _calendar(_year(m[3] or m[4], default_year), int(m[2]), int(m[1]))
    return None


def _relative_date(text: str, today: date) -> date | None:
    """Relative words and weekdays; a weekday means the latest such day on or before today."""
    key = drop_particles(wordy(text)).replace(" ", "")
    if key in _RELATIVE:
        return today + timedelta(days=_RELATIVE[key])
    key = key.removeprefix("hom")
    if key in _WEEKDAYS:
        return today - timedelta(days=(today.weekday() - _WEEKDAYS[key]) % 7)
    return None


def parse_date(text: str, today: date, year: int | None = None) -> date | ParseError:
    """Parse a past/present date. A missing year is today's year (or ``year`` if that is earlier, so
    "20/12" typed in January for last year's report means last December); never silently moved back."""
    if len(text or "") > _MAX_INPUT:
        return ParseError("err.date.unreadable")
    default_year = today.year if year is None else min(year, today.year)
    found = _explicit_date(text, default_year)
    if found is None:
        found = _relative_date(text, today)
    if found is None:
        return ParseError("err.date.unreadable")
    if isinstance(found, ParseError):
        return found
    if found > today:
        return ParseError("err.date.future")
    if year is not None and found.year != year:
        return ParseError("err.date.outside_year", {"year": year})
    return found


# --- numbers -------------------------------------------------------------------------------------

_DIGITS = re.compile(
    r"(?<![0-9])(?:(?P<grp>[0-9]{1,3}(?P<sep>[., ])[0-9]{3}(?:(?P=sep)[0-9]{3})*)"
    r"|(?P<dec>[0-9]+[.,][0-9]+)|(?P<int>[0-9]+))(?![0-9])"
)
_SCALE = re.compile(r" ?(nghin|ngan|trieu|tram|tr|k)(?![a-z])")
_SCALES = {"nghin": 1000, "ngan": 1000, "k": 1000, "trieu": 10**6, "tr": 10**6, "tram": 100}
_ZERO_ANSWERS = frozenset({"khong", "khong co", "ko", "ko co"})

# Kinds: d digit, c digit only after mươi/trăm/nghìn/triệu (lăm, tư, mốt), h rưỡi (only after a
# scale), t tens (mươi/mười/chục), s scale, l linh/lẻ (zero tens).
_ASCII_WORDS: dict[str, tuple[str, int]] = {
    "khong": ("d", 0), "mot": ("d", 1), "hai": ("d", 2), "ba": ("d", 3), "bon": ("d", 4),
    "nam": ("d", 5), "sau": ("d", 6), "bay": ("d", 7), "tam": ("d", 8), "chin": ("d", 9),
    "tu": ("c", 4), "lam": ("c", 5), "nham": ("c", 5), "ruoi": ("h", 5),
    "muoi": ("t", 10), "chuc": ("t", 10), "tram": ("s", 100), "nghin": ("s", 1000),
    "ngan": ("s", 1000), "trieu": ("s", 10**6), "linh": ("l", 0), "le": ("l", 0),
}
# Accented tokens must be spelled right: "bà" (grandmother) is not "ba" (3), "nấm" is not "năm".
_ACCENTED_WORDS: dict[str, tuple[str, int]] = {
    unicodedata.normalize("NFC", k): v for k, v in {
        "không": ("d", 0), "một": ("d", 1), "mốt": ("c", 1), "bốn": ("d", 4), "tư": ("c", 4),
        "năm": ("d", 5), "lăm": ("c", 5), "nhăm": ("c", 5), "sáu": ("d", 6), "bảy": ("d", 7),
        "bẩy": ("d", 7), "tám": ("d", 8), "chín": ("d", 9), "mười": ("t", 10), "mươi": ("t", 10),
        "chục": ("t", 10), "trăm": ("s", 100), "nghìn": ("s", 1000), "ngàn": ("s", 1000),
        "triệu": ("s", 10**6), "lẻ": ("l", 0), "rưỡi": ("h", 5), "rưởi": ("h", 5),
    }.items()
}


def _number_word(token: str) -> tuple[str, int] | None:
    """Classify one lower-case NFC token; ASCII tokens also get Telex repair ("muwowi")."""
    if token.isascii():
        return _ASCII_WORDS.get(loose_word(token))
    return _ACCENTED_WORDS.get(token)


def _word_runs(text: str) -> list[list[tuple[str, int]]]:
    """Split the text into runs of consecutive number words."""
    runs: list[list[tuple[str, int]]] = [[]]
    for token in re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text).lower()):
        word = _number_word(token)
        prev = runs[-1][-1][0] if runs[-1] else None
        if word and word[0] in "ch" and not (prev == "s" or (prev == "t" and word[0] == "c")):
            word = None  # "lăm", "tư", "rưỡi" alone are other words ("làm", "từ", "ruồi")
        if word:
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if any(w not in (("d", 0), ("l", 0)) for w in r)]


def _run_value(run: list[tuple[str, int]]) -> int | None:
    """Value of "hai mươi lăm", "một trăm linh năm", "hai nghìn rưỡi"...; None if not one number."""
    total, group, tens, last_scale = 0, 0, False, None
    digit: int | None = None
    digit_after = prev = ("", 0)  # the token before the pending digit decides "trăm hai" = 120
    for kind, val in run:
        if kind in "dch":
            if digit is not None:
                return None  # "hai ba" is two numbers
            digit, digit_after = val, prev
        elif kind in "tl":  # mươi/mười/chục, or linh/lẻ (zero tens)
            if tens or (kind == "l" and digit is not None):
                return None
            group, digit, tens = group + (1 if digit is None else digit) * val, None, True
        elif val == 100:
            if group or tens:
                return None
            group, digit = (1 if digit is None else digit) * 100, None
        else:  # nghìn, triệu: close the group below them
            if last_scale is not None and val >= last_scale:
                return None
            total += (group + (digit or 0) or 1) * val
            group, digit, tens, last_scale = 0, None, False, val
        prev = (kind, val)
    if digit is not None:  # a digit right after a scale is abbreviated: "nghìn rưỡi" = 1,500
        group += digit * digit_after[1] // 10 if digit_after[0] == "s" else digit
    return total + group


def _digit_values(s: str) -> list[Decimal]:
    """Every number written with digits in folded text, with thousands separators and scale words."""
    values = []
    for m in _DIGITS.finditer(s):
        if m["grp"]:
            value = Decimal(re.sub(r"[., ]", "", m["grp"]))
        else:
            value = Decimal((m["dec"] or m["int"]).replace(",", "."))
        if scale := _SCALE.match(s, m.end()):
            value *= _SCALES[scale[1]]
        start = m.start()
        if start and s[start - 1] in "-−" and (start < 2 or not s[start - 2].isalnum()):
            value = -value
        values.append(value)
    return values


def _check_range(value: int, minimum: int | None, maximum: int | None) -> int | ParseError:
    """Negative counts never make sense unless the caller's minimum allows them."""
    if value < 0 and (minimum is None or value < minimum):
        return ParseError("err.number.too_small", {"min": minimum if minimum is not None else 0})
    if minimum is not None and value < minimum:
        return ParseError("err.number.too_small", {"min": minimum})
    if maximum is not None and value > maximum:
        return ParseError("err.number.too_large", {"max": maximum})
    return value


def parse_number(text: str, minimum: int | None = None, maximum: int | None = None) -> int | ParseError:
    """A whole number in digits or Vietnamese words; digits win when both appear ("năm 2026")."""
    unreadable = ParseError("err.number.unreadable")
    if len(text or "") > _MAX_INPUT:
        return unreadable
    values = set(_digit_values(fold(text)))
    if not values:
        if loose(text) in _ZERO_ANSWERS:
            values = {Decimal(0)}
        else:
            words = [_run_value(run) for run in _word_runs(text or "")]
            if None in words:
                return unreadable
            values = {Decimal(v) for v in words if v is not None}
    if len(values) != 1:
        return unreadable  # nothing, or "20 hay 30"
    value = values.pop()
    if value != value.to_integral_value():
        return ParseError("err.number.not_whole")
    return _check_range(int(value), minimum, maximum)


# --- yes/no, quarter, menu choice ----------------------------------------------------------------

_YES = {loose(w) for w in ("có", "c", "ừ", "u", "ừm", "ok", "oke", "okay", "rồi", "đã", "dạ", "yes", "y",
                           "vâng", "đúng", "được", "phải")} | {"dongy"}  # "đồng ý", joined below
_NO = {loose(w) for w in ("không", "ko", "k", "kg", "kh", "khg", "hông", "khum", "chưa", "no", "n",
                          "sai")}


def parse_yesno(text: str) -> bool | None:
    """Yes/no from words (any negation wins: "chưa có", "không đúng"); digits are menus, not answers."""
    if len(text or "") > _MAX_INPUT:
        return None
    s = (text or "").replace("👍", " ok ").replace("👎", " khong ")
    words = f" {loose(s)} ".replace(" dong y ", " dongy ").split()
    words = [w for w in words if w not in PARTICLES]
    if not words or any(w not in _YES and w not in _NO for w in words):
        return None
    return not any(w in _NO for w in words)


_QUARTER = re.compile(r"(?:(?:quy|qui|q) )?(?P<q>[1-4]|i|ii|iii|iv|mot|hai|ba|bon|tu)"
                      r"(?: (?:nam )?(?:\d{4}|\d{2}))?")
_QUARTER_VALUES = {"1": 1, "2": 2, "3": 3, "4": 4, "i": 1, "ii": 2, "iii": 3, "iv": 4,
                   "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4}


def parse_quarter(text: str) -> int | None:
    """"quý 1", "Q1", "Quý IV/2026", "quý tư" or a bare 1-4 -> 1..4; words need the "quý" prefix."""
    if len(text or "") > _MAX_INPUT:
        return None
    s = wordy(text)
    m = _QUARTER.fullmatch(s)
    if not m or (not s.startswith("q") and s not in ("1", "2", "3", "4")):
        return None
    return _QUARTER_VALUES[m["q"]]


_CHOICE_NUMBER = re.compile(r"(?:chon ?)?(?:so ?)?#? ?(\d{1,3}) ?[.)]?")


def _unique(indices: set[int]) -> int | None:
    return indices.pop() if len(indices) == 1 else None


def match_choice(text: str, labels: Sequence[Sequence[str]]) -> int | None:
    """Index of the option meant: its number, an exact label, or a unique prefix/word match."""
    if len(text or "") > _MAX_INPUT:
        return None
    if (m := _CHOICE_NUMBER.fullmatch(fold(text))) and 1 <= int(m[1]) <= len(labels):
        return int(m[1]) - 1
    key = loose(text)
    if not key:
        return None
    keys = [[loose(label) for label in option] for option in labels]
    exact = {i for i, option in enumerate(keys) if key in option}
    if exact:
        return _unique(exact)
    # "thon na pai" is how "Thôn Nà Pài (mẫu)" begins, though "Chi bộ thôn Nà Pài" also contains it
    starts = {i for i, option in enumerate(keys) if len(key) >= 3 and any(k.startswith(key) for k in option)}
    if len(starts) == 1:
        return starts.pop()
    partial = {i for i, option in enumerate(keys)
               if any((len(key) >= 3 and k.startswith(key)) or (len(key) >= 2 and f" {key} " in f" {k} ")
                      for k in option)}
    return _unique(partial)
