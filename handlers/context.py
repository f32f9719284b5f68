"""What a handler gets for one inbound message: repositories, plan, clock, translator, the sender."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.flowstate import FlowState
from core.i18n import Translate, Translator
from core.menus import choices_of, option
from core.messages import Choice, Inbound, PhotoIn, Reply
from core.vnparse import fold, match_choice, parse_yesno
from plan.book import PlanBook
from plan.periods import business_date
from plan.schema import Plan
from storage.models import Commune, Person
from storage.repositories import Repositories

PhotoFetcher = Callable[[PhotoIn], Awaitable[bytes | None]]


@dataclass(frozen=True, slots=True)
class HandlerSettings:
    default_language: str = "vi"
    conversation_ttl: timedelta = timedelta(hours=72)
    invite_ttl: timedelta = timedelta(days=14)
    max_photo_bytes: int = 5 * 1024 * 1024
    public_base_url: str | None = None  # where the web server is reached from outside (/web links)


@dataclass
class Context:
    """One inbound message being handled inside one transaction."""

    inbound: Inbound
    repos: Repositories
    plan: Plan
    now: datetime
    tz: ZoneInfo
    translator: Translator
    settings: HandlerSettings
    person: Person | None = None
    commune: Commune | None = None
    state: FlowState | None = None  # the stored conversation this message continues, if any
    plans: PlanBook | None = None  # every stored plan: a past year's reports and summaries use that year's
    replies: list[Reply] = field(default_factory=list)
    # Background work this message queued, woken by name once its transaction commits (e.g. "render_jobs").
    after_commit: set[str] = field(default_factory=set)

    @property
    def language(self) -> str:
        if self.person is not None:
            return self.person.language
        hint = self.inbound.language_hint or ""
        return "en" if hint.startswith("en") else self.settings.default_language

    def plan_for_year(self, year: int) -> Plan:
        """The sender's commune's plan of that year (plan/book.py); `plan` is this year's."""
        if self.plans is None or year == self.plan.year:
            return self.plan
        return self.plans.for_year(self.person.commune_id if self.person else None, year)

    @property
    def t(self) -> Translate:
        return self.translator.for_language(self.language)

    @property
    def today(self) -> date:
        return business_date(self.now, self.tz)

    @property
    def flow(self) -> str | None:
        return self.state.FLOW if self.state is not None else None

    @property
    def role(self) -> str | None:
        return self.person.role if self.person else None

    def say(self, text: str, choices: tuple[Choice, ...] | list[Choice] = (), *, menu_role: str | None = None,
            **meta: Any) -> None:
        self.replies.append(Reply(text=text, choices=tuple(choices), language=self.language, menu_role=menu_role,
                                  meta=meta))

    async def remember(self, state: FlowState) -> None:
        """Keep the conversation's state so the next message (even after a restart) continues it."""
        self.state = state
        inbound = self.inbound
        await self.repos.conversations.save(inbound.channel, inbound.chat_id, inbound.sender_id, state.FLOW,
                                            state.to_row(), self.now)

    async def forget(self) -> None:
        self.state = None
        inbound = self.inbound
        await self.repos.conversations.clear(inbound.channel, inbound.chat_id, inbound.sender_id)

    def picked(self, options: list[dict[str, Any]]) -> str | None:
        """The option the user chose: a pressed button, a number, or a label typed loosely."""
        values = [o["value"] for o in options]
        if self.inbound.choice is not None:
            return self.inbound.choice if self.inbound.choice in values else None
        index = match_choice(self.inbound.text, [o["labels"] for o in options])
        return values[index] if index is not None else None

    async def ask_menu(self, state: FlowState, step: str, text: str, options: list[dict[str, Any]]) -> None:
        """Ask a numbered question and keep the state so the next message answers it."""
        state.step, state.options = step, options
        self.say(text, choices_of(options))
        await self.remember(state)

    async def unit_options(self) -> list[dict[str, Any]]:
        """The commune's active units as menu options (staff report or record for any of them)."""
        return [option(u.id, u.name) for u in await self.repos.directory.units(self.person.commune_id)]

    def pick_or_ask_again(self, options: list[dict[str, Any]]) -> str | None:
        """The option chosen, or None after saying how to choose and showing the same menu again."""
        picked = self.picked(options)
        if picked is None:
            self.say(self.t("err.answer.pick_number", last=len(options)), choices_of(options))
        return picked

    def said_yes(self) -> bool | None:
        return parse_yesno(self.inbound.text)

    def typed(self, *words: str) -> bool:
        """Whether the message is one of these words, compared without diacritics."""
        return fold(self.inbound.text) in words

