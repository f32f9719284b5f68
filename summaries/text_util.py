"""Small formatting rules shared by every renderer: numbers, periods, dates, XML-safe text."""

from __future__ import annotations

import re
from datetime import date

from core.i18n import Translate
from core.numbers import format_number
from core.wordcut import cut_words
from plan.periods import ROMAN, Period

# XML 1.0 allows tab, newline, CR and these ranges; anything else corrupts a DOCX or XLSX part.
_XML_INVALID = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    """The text with every character that XML 1.0 forbids removed (reports may hold pasted junk)."""
    text = text if text.__class__ is str else "" if text is None else str(text)
    # printable text (no control character, surrogate or noncharacter) is clean: a C scan, not the regex
    return text if text.isprintable() else _XML_INVALID.sub("", text)


def xml_escape(text: str) -> str:
    """&, < and > as entities: text as an element of a DOCX or XLSX part holds it (the writers here make that
    XML as text, not through an XML library)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fmt_number(value: float | None, *, decimals: int = 1) -> str:
    """Vietnamese style (Babel, core/numbers.py): 1.234 for thousands, 66,7 for decimals; "—" for no value."""
    return format_number(value, decimals=decimals)


def fmt_value(value: float | None, measure: str) -> str:
    return fmt_number(value) + ("%" if measure == "percent" and value is not None else "")


def fmt_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def period_label(t: Translate, period: Period) -> str:
    """"Quý I năm 2026", "6 tháng đầu năm 2026", "9 tháng năm 2026", "năm 2026"."""
    if period.kind == "quarter":
        return t("summary.period.quarter", roman=ROMAN[period.number], year=period.year)
    return t(f"summary.period.{period.kind}", year=period.year)


def admin_date_parts(day: date) -> tuple[str, str, str]:
    """Day, month, year as Nghị định 30/2020 writes them: day < 10 and months 1–2 take a leading zero."""
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return day_text, month_text, str(day.year)


def unit_label(t: Translate, name: str) -> str:
    """A unit's name, or a visible stand-in when it has none (never an empty cell or line)."""
    cleaned = xml_safe(name).strip()
    return cleaned or t("summary.unnamed_unit")


def short(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary ("văn hóa…", never "vă…")."""
    return cut_words(" ".join(xml_safe(text).split()), limit)


def lower_first(text: str) -> str:
    """A label used mid-sentence: "Sau giám sát" → "sau giám sát" (a proper noun further on keeps its capital)."""
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    """A label that starts a line or a heading: "quý I năm 2026" → "Quý I năm 2026"."""
    return text[:1].upper() + text[1:]
