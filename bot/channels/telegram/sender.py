"""Reply → Telegram: text split at its limit, choices as an inline keyboard (and numbered), files as files."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence

from telegram import Bot, InputFile, LinkPreviewOptions, Message
from telegram.error import BadRequest, RetryAfter, TelegramError

from bot.channels.base import Clock, PermanentSendError, SendError, Transactions
from bot.channels.telegram.api import as_send_error, retry_seconds
from bot.channels.telegram.keyboard import markup, new_key
from bot.channels.telegram.limiter import FloodLimiter
from bot.channels.telegram.menu import set_chat_menu
from bot.channels.telegram.platform import CHANNEL, LIMITS
from bot.channels.text_menu import as_caption, text_pieces
from core.i18n import Translator
from core.messages import PRIORITY_REPLY, FileOut, MenuCommand, Reply

log = logging.getLogger(__name__)
MAX_INNER_WAIT = 60.0  # a later piece of a split message waits this long at most for flood control
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def is_group(chat_id: str) -> bool:
    """Telegram gives groups and supergroups negative ids, people positive ones."""
    return chat_id.startswith("-")


class TelegramSender:
    """The outbox's sender for Telegram: renders, rate-limits, and keeps each chat's open menu."""

    channel = CHANNEL

    def __init__(self, bot: Bot, transaction: Transactions, translator: Translator, limiter: FloodLimiter,
                 clock: Clock, token: str = "", commands: Sequence[MenuCommand] = ()) -> None:
        self.bot, self.transaction, self.translator = bot, transaction, translator
        self.limiter, self.clock = limiter, clock
        self._token, self.commands = token, commands

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        t = self.translator.for_language(reply.language)
        parts = self._parts(chat_id, reply, text_pieces(reply, t, LIMITS))
        delivered = 0
        try:
            if reply.choices or priority == PRIORITY_REPLY:
                await self._close_menu(chat_id, drop=not reply.choices)
            for part in parts[skip:]:  # what an earlier attempt delivered is not sent again
                await part(delivered > 0)  # a later piece of this attempt waits out flood control
                delivered += 1
        except TelegramError as exc:
            error = as_send_error(exc, self._token)
            error.delivered = delivered
            raise error from None
        except SendError as error:
            error.delivered = delivered
            raise
        if reply.menu_role and not is_group(chat_id):
            await set_chat_menu(self.bot, chat_id, reply.menu_role, t, self.commands)

    def _parts(self, chat_id: str, reply: Reply, pieces: list[str]) -> list[Callable[[bool], Awaitable[None]]]:
        """The API messages one reply becomes, in order: the file (with the text as caption when it fits), then
        the text's pieces, the last carrying the buttons. Each is called with `patient`."""
        parts: list[Callable[[bool], Awaitable[None]]] = []
        attachment = reply.photo or reply.document
        if attachment is not None:
            fits = bool(pieces) and as_caption(reply, pieces, LIMITS)
            caption = pieces[0] if fits else None
            parts.append(functools.partial(self._send_attachment, chat_id, attachment, caption))
            pieces = [] if fits else pieces
        for number, piece in enumerate(pieces):
            buttons = bool(reply.choices) and number == len(pieces) - 1
            parts.append(functools.partial(self._send_piece, chat_id, piece, reply, buttons))
        return parts

    async def _send_attachment(self, chat_id: str, attachment: FileOut, caption: str | None, _patient: bool) -> None:
        await self._send_file(chat_id, attachment, caption)

    async def _send_piece(self, chat_id: str, text: str, reply: Reply, buttons: bool, patient: bool) -> None:
        keyboard_key = new_key() if buttons else None
        message = await self._send_text(chat_id, text, reply, keyboard_key, patient=patient)
        if keyboard_key is not None:
            await self._open_menu(chat_id, message, keyboard_key, reply)

    async def _send_text(self, chat_id: str, text: str, reply: Reply, key: str | None, *, patient: bool) -> Message:
        keyboard = markup(reply.choices, key) if key is not None else None
        return await self._limited(chat_id, patient, lambda: self.bot.send_message(
            chat_id=int(chat_id), text=text or "…", reply_markup=keyboard, link_preview_options=NO_PREVIEW))

    async def _send_file(self, chat_id: str, attachment: FileOut, caption: str | None) -> Message:
        async with self.transaction() as repos:
            stored = await repos.files.get(attachment.file_id)
        if stored is None:
            raise PermanentSendError(f"file {attachment.file_id} is no longer stored")
        upload = InputFile(stored.content, filename=attachment.name or stored.name)
        as_photo = attachment.mime.startswith("image/") and stored.size <= LIMITS.photo_bytes
        if as_photo:
            return await self._limited(chat_id, False, lambda: self.bot.send_photo(
                chat_id=int(chat_id), photo=upload, caption=caption))
        return await self._limited(chat_id, False, lambda: self.bot.send_document(
            chat_id=int(chat_id), document=upload, caption=caption))

    async def _limited(self, chat_id: str, patient: bool, call: Callable) -> Message:
        """One API send after the flood limiter allows it; a later piece waits out a 429 rather than
        failing the whole reply (which would resend the pieces already delivered)."""
        while True:
            await self.limiter.acquire(chat_id, group=is_group(chat_id))
            try:
                return await call()
            except RetryAfter as exc:
                wait = retry_seconds(exc)
                if not patient or wait > MAX_INNER_WAIT:
                    raise
                log.info("Telegram flood control on a later piece: waiting %.0f s", wait)
                await asyncio.sleep(wait)

    async def _open_menu(self, chat_id: str, message: Message, key: str, reply: Reply) -> None:
        async with self.transaction() as repos:
            await repos.keyboards.open(CHANNEL, chat_id, message_id=str(message.message_id), key=key,
                                       values=[c.value for c in reply.choices],
                                       labels=[c.label for c in reply.choices], now=self.clock())

    async def _close_menu(self, chat_id: str, *, drop: bool) -> None:
        """Take the buttons off the chat's previous question: the conversation has moved on."""
        async with self.transaction() as repos:
            menu = await repos.keyboards.get(CHANNEL, chat_id)
            if menu is None:
                return
            message_id, pressed = menu.message_id, menu.answered_by is not None
            if drop:
                await repos.keyboards.close(CHANNEL, chat_id)
        if not pressed:
            await remove_buttons(self.bot, chat_id, message_id)


async def remove_buttons(bot: Bot, chat_id: str, message_id: str, text: str | None = None) -> None:
    """Best effort: take the keyboard off a message (and show what was chosen); a failure only leaves
    old buttons visible, and pressing them is refused anyway."""
    try:
        if text is not None:
            await bot.edit_message_text(chat_id=int(chat_id), message_id=int(message_id), text=text,
                                        reply_markup=None, link_preview_options=NO_PREVIEW)
        else:
            await bot.edit_message_reply_markup(chat_id=int(chat_id), message_id=int(message_id), reply_markup=None)
    except BadRequest as exc:
        log.debug("could not remove buttons: %s", exc.message)
    except TelegramError as exc:
        log.info("could not remove buttons (%s)", type(exc).__name__)
