"""Everything the pipeline needs about who wrote and where, in one query per inbound message."""

from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import dataclass
from functools import cache

from sqlalchemy import String, Text, and_, bindparam, column, select, text, tuple_, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from storage import unit_memo
from storage.dialect import json_rows
from storage.models import Chat, Commune, Conversation, Identity, Person, Unit
from storage.unit_memo import UnitRow


@dataclass(frozen=True, slots=True)
class Arrival:
    """The registered sender (None if unknown), their commune, and the chat and conversation rows if any."""

    person: Person | None = None
    commune: Commune | None = None
    chat: Chat | None = None
    conversation: Conversation | None = None


# Built once: a per-call select() spent more time being constructed and cache-keyed than being executed.
_ARRIVAL = (
    select(Person, Commune, Chat, Conversation)
    .select_from(Identity)
    .join(Person, Person.id == Identity.person_id)
    .join(Commune, Commune.id == Person.commune_id)
    .outerjoin(Chat, and_(Chat.channel == Identity.channel, Chat.external_id == bindparam("chat_id")))
    .outerjoin(Conversation, and_(Conversation.channel == Identity.channel,
                                  Conversation.chat_id == bindparam("chat_id"),
                                  Conversation.sender_id == Identity.external_id))
    .where(Identity.channel == bindparam("channel"), Identity.external_id == bindparam("sender_id"))
    .execution_options(populate_existing=True)
)


# A batch's people are ORM objects (flows may change them), each with its commune, usually one for the whole
# batch: joined to the people's rows it costs less than a statement of its own (~4 µs an update, 21.4). Chats
# and conversations are plain rows: the pipeline only reads them (a chat that needs a write is read again by
# ChatRepo.remember; conversations are written without the ORM), and building ORM objects for them was a large
# part of a message's CPU (docs/benchmarks.md).
@cache
def _statements(dialect: str) -> tuple:
    """The batch's reads, built once per dialect. The batch's keys travel as one JSON parameter each
    (storage/dialect.json_rows): an expanding IN list was rendered into the SQL again for every batch."""

    def keys(name: str, width: int):
        return text(json_rows(dialect, f":{name}", width)).columns(*(column(f"k{n}", String) for n in range(width)))

    people = (select(Identity.channel, Identity.external_id, Person, Commune, *Unit.__table__.c)
              .join(Person, Person.id == Identity.person_id)
              .join(Commune, Commune.id == Person.commune_id)
              .outerjoin(Unit, Unit.id == Person.unit_id)  # kept for the batch's unit reads (storage/unit_memo.py)
              .where(tuple_(Identity.channel, Identity.external_id).in_(keys("senders", 2)))
              .execution_options(populate_existing=True))
    # A batch's chats and conversations in one statement: each key (channel, chat, sender) joined to its chat and
    # its conversation, both outer (as two statements they cost ~500 µs a batch each, mostly the statement).
    # The state comes as the column's text where the driver leaves it so (SQLite; asyncpg decodes JSON itself):
    # the pipeline parses and validates it in one pass (FlowState.from_row), not json.loads and then validating.
    talk = text(json_rows(dialect, ":talks", 3, named=True)).columns(
        *(column(f"k{n}", String) for n in range(3))).subquery("k")
    chat, conversation = Chat.__table__, Conversation.__table__
    talks = (select(talk.c.k0, talk.c.k1, talk.c.k2, *(c.label(f"chat_{c.name}") for c in chat.c),
                    *(type_coerce(c, Text).label("talk_state") if c.name == "state" else c.label(f"talk_{c.name}")
                      for c in conversation.c))
             .select_from(talk)
             .outerjoin(chat, and_(chat.c.channel == talk.c.k0, chat.c.external_id == talk.c.k1))
             .outerjoin(conversation, and_(conversation.c.channel == talk.c.k0, conversation.c.chat_id == talk.c.k1,
                                           conversation.c.sender_id == talk.c.k2)))
    return people, talks


# Plain rows, read by attribute as ORM objects would be (ChatRepo.remember_unless_current, the pipeline).
ChatRow = namedtuple("ChatRow", [c.name for c in Chat.__table__.c])
ConversationRow = namedtuple("ConversationRow", [c.name for c in Conversation.__table__.c])
_CHAT_END = 3 + len(ChatRow._fields)


ArrivalKey = tuple[str, str, str]  # channel, sender id, chat id


class ArrivalRepo:
    def __init__(self, session: AsyncSession, dialect: str = "sqlite") -> None:
        self.session, self.dialect = session, dialect

    async def of(self, channel: str, sender_id: str, chat_id: str) -> Arrival:
        result = await self.session.execute(_ARRIVAL, {"channel": channel, "sender_id": sender_id,
                                                        "chat_id": chat_id})
        row = result.one_or_none()
        return Arrival() if row is None else Arrival(*row)

    async def of_many(self, keys: list[ArrivalKey]) -> dict[ArrivalKey, Arrival]:
        """`of` for a batch of messages in two statements (one when no sender is registered), whatever its size."""
        execute = self.session.execute
        people_read, talks_read = _statements(self.dialect)
        people, communes, units = {}, {}, []
        for channel, sender, person, commune, *unit in await execute(
                people_read, {"senders": json.dumps(sorted({(channel, sender) for channel, sender, _ in keys}))}):
            people[channel, sender] = person
            communes[commune.id] = commune
            if unit[0] is not None:
                units.append(UnitRow(*unit))
        unit_memo.remember(self.session, units)
        known = [key for key in keys if (key[0], key[1]) in people]
        if not known:
            return {key: Arrival() for key in keys}
        chats, talks = {}, {}
        for row in await execute(talks_read, {"talks": json.dumps(
                sorted({(channel, chat, sender) for channel, sender, chat in known}))}):
            channel, chat_id, sender = row[:3]
            if row[3] is not None:
                chats[channel, chat_id] = ChatRow._make(row[3:_CHAT_END])
            if row[_CHAT_END] is not None:
                talks[channel, sender, chat_id] = ConversationRow._make(row[_CHAT_END:])
        return {key: Arrival(people[key[:2]], communes[people[key[:2]].commune_id], chats.get((key[0], key[2])),
                             talks.get(key)) if key[:2] in people else Arrival() for key in keys}
