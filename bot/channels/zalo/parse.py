"""Zalo update JSON → the neutral Inbound; anything malformed becomes a ParseProblem, never an exception."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from bot.channels.zalo.platform import CHANNEL
from core.messages import Inbound, PhotoIn
from core.vnparse import fold

TEXT_CAP = 16_000  # above the router's limit, so an oversized message is still answered "too long"
ID_CAP = 64
_KINDS = {
    "message.text.received": "text",
    "message.image.received": "photo",
    "message.sticker.received": "sticker",
    "message.voice.received": "voice",
    "message.unsupported.received": "unsupported",
}
_CHAT_KINDS = {"PRIVATE": "private", "GROUP": "group"}


class ParseProblem(ValueError):
    """Why an update was skipped (logged; the text never includes the update's content)."""


def unwrap(body: Any) -> dict[str, Any] | None:
    """The update inside a body: wrapped {"ok", "result": {...}} or flat {event_name, message}; None if empty."""
    if body is None or body == {} or body == "":
        return None
    if not isinstance(body, dict):
        raise ParseProblem("body is not a JSON object")
    if "result" in body and "event_name" not in body:
        return unwrap(body["result"])
    return body


def parse_update(update: dict[str, Any], *, now: datetime, bot_names: tuple[str, ...] = ()) -> Inbound:
    """One update as an Inbound; raises ParseProblem for a shape the bot cannot use."""
    message = update.get("message")
    if not isinstance(message, dict):
        raise ParseProblem("update without a message object")
    chat, sender = _object(message, "chat"), _object(message, "from")
    chat_id, sender_id = _id(chat.get("id"), "chat.id"), _id(sender.get("id"), "from.id")
    message_id = _id(message.get("message_id"), "message_id")
    chat_type = str(chat.get("chat_type") or "PRIVATE").upper()
    if chat_type not in _CHAT_KINDS:
        raise ParseProblem(f"unknown chat type {chat_type[:20]!r}")
    kind = _KINDS.get(str(update.get("event_name", "")), "unsupported")
    chat_kind = _CHAT_KINDS[chat_type]
    text = _text(message.get("caption") if kind == "photo" else message.get("text"))
    if chat_kind == "group":
        text = strip_mention(text, bot_names)
    return Inbound(
        channel=CHANNEL, chat_id=chat_id, sender_id=sender_id, message_id=message_id,
        received_at=_date(message.get("date"), now), kind=kind if kind != "text" or text else "unsupported",
        chat_kind=chat_kind, sender_name=_text(sender.get("display_name") or sender.get("name"))[:120],
        text=text if kind in ("text", "photo") else "", photo=_photo(message) if kind == "photo" else None,
        mentioned=True, chat_title=_text(chat.get("title") or chat.get("name"))[:200])


_LEADING_MENTION = re.compile(r"^@\S+\s*")


def strip_mention(text: str, bot_names: tuple[str, ...] = ()) -> str:
    """Drop a leading "@Bot Name" (Zalo groups only deliver messages that mention the bot)."""
    stripped = text.lstrip()
    if not stripped.startswith("@"):
        return text
    for name in sorted(bot_names, key=len, reverse=True):
        if name and fold(stripped[1:1 + len(name)]) == fold(name):
            return stripped[1 + len(name):].lstrip(" ,:")
    slash = stripped.find(" /")
    if slash != -1:  # an unknown (multi-word) name: the command starts at the slash
        return stripped[slash + 1:]
    return _LEADING_MENTION.sub("", stripped, count=1)


def _object(message: dict[str, Any], name: str) -> dict[str, Any]:
    value = message.get(name)
    if not isinstance(value, dict):
        raise ParseProblem(f"message.{name} missing or not an object")
    return value


def _id(value: Any, name: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value).strip() == "":
        raise ParseProblem(f"{name} missing or not a string")
    text = str(value).strip()
    if len(text) > ID_CAP:
        raise ParseProblem(f"{name} too long")
    return text


def _text(value: Any) -> str:
    return value[:TEXT_CAP] if isinstance(value, str) else ""


def _date(value: Any, now: datetime) -> datetime:
    """Zalo dates are epoch milliseconds; a missing or absurd one falls back to the time of receipt."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10_000_000_000 else value
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return now
    return now


def _photo(message: dict[str, Any]) -> PhotoIn | None:
    url = message.get("photo_url") or message.get("photo") or message.get("url")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        return None
    return PhotoIn(url=url[:2000])
