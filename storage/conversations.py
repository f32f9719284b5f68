"""Stored conversations: the flow and state of each (channel, chat, sender), written once per message."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialect import upsert
from storage.jsontext import JsonText, serialised
from storage.models import Conversation

_CONVERSATION_KEY = ("channel", "chat_id", "sender_id")
_CONVERSATION_SET = ("flow", "state", "updated_at")


class ConversationRepo:
    """Stored conversations. While `deferring` (a batch of inbound messages) writes wait for `write_deferred`,
    which applies the last write of each conversation: one statement for all the saves and one for all the
    clears of the batch instead of one per message."""

    def __init__(self, session: AsyncSession, dialect: str) -> None:
        self.session, self.dialect = session, dialect
        self._deferred: dict[tuple[str, str, str], dict[str, Any] | None] | None = None  # None value: cleared

    async def get(self, channel: str, chat_id: str, sender_id: str) -> Conversation | None:
        key = (channel, chat_id, sender_id)
        if self._deferred is not None and key in self._deferred:
            return _unsaved(self._deferred[key])
        # populate_existing: `save` writes without the ORM, so a row already loaded in this session may be stale.
        query = (select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id,
                                            Conversation.sender_id == sender_id)
                 .execution_options(populate_existing=True))
        return (await self.session.execute(query)).scalar_one_or_none()

    async def save(self, channel: str, chat_id: str, sender_id: str, flow: str, state: dict[str, Any] | str,
                   now: datetime) -> None:
        """Create or overwrite the conversation in one statement (one per message of every conversation).
        `state` is the state's dict, or its JSON text already serialised (FlowState.to_text), stored as it is."""
        stored = JsonText(state) if isinstance(state, str) else dict(state)
        row = {"channel": channel, "chat_id": chat_id, "sender_id": sender_id, "flow": flow, "state": stored,
               "updated_at": now}
        if self._deferred is not None:  # a copy as of now, as an immediate write would have stored
            # as text, taken now: the write passes it through (one serialisation per message, no copy to decode)
            self._deferred[(channel, chat_id, sender_id)] = {**row, "state": serialised(stored)}
            return
        await self.session.execute(upsert(Conversation.__table__, self.dialect, _CONVERSATION_KEY,
                                          _CONVERSATION_SET), row)

    async def clear(self, channel: str, chat_id: str, sender_id: str) -> None:
        if self._deferred is not None:
            self._deferred[(channel, chat_id, sender_id)] = None
            return
        await self.session.execute(_CLEAR_CONVERSATION, {"channel": channel, "chat_id": chat_id,
                                                         "sender_id": sender_id})

    def defer_writes(self) -> None:
        self._deferred = {}

    async def write_deferred(self) -> None:
        """Apply and stop deferring: the saves in one statement, the clears in another."""
        deferred, self._deferred = self._deferred or {}, None
        saves = [row for row in deferred.values() if row is not None]
        clears = [dict(zip(_CONVERSATION_KEY, key, strict=True)) for key, row in deferred.items() if row is None]
        if saves:
            await self.session.execute(upsert(Conversation.__table__, self.dialect, _CONVERSATION_KEY,
                                              _CONVERSATION_SET), saves)
        if clears:
            await self.session.execute(_CLEAR_CONVERSATION, clears)


_CLEAR_CONVERSATION = Conversation.__table__.delete().where(
    *(Conversation.__table__.c[name] == bindparam(name) for name in _CONVERSATION_KEY))


def _unsaved(row: dict[str, Any] | None) -> Conversation | None:
    """A deferred write as the row a read would return (its state as stored, decoded)."""
    return None if row is None else Conversation(**{**row, "state": json.loads(row["state"])})
