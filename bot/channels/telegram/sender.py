"""Reply → Telegram: text split at its limit, choices as an inline keyboard (and numbered), files as files.

Taking the previous question's buttons off and setting a chat's command menu are done aside, after the reply, in
tasks the outbox lane does not wait for, and behind every message in the flood limiter: Telegram counts them against
the same 30 calls/s, and a third of a conversation's replies close an unpressed menu. Awaited in the lane, that edit
cost every such reply a slot and a round trip before its message, and spent the limit on edits while replies
queued (bench/bench_replies.py, docs/benchmarks.md). An edit still waiting for a slot after COSMETIC_WAIT is dropped:
old buttons stay visible, and pressing them is refused anyway.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine

from telegram import Bot, InputFile, LinkPreviewOptions, Message
from telegram.error import BadRequest, ChatMigrated, TelegramError

from bot.channels.base import Clock, PermanentSendError, SendError, TemporarySendError, Transactions
from bot.channels.telegram.api import as_send_error
from bot.channels.telegram.keyboard import markup, new_key
from bot.channels.telegram.limiter import FloodLimiter
from bot.channels.telegram.menu import Menus
from bot.channels.telegram.migration import move_group
from bot.channels.telegram.platform import CHANNEL, LIMITS
from bot.channels.text_menu import as_caption, text_pieces
from core.i18n import Translator
from core.messages import PRIORITY_REPLY, FileOut, Reply

log = logging.getLogger(__name__)
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
COSMETIC_WAIT = 60.0  # seconds an edit taking old buttons off may wait behind the messages before it is dropped


def is_group(chat_id: str) -> bool:
    """Telegram gives groups and supergroups negative ids, people positive ones."""
    return chat_id.startswith("-")


class TelegramSender:
    """The outbox's sender for Telegram: renders, rate-limits, and keeps each chat's open menu."""

    channel = CHANNEL

    def __init__(self, bot: Bot, transaction: Transactions, translator: Translator, limiter: FloodLimiter,
                 clock: Clock, token: str = "", menus: Menus | None = None) -> None:
        self.bot, self.transaction, self.translator = bot, transaction, translator
        self.limiter, self.clock = limiter, clock
        self._token, self.menus = token, menus
        self._aside: set[asyncio.Task] = set()

    async def send(self, chat_id: str, reply: Reply, *, priority: int = 0, skip: int = 0) -> None:
        t = self.translator.for_language(reply.language)
        parts = self._parts(chat_id, reply, text_pieces(reply, t, LIMITS))
        delivered = 0
        try:
            if reply.choices or priority == PRIORITY_REPLY:
                await self._close_menu(chat_id, drop=not reply.choices)
            # What an earlier attempt delivered is not sent again; a failure (a 429 too) ends this attempt with
            # `delivered` counted, and the outbox's next attempt sends the rest: no retry in here.
            for part in parts[skip:]:
                await part()
                delivered += 1
        except ChatMigrated as exc:  # the group is now a supergroup: move it, and the outbox sends there at once
            new_id = str(exc.new_chat_id)
            await move_group(self.transaction, chat_id, new_id)
            raise TemporarySendError(f"group became supergroup {new_id}; sending there", retry_after=0,
                                     delivered=delivered) from None
        except TelegramError as exc:
            error = as_send_error(exc, self._token)
            error.delivered = delivered
            raise error from None
        except SendError as error:
            error.delivered = delivered
            raise
        if reply.menu_role and not is_group(chat_id) and self.menus is not None:
            language = reply.language or self.translator.default_language
            self._do_aside(self.menus.set_chat(chat_id, reply.menu_role, language))

    async def settled(self) -> None:
        """Wait for what was done aside (tests: the old buttons are off once this returns)."""
        while self._aside:
            await asyncio.gather(*self._aside, return_exceptions=True)

    async def close(self) -> None:
        """Stop what is still waiting aside (the channel stops): cosmetic, and the next start sets the menus."""
        for task in list(self._aside):
            task.cancel()
        await asyncio.gather(*self._aside, return_exceptions=True)

    def _do_aside(self, work: Coroutine[object, object, object], give_up: float | None = None) -> None:
        async def bounded() -> None:
            try:
                async with asyncio.timeout(give_up):
                    await work
            except TimeoutError:
                log.debug("an edit waited %s s behind the messages: dropped", give_up)
            except Exception:  # cosmetic: logged, never raised into the outbox
                log.warning("could not tidy a Telegram chat aside", exc_info=True)

        task = asyncio.create_task(bounded())
        self._aside.add(task)
        task.add_done_callback(self._aside.discard)

    async def working(self, chat_id: str) -> None:
        """"typing…" in the chat (bot/working.py); behind messages in the flood limiter, as it is only cosmetic."""
        await self.limiter.call(lambda: self.bot.send_chat_action(chat_id=int(chat_id), action="typing"),
                                background=True)

    def _parts(self, chat_id: str, reply: Reply, pieces: list[str]) -> list[Callable[[], Awaitable[None]]]:
        """The API messages one reply becomes, in order: the file (with the text as caption when it fits), then
        the text's pieces, the last carrying the buttons."""
        parts: list[Callable[[], Awaitable[None]]] = []
        attachment = reply.photo or reply.document
        if attachment is not None:
            fits = bool(pieces) and as_caption(reply, pieces, LIMITS)
            caption = pieces[0] if fits else None
            parts.append(functools.partial(self._send_file, chat_id, attachment, caption))
            pieces = [] if fits else pieces
        for number, piece in enumerate(pieces):
            buttons = bool(reply.choices) and number == len(pieces) - 1
            parts.append(functools.partial(self._send_piece, chat_id, piece, reply, buttons))
        return parts

    async def _send_piece(self, chat_id: str, text: str, reply: Reply, buttons: bool) -> None:
        keyboard_key = new_key() if buttons else None
        message = await self._send_text(chat_id, text, reply, keyboard_key)
        if keyboard_key is not None:
            await self._open_menu(chat_id, message, keyboard_key, reply)

    async def _send_text(self, chat_id: str, text: str, reply: Reply, key: str | None) -> Message:
        keyboard = markup(reply.choices, key) if key is not None else None
        return await self._limited(chat_id, lambda: self.bot.send_message(
            chat_id=int(chat_id), text=text or "…", reply_markup=keyboard, link_preview_options=NO_PREVIEW))

    async def _send_file(self, chat_id: str, attachment: FileOut, caption: str | None) -> Message:
        async with self.transaction() as repos:
            stored = await repos.files.get(attachment.file_id)
        if stored is None:
            raise PermanentSendError(f"file {attachment.file_id} is no longer stored")
        upload = InputFile(stored.content, filename=attachment.name or stored.name)
        as_photo = attachment.mime.startswith("image/") and stored.size <= LIMITS.photo_bytes
        if as_photo:
            return await self._limited(chat_id, lambda: self.bot.send_photo(
                chat_id=int(chat_id), photo=upload, caption=caption))
        return await self._limited(chat_id, lambda: self.bot.send_document(
            chat_id=int(chat_id), document=upload, caption=caption))

    async def _limited(self, chat_id: str, call: Callable) -> Message:
        """One API send, once the flood limiter allows it; never retried here (the outbox retries the reply)."""
        return await self.limiter.call(call, chat_id=chat_id, group=is_group(chat_id))

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
        if not pressed:  # behind the messages, and the lane does not wait for it (see the module's docstring)
            self._do_aside(remove_buttons(self.bot, self.limiter, chat_id, message_id, background=True),
                           give_up=COSMETIC_WAIT)


async def remove_buttons(bot: Bot, limiter: FloodLimiter, chat_id: str, message_id: str,
                         text: str | None = None, *, background: bool = False) -> None:
    """Best effort: take the keyboard off a message (and show what was chosen); a failure only leaves
    old buttons visible, and pressing them is refused anyway.

    An edit counts against the overall rate, not the chat's message interval: it would otherwise hold up
    the answer that follows it by a second. `background`: behind every message waiting for the limiter."""
    try:
        if text is not None:
            await limiter.call(lambda: bot.edit_message_text(
                chat_id=int(chat_id), message_id=int(message_id), text=text, reply_markup=None,
                link_preview_options=NO_PREVIEW), background=background)
        else:
            await limiter.call(lambda: bot.edit_message_reply_markup(
                chat_id=int(chat_id), message_id=int(message_id), reply_markup=None), background=background)
    except BadRequest as exc:
        log.debug("could not remove buttons: %s", exc.message)
    except TelegramError as exc:
        log.info("could not remove buttons (%s)", type(exc).__name__)
