"""The terminal channel: the same flows as Zalo, rendered as numbered text menus."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.channels.base import ChannelLimits
from bot.channels.text_menu import render_numbered
from core.i18n import Translator
from core.messages import Reply

CHANNEL = "console"
# A terminal takes any length; choices are numbered lines; files are stored and named, not shown.
LIMITS = ChannelLimits(text=1_000_000, caption=0, photo_bytes=0, buttons=False, files=False)


class ConsoleSender:
    """Prints each reply; choices become numbered lines, as on Zalo."""

    channel = CHANNEL
    limits = LIMITS

    def __init__(self, translator: Translator, stream: TextIO | None = None) -> None:
        self.translator = translator
        self.stream = stream or sys.stdout

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        t = self.translator.for_language(reply.language)
        text = render_numbered(reply, t)
        for attachment in (reply.photo, reply.document):
            if attachment is not None:
                text += "\n" + t("console.file_saved", name=attachment.name, id=attachment.file_id)
        self.stream.write(text + "\n\n")
        self.stream.flush()
