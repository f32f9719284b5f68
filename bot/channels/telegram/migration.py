"""A group upgraded to a supergroup gets a new chat id: its registration, preferences and queued messages follow.

Telegram says so three ways: a service message `migrate_to_chat_id` in the old group, `migrate_from_chat_id` in
the new one, and a 400 with `migrate_to_chat_id` (PTB's ChatMigrated) on a send to the old id. Each moves the
chat; the move is idempotent, so whichever comes first does it and the others change nothing.
"""

from __future__ import annotations

import logging

from bot.channels.base import Transactions
from bot.channels.telegram.platform import CHANNEL

log = logging.getLogger(__name__)


async def move_group(transaction: Transactions, old_id: str, new_id: str) -> None:
    """Move the group's row (registration, commune, preferences) and its queued messages to `new_id`."""
    async with transaction() as repos:
        moved = await repos.chats.move(CHANNEL, old_id, new_id)
        requeued = await repos.outbox.retarget(CHANNEL, old_id, new_id)
    if moved or requeued:
        log.info("Telegram group %s became supergroup %s: registration moved, %d queued messages follow it",
                 old_id, new_id, requeued)
