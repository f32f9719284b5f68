"""`mttq-bot remind preview`: every reminder that would go out in a date range, and when; sends and writes nothing.

It runs the real planner slot by slot over the stored data, assuming nothing more gets reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from core.i18n import Translator
from plan.book import PlanBook
from plan.schema import Plan
from reminders.config import ReminderConfig
from reminders.planner import Occurrence, due, next_moment, schedule
from reminders.texts import render
from reminders.tick import Loaded, load_snapshot
from storage.db import Database


@dataclass(frozen=True, slots=True)
class PreviewLine:
    at: datetime
    key: str
    recipient: str  # a person's name or a group's title
    text: str


async def preview(db: Database, plans: Plan | PlanBook, translator: Translator, config: ReminderConfig,
                  first: date, last: date, *, commune_ids: list[int] | None = None) -> list[PreviewLine]:
    """The reminders of [first, last] for these communes (default: every one), in time order, each by its
    plan of `first`'s year (plan/book.py)."""
    book = PlanBook.of(plans)
    async with db.transaction() as repos:
        communes = commune_ids if commune_ids is not None else [c.id for c in await repos.directory.communes()]
        loaded = [(book.for_day(c, first), await load_snapshot(repos, book.for_day(c, first), c)) for c in communes]
    lines = [line for plan, one in loaded for line in _simulate(plan, translator, config, one, first, last)]
    return sorted(lines, key=lambda line: (line.at, line.key))


def _simulate(plan: Plan, translator: Translator, config: ReminderConfig, loaded: Loaded, first: date,
              last: date) -> Iterator[PreviewLine]:
    tz = config.calendar.tz
    snapshot = replace(loaded.snapshot, claimed=frozenset())  # show the whole range, sent before or not
    steps = schedule(plan, snapshot, config)
    since = datetime.combine(first, time(0), tzinfo=tz) - timedelta(microseconds=1)  # `first` itself included
    end = datetime.combine(last, time(23, 59, 59), tzinfo=tz)
    while (moment := next_moment(plan, snapshot, config, since, steps)) is not None and moment <= end:
        for occ in due(plan, snapshot, config, moment, since, steps):
            yield _line(plan, translator, loaded, occ, moment)
        since = moment


def _line(plan: Plan, translator: Translator, loaded: Loaded, occ: Occurrence, moment: datetime) -> PreviewLine:
    number = int(occ.recipient[1:])
    if occ.recipient.startswith("g"):
        chat = loaded.groups.get(number)
        name, language = (chat.title if chat else occ.recipient), translator.default_language
    else:
        person = loaded.people.get(number)
        name = person.name if person else occ.recipient
        language = person.language if person else translator.default_language
    reply = render(occ, plan, translator.for_language(language), language, loaded.unit_names)
    return PreviewLine(moment, occ.key, name, reply.text)
