"""Canned Telegram payloads (tests/channels/fixtures/telegram/*.json) → the neutral message each must become."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.telegram.keyboard import MAX_LABEL, button_label, callback_data, markup, new_key
from bot.channels.telegram.parse import CALLBACK_DATA, parse_update
from core.messages import Choice

FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "telegram").glob("*.json"))
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _subset(actual: dict, expected: dict) -> dict:
    return {key: actual[key] for key in expected}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_payload_becomes_the_expected_neutral_message(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    parsed = parse_update(case["update"], bot_username="mttq_test_bot", now=NOW)
    expected = case["expected"]
    assert parsed.update_id == case["update"]["update_id"]
    if "skipped" in expected:
        assert expected["skipped"] in parsed.skipped and parsed.inbound is None
    for part in ("inbound", "press"):
        if part not in expected:
            continue
        value = getattr(parsed, part)
        if expected[part] is None:
            assert value is None
            continue
        actual = asdict(value)
        if "received_at" in actual:
            actual["received_at"] = actual["received_at"].isoformat()
        assert _subset(actual, expected[part]) == expected[part]


@pytest.mark.parametrize("data", [None, [], {"no": "update_id"}, {"update_id": "7"}, "text"])
def test_garbage_is_skipped_not_raised(data):
    assert parse_update(data, bot_username=None, now=NOW).skipped


def test_callback_data_fits_telegram_and_parses_back():
    key = new_key()
    data = callback_data(key, 199)
    assert len(data.encode()) <= 64
    assert CALLBACK_DATA.match(data).groups() == (key, "199")


def test_buttons_are_numbered_and_short():
    keyboard = markup((Choice("a", "Ngày hội Đại đoàn kết toàn dân tộc ở khu dân cư năm 2026"), Choice("b", "Có")),
                      "k1")
    labels = [row[0].text for row in keyboard.inline_keyboard]
    assert labels[0].startswith("1. Ngày hội") and len(labels[0]) == MAX_LABEL and labels[0].endswith("…")
    assert labels[1] == button_label(2, "Có") == "2. Có"
