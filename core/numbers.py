"""Numbers and amounts of money as readers write them, from Babel's CLDR data rather than by hand.

Vietnamese (the default and the official documents' language): 1.234 for thousands, 66,7 for decimals, so
2.500.000 đồng; English: 2,500,000. Whole numbers show no decimals.
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

DEFAULT_LANGUAGE = "vi"
_LOCALES = {"vi": "vi", "en": "en"}  # the bot's languages (locales/) → Babel locales


def format_number(value: float | int | Decimal | None, *, decimals: int = 1, language: str = DEFAULT_LANGUAGE,
                  missing: str = "—") -> str:
    """`value` rounded to `decimals` places (Python's rounding, as every figure in the documents is), grouped
    and with the decimal mark of `language`; a whole number without decimals; `missing` for None."""
    if value is None:
        return missing
    rounded = round(value, decimals)
    pattern = "#,##0" if float(rounded).is_integer() else "#,##0." + "0" * decimals
    return format_decimal(rounded, format=pattern, locale=_LOCALES.get(language, DEFAULT_LANGUAGE))


def format_money(amount: int | Decimal, *, language: str = DEFAULT_LANGUAGE) -> str:
    """An amount in đồng, grouped without decimals: "2.500.000" (the unit word comes from the plan's field)."""
    return format_number(amount, decimals=0, language=language)
