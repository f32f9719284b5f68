"""Numbers and money as Vietnamese (and English) readers write them, through Babel (core/numbers.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.numbers import format_money, format_number


@pytest.mark.parametrize("value, decimals, language, expected", [
    (1234, 1, "vi", "1.234"),
    (66.66, 1, "vi", "66,7"),
    (66.0, 1, "vi", "66"),
    (0.05, 1, "vi", "0,1"),  # Python's rounding of the float, as the documents always had
    (-1234.56, 1, "vi", "-1.234,6"),
    (99.96, 1, "vi", "100"),
    (12.5, 0, "vi", "12"),  # round half to even, as round() does
    (1_000_000_000_000, 1, "vi", "1.000.000.000.000"),
    (None, 1, "vi", "—"),
    (1234.5, 1, "en", "1,234.5"),
    (1234, 1, "fr", "1.234"),  # a language the bot does not speak: Vietnamese
])
def test_format_number(value, decimals, language, expected):
    assert format_number(value, decimals=decimals, language=language) == expected


@pytest.mark.parametrize("amount, language, expected", [
    (2_500_000, "vi", "2.500.000"),
    (Decimal("500000"), "vi", "500.000"),
    (0, "vi", "0"),
    (2_500_000, "en", "2,500,000"),
])
def test_format_money(amount, language, expected):
    assert format_money(amount, language=language) == expected
