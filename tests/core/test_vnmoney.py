"""Money answers: what people type for amounts, and what must be refused (issue 15, point 5)."""

from __future__ import annotations

import pytest

from core.vnmoney import parse_money
from core.vnparse import ParseError

MONEY = [
    ("2 triệu rưỡi", 2_500_000), ("hai triệu rưỡi", 2_500_000), ("2 trieu ruoi", 2_500_000),
    ("2 triệu rưỡi đồng", 2_500_000), ("1,5 tr", 1_500_000), ("1.5 triệu", 1_500_000), ("2.5tr", 2_500_000),
    ("500k", 500_000), ("tầm 500k", 500_000), ("năm trăm nghìn", 500_000), ("nam tram nghin", 500_000),
    ("5 trăm nghìn", 500_000), ("tám trăm nghìn", 800_000), ("500 ngàn", 500_000),
    ("500 nghìn đồng", 500_000), ("2.500.000đ", 2_500_000), ("2.500.000 đ", 2_500_000),
    ("2,500,000", 2_500_000), ("500.000", 500_000), ("150", 150), ("0", 0), ("khoảng 2 triệu", 2_000_000),
    ("2tr5", 2_500_000), ("1tr2", 1_200_000), ("2 triệu 500", 2_500_000), ("3 triệu 2", 3_200_000),
    ("2 triệu 500 nghìn", 2_500_000), ("1k5", 1_500), ("1 tỷ 2", 1_200_000_000), ("10 triệu đồng", 10_000_000),
    ("hai mươi triệu", 20_000_000), ("mười triệu", 10_000_000),
]
REFUSED = [
    ("khoảng 150 người", "err.money.unreadable"), ("2 người", "err.money.unreadable"),
    ("nhiều", "err.money.unreadable"), ("1/2 triệu", "err.money.unreadable"),
    ("ba bốn triệu", "err.money.unreadable"), ("-5", "err.money.unreadable"), ("", "err.money.unreadable"),
    ("triệu", "err.money.unreadable"), ("2 triệu 3 triệu", "err.money.unreadable"),
    ("1,2", "err.number.not_whole"), ("x" * 300, "err.money.unreadable"),
]


@pytest.mark.parametrize(("text", "amount"), MONEY)
def test_amounts_as_people_type_them(text, amount):
    assert parse_money(text, 0, 10**11) == amount


@pytest.mark.parametrize(("text", "code"), REFUSED)
def test_text_that_is_not_an_amount_is_refused_with_the_hint(text, code):
    result = parse_money(text, 0, 10**11)
    assert isinstance(result, ParseError) and result.code == code


def test_range_is_checked():
    assert parse_money("5 tỷ", 0, 10**9) == ParseError("err.number.too_large", {"max": 10**9})
