"""Telegram update JSON → the neutral Inbound (messages and membership changes), a button press, or a reasoned skip."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram import ChatMemberUpdated, Message, Update, User

from bot.channels.telegram.platform import CHANNEL
from core.messages import Inbound, InboundKind, PhotoIn

log = logging.getLogger(__name__)
CALLBACK_DATA = re.compile(r"^k:([A-Za-z0-9_-]{1,16}):(\d{1,3})$")
_VOICE = ("voice", "audio", "video_note")
_SERVICE = ("new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo", "delete_chat_photo",
            "group_chat_created", "supergroup_chat_created", "migrate_to_chat_id", "migrate_from_chat_id",
            "pinned_message", "message_auto_delete_timer_changed", "forum_topic_created")


@dataclass(frozen=True, slots=True)
class Press:
    """A pressed inline button: which query to answer, which message it sat on, and what it encodes."""

    query_id: str
    message_id: str
    message_text: str
    key: str | None  # None when the callback data is not ours (or garbled)
    index: int


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one update means; `skipped` says why nothing is to be done (for the log)."""

    update_id: int | None
    inbound: Inbound | None = None
    press: Press | None = None
    skipped: str = ""
    migrated: tuple[str, str] | None = None  # (old, new) chat id: a group upgraded to a supergroup


def parse_update(data: Any, *, bot_username: str | None, now: datetime) -> Parsed:
    """Read one update; malformed or unknown updates come back skipped, never raised."""
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int):
        return Parsed(None, skipped="malformed update (no update_id)")
    try:
        update = Update.de_json(data, None)
        return _interpret(update, bot_username, now)
    except Exception as exc:  # a payload PTB cannot read (or reads into half-empty objects) must not stop the loop
        return Parsed(update_id, skipped=f"malformed update ({type(exc).__name__})")


def _interpret(update: Update, bot_username: str | None, now: datetime) -> Parsed:
    """What a decoded update means; PTB's de_json does not check required fields, so this may raise."""
    update_id = update.update_id
    if update.message is not None:
        return _message(update, update.message, bot_username, now)
    if update.edited_message is not None:
        return Parsed(update_id, skipped="edited message (the first version was already handled)")
    if update.callback_query is not None:
        return _callback(update, now)
    if update.my_chat_member is not None:
        return _membership(update, update.my_chat_member, now)
    return Parsed(update_id, skipped="update type not used by the bot")


def _message(update: Update, message: Message, bot_username: str | None, now: datetime) -> Parsed:
    chat, user = message.chat, message.from_user
    moved = _migration(message)
    if moved is not None:
        return Parsed(update.update_id, migrated=moved)
    if chat.type == "channel" or user is None or user.is_bot:
        return Parsed(update.update_id, skipped="not from a person in a private chat or group")
    if any(getattr(message, name, None) for name in _SERVICE):
        return Parsed(update.update_id, skipped="service message")
    kind, text, photo = _content(message)
    mentioned = True
    if chat.type != "private":
        if kind == "text" and text.startswith("/"):
            text, mentioned = _own_command(text, bot_username)
            if not mentioned:
                return Parsed(update.update_id, skipped="command for another bot")
        else:
            mentioned = _addresses_bot(message, text, bot_username)
    elif kind == "text" and text.startswith("/"):
        text, _ = _own_command(text, bot_username)
    inbound = _inbound(update, user, chat.id, "private" if chat.type == "private" else "group",
                       message.date or now, kind=kind, text=text, photo=photo, mentioned=mentioned,
                       chat_title=chat.title or "")
    return Parsed(update.update_id, inbound=inbound)


def _migration(message: Message) -> tuple[str, str] | None:
    """(old id, new id) when this service message says the group became a supergroup (sent in both chats)."""
    if message.migrate_to_chat_id:
        return _telegram_id(message.chat.id), _telegram_id(message.migrate_to_chat_id)
    if message.migrate_from_chat_id:
        return _telegram_id(message.migrate_from_chat_id), _telegram_id(message.chat.id)
    return None


def _content(message: Message) -> tuple[InboundKind, str, PhotoIn | None]:
    """The kind of message, its text (or caption) and the photo to fetch, if any."""
    if message.text is not None:
        return "text", message.text, None
    caption = message.caption or ""
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
        return "photo", caption, PhotoIn(file_id=largest.file_id)
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return "photo", caption, PhotoIn(file_id=document.file_id, mime=document.mime_type)  # sent "as a file"
    if document is not None:
        return "document", "", None
    if message.sticker is not None:
        return "sticker", "", None
    if any(getattr(message, name, None) for name in _VOICE):
        return "voice", "", None
    if message.location is not None or message.venue is not None:
        return "location", "", None
    return "unsupported", "", None


def _own_command(text: str, bot_username: str | None) -> tuple[str, bool]:
    """"/baocao@our_bot args" → "/baocao args"; False when the command names another bot."""
    head, space, rest = text.partition(" ")
    command, at, name = head.partition("@")
    if not at:
        return text, True
    if bot_username and name.lower() != bot_username.lower():
        return text, False
    return command + space + rest, True


def _addresses_bot(message: Message, text: str, bot_username: str | None) -> bool:
    if bot_username and f"@{bot_username.lower()}" in text.lower():
        return True
    replied = message.reply_to_message
    author = replied.from_user if replied is not None else None
    return bool(author and bot_username and (author.username or "").lower() == bot_username.lower())


def _callback(update: Update, now: datetime) -> Parsed:
    query = update.callback_query
    message = query.message
    match = CALLBACK_DATA.match(query.data or "")
    press = Press(query_id=query.id, message_id=str(message.message_id) if message else "",
                  message_text=getattr(message, "text", None) or "",
                  key=match.group(1) if match else None, index=int(match.group(2)) if match else -1)
    if message is None:
        return Parsed(update.update_id, press=press, skipped="button pressed on an inline message")
    chat = message.chat
    inbound = _inbound(update, query.from_user, chat.id, "private" if chat.type == "private" else "group", now,
                       kind="text", text="", chat_title=chat.title or "")
    return Parsed(update.update_id, inbound=inbound, press=press)


def _membership(update: Update, change: ChatMemberUpdated, now: datetime) -> Parsed:
    """The bot added to or removed from a group, or a person blocking or unblocking it: a neutral "joined" or
    "left" inbound from whoever did it (the core may know them, and so the group's commune)."""
    chat = change.chat
    kind = "private" if chat.type == "private" else "group"
    joined = change.new_chat_member.status not in ("left", "kicked")
    inbound = _inbound(update, change.from_user, chat.id, kind, change.date or now,
                       kind="joined" if joined else "left", text="", chat_title=chat.title or "")
    return Parsed(update.update_id, inbound=inbound)


def _inbound(update: Update, user: User, chat_id: int, chat_kind: str, when: datetime, **fields: Any) -> Inbound:
    return Inbound(channel=CHANNEL, chat_id=_telegram_id(chat_id), sender_id=_telegram_id(user.id),
                   message_id=str(update.update_id),
                   received_at=when, chat_kind=chat_kind, sender_name=user.full_name,
                   language_hint=user.language_code, **fields)


def _telegram_id(value: Any) -> str:
    """A chat or user id as stored; Telegram's are integers, and de_json takes anything (an empty string, too)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("chat or user id is not an integer")
    return str(value)
