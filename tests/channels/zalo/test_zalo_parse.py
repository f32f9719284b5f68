"""Canned Zalo payloads → the neutral Inbound each must become (or the reason it is skipped)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.channels.zalo.parse import ParseProblem, parse_update, strip_mention, unwrap

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "zalo"
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
BOT_NAMES = ("MTTQ Nam Cường", "bot.mttq")
CASES = sorted(FIXTURES.glob("*.json"))


def test_every_documented_shape_has_a_fixture():
    names = {case.stem for case in CASES}
    assert {"text_private", "image_photo_url", "image_photo_docs_field", "sticker", "voice", "unsupported",
            "group_mention", "webhook_wrapped", "webhook_flat"} <= names


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.stem)
def test_payload_becomes_the_expected_inbound(case: Path):
    data = json.loads(case.read_text(encoding="utf-8"))
    expect = data["expect"]
    if "skip" in expect:
        assert unwrap(data["body"]) is None
        return
    if "problem" in expect:
        with pytest.raises(ParseProblem, match=expect["problem"]):
            parse_update(unwrap(data["body"]), now=NOW, bot_names=BOT_NAMES)
        return
    inbound = parse_update(unwrap(data["body"]), now=NOW, bot_names=BOT_NAMES)
    assert inbound.channel == "zalo"
    for name in ("chat_id", "sender_id", "message_id", "chat_kind", "sender_name", "kind", "text"):
        assert getattr(inbound, name) == expect[name], name
    received = NOW if expect["received_at"] == "now" else datetime.fromisoformat(expect["received_at"])
    assert inbound.received_at == received
    assert (inbound.photo.url if inbound.photo else None) == expect.get("photo_url")


@pytest.mark.parametrize(("text", "names", "expected"), [
    ("@MTTQ Nam Cường /dangkynhom", ("MTTQ Nam Cường",), "/dangkynhom"),
    ("@mttq nam cuong, dang ky nhom", ("MTTQ Nam Cường",), "dang ky nhom"),
    ("@Bot Xã /huynhom", (), "/huynhom"),
    ("@BotMTTQ bao cao", (), "bao cao"),
    ("không nhắc tên", ("MTTQ",), "không nhắc tên"),
])
def test_leading_mention_is_stripped(text, names, expected):
    assert strip_mention(text, names) == expected


def test_a_huge_caption_is_capped_not_fatal():
    update = {"event_name": "message.image.received", "message": {
        "message_id": "a" * 20, "date": 1750316131602, "from": {"id": "u1"}, "chat": {"id": "u1"},
        "photo_url": "https://example.invalid/p.jpg", "caption": "x" * 5_000_000}}
    inbound = parse_update(update, now=NOW)
    assert inbound.kind == "photo" and 10_000 < len(inbound.text) <= 16_000
