"""A recommendation recorded with /kiennghi that the register already holds (issue 15: one register, no double
counting): a report (supervision, dialogue, voters' meeting…) puts its recommendations into the register when it
is saved, and staff may then type the same one with /kiennghi. Same unit, same words once diacritics, case,
spacing and punctuation are set aside, received within TWIN_DAYS of each other: /kiennghi asks before adding it.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from core.vnparse import fold
from handlers.context import Context
from storage.models import Petition

# "Within a few days": a report is often typed a day or several after the meeting, and the item /kiennghi records
# carries the date it was received; a week either side catches both without pairing a recurring request of next month.
TWIN_DAYS = 7
_NOT_WORD = re.compile(r"[^\w]+")


def words(text: str) -> str:
    """The text as a comparable key: no diacritics, lower case, words separated by one space, no punctuation."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


async def likely_twin(ctx: Context, unit_id: int, content: str, received_on: date) -> Petition | None:
    """The register's item of the same unit with the same words received within TWIN_DAYS, the nearest first."""
    key = words(content)
    window = timedelta(days=TWIN_DAYS)
    items = await ctx.repos.petitions.in_commune(ctx.person.commune_id, received_on - window, received_on + window)
    twins = [item for item in items if item.unit_id == unit_id and words(item.content) == key]
    return min(twins, key=lambda item: abs((item.received_on - received_on).days), default=None)
