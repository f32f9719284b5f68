"""The neutral message types: what every channel adapter produces and renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

# Outbox priorities: lower goes first, and a channel short of quota (Zalo's monthly budget) serves the lower ones.
PRIORITY_REPLY, PRIORITY_REMINDER, PRIORITY_SUMMARY, PRIORITY_BROADCAST = 0, 1, 2, 3
# Why a channel held a message back (the outbox keeps it as the row's error): shown in /thongbao trạng thái and
# `mttq-bot status` with the time it is tried again.
HELD_FOR_BUDGET = "held: the rest of the month's Zalo budget is kept for replies and reminders"
HELD_FOR_QUOTA = "held: Zalo says the month's quota is used up"
PRIORITY_STRANGER = 4  # a reply to an unregistered sender: after everything else, never from the reserved budget

InboundKind = Literal["text", "photo", "sticker", "voice", "document", "location", "unsupported", "joined", "left"]
# The bot was added to a chat (or unblocked), or removed from it (or blocked): events about the chat itself,
# not messages; the groups flow records them, and nobody is answered.
MEMBERSHIP_KINDS = frozenset({"joined", "left"})


@dataclass(frozen=True, slots=True)
class PhotoIn:
    """A photo a user sent: either its bytes already fetched, or where the adapter can fetch them."""

    url: str = ""
    file_id: str = ""
    content: bytes | None = None
    mime: str = "image/jpeg"


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a user, whatever the channel."""

    channel: str
    chat_id: str
    sender_id: str
    message_id: str
    received_at: datetime
    kind: InboundKind = "text"
    chat_kind: Literal["private", "group"] = "private"
    sender_name: str = ""
    text: str = ""
    choice: str | None = None  # an option's value, when the user pressed a button
    photo: PhotoIn | None = None
    mentioned: bool = True  # in groups: whether the bot was addressed
    language_hint: str | None = None
    chat_title: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str
    # The number shown before the label when it is not the choice's place in the list: a long menu shown a page
    # at a time keeps each option's number on every page (11–20 on page 2), and its "next page" option is 0.
    number: int | None = None


@dataclass(frozen=True, slots=True)
class FileOut:
    """A stored file (report photo, generated document) to send, by its storage id."""

    file_id: int
    name: str
    mime: str


@dataclass(frozen=True, slots=True)
class Reply:
    """One message from the bot. Channels render choices as buttons or as a numbered list."""

    text: str
    choices: tuple[Choice, ...] = ()
    document: FileOut | None = None
    photo: FileOut | None = None
    language: str = "vi"
    # The role whose commands this chat is shown from now on, by channels with a command menu (Telegram):
    # set when a person registers or changes language.
    menu_role: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. the reminder occurrence a reply belongs to

    def to_payload(self) -> dict[str, Any]:
        """The outbox's JSON form, written for every reply (by hand: dataclasses.asdict's deep copy cost more)."""
        return {"text": self.text, "choices": [_choice_payload(c) for c in self.choices],
                "document": _file_payload(self.document), "photo": _file_payload(self.photo),
                "language": self.language, "menu_role": self.menu_role, "meta": dict(self.meta)}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Reply:
        data = dict(payload)
        meta = dict(data.get("meta") or {})
        if "menu_role" in meta:  # rows queued before menu_role was a field carried it in meta
            data["menu_role"] = meta.pop("menu_role")
            data["meta"] = meta
        data["choices"] = tuple(Choice(**c) for c in data.get("choices", ()))
        for name in ("document", "photo"):
            if data.get(name):
                data[name] = FileOut(**data[name])
        return cls(**data)


def _choice_payload(choice: Choice) -> dict[str, Any]:
    payload: dict[str, Any] = {"value": choice.value, "label": choice.label}
    if choice.number is not None:  # only a paged menu's choices carry one: other rows keep their shape
        payload["number"] = choice.number
    return payload


def _file_payload(file: FileOut | None) -> dict[str, Any] | None:
    return None if file is None else {"file_id": file.file_id, "name": file.name, "mime": file.mime}


class NotRecorded(RuntimeError):
    """Neither an inbound update nor its failure could be committed (the database refuses writes): whoever
    received it must not acknowledge it — a webhook answers 5xx so the platform redelivers, a poller keeps it."""


@dataclass(frozen=True, slots=True)
class MenuCommand:
    """A command as a platform's command menu lists it: the conversation core's table without its handlers,
    handed to channels (bot/channels/base.ChannelHost) so that no adapter imports handlers/."""

    name: str
    roles: frozenset[str]
    private_only: bool
