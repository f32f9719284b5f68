"""What a handler gets for one inbound message: repositories, plan, clock, translator, the sender."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.flowstate import FlowState
from core.i18n import Translate, Translator
from core.menus import (
    MESSAGE_CHARS,
    NEXT_NUMBER,
    choices_of,
    list_menu,
    message_pieces,
    option,
    option_pages,
    page_menu,
    rendered_chars,
    turns_page,
    with_numbers,
)
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
                                            state.to_text(), self.now)

    async def forget(self) -> None:
        self.state = None
        inbound = self.inbound
        await self.repos.conversations.clear(inbound.channel, inbound.chat_id, inbound.sender_id)

    def picked(self, options: list[dict[str, Any]]) -> str | None:
        """The option the user chose: a pressed button, a number, or a label typed loosely (in a paged menu, any
        option's number or name, whatever page is shown)."""
        options = self.every_option(options)
        values = [o["value"] for o in options]
        if self.inbound.choice is not None:
            return self.inbound.choice if self.inbound.choice in values else None
        index = match_choice(self.inbound.text, [o["labels"] for o in options])
        return values[index] if index is not None else None

    def every_option(self, options: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The whole menu `options` is a page of (numbered 1…N, so a number is the option's place), or `options`."""
        state = self.state
        paged = state is not None and options is state.options and state.paged()
        return state.all_options if paged else options

    async def ask_menu(self, state: FlowState, step: str, text: str, options: list[dict[str, Any]],
                       **meta: Any) -> None:
        """Ask a numbered question and keep the state so the next message answers it. A menu too long for one
        message (core.menus.MESSAGE_CHARS) is shown a page at a time, each option keeping its number."""
        state.step, state.page = step, 0
        numbered = with_numbers(options)
        if len(option_pages(text, numbered, self.t)) == 1:
            state.options, state.all_options, state.menu_text = options, [], ""
            self.say(text, choices_of(options), **meta)
        else:
            state.all_options, state.menu_text = numbered, text
            self._show_page(state, **meta)
        await self.remember(state)

    async def ask_after(self, state: FlowState, step: str, lines: list[str], question: str,
                        options: list[dict[str, Any]]) -> None:
        """`lines` (e.g. a report's answers) with the menu under them in one message if it fits MESSAGE_CHARS; else
        the lines in messages of their own, whole, then `question` with the menu: nothing the user typed is cut."""
        text = "\n".join(lines)
        if rendered_chars(text, choices_of(options), self.t) <= MESSAGE_CHARS:
            await self.ask_menu(state, step, text, options)
            return
        for piece in message_pieces(lines):
            self.say(piece)
        await self.ask_menu(state, step, question, options)

    def _pages(self, state: FlowState) -> list[list[dict[str, Any]]]:
        return option_pages(state.menu_text, state.all_options, self.t)

    def _show_page(self, state: FlowState, **meta: Any) -> None:
        pages = self._pages(state)
        state.page %= len(pages)
        state.options = page_menu(pages, state.page, self.t)
        self.say(state.menu_text, choices_of(state.options), **meta)

    def page_turn(self) -> int | None:
        """+1 or -1 when the message turns the page of the paged menu waiting for an answer (0, "tiếp", "trước",
        option 0's button), else None."""
        if self.state is None or not self.state.paged():
            return None
        return self.page_step()

    def page_step(self) -> int | None:
        """+1 for "0", "tiếp", "xem tiếp" or option 0's button, -1 for "trước", else None: the words that turn a
        long menu's page, and a long list's (ask_list) the same way."""
        if self.inbound.choice is not None:
            return 1 if turns_page(self.inbound.choice) else None
        key = fold(self.inbound.text).strip(" .")
        if key == str(NEXT_NUMBER) or key in self._page_words("menu.page.next_words"):
            return 1
        return -1 if key in self._page_words("menu.page.prev_words") else None

    def _page_words(self, msgid: str) -> set[str]:
        """The words of both languages (a catalog line "tiếp|xem tiếp|…"), compared without diacritics."""
        return {fold(word) for language in ("vi", "en")
                for word in self.translator.for_language(language)(msgid).split("|")}

    async def turn_page(self, step: int) -> None:
        """Show the next (or previous) page of the paged menu waiting for an answer; the question stays open."""
        self.state.page += step
        self._show_page(self.state)
        await self.remember(self.state)

    async def ask_list(self, state: FlowState, step: str, header: str, lines: list[str], page: int,
                       options: list[dict[str, Any]] = (), tail: str = "") -> int:
        """Show page `page` (0-based, wrapping round) of a long list under `header` (then `tail`) with `options`,
        and "0. ➡️ Xem tiếp" when pages follow, as a long menu is shown; keep `state` waiting at `step`, where the
        flow answers page_step() with the next page. Returns the page shown (also kept as state.list_page)."""
        text, shown, state.list_page = list_menu(self.t, header, lines, page, list(options), tail)
        await self.ask_menu(state, step, text, shown)
        return state.list_page

    async def unit_options(self) -> list[dict[str, Any]]:
        """The commune's active units as menu options (staff report or record for any of them)."""
        return [option(u.id, u.name) for u in await self.repos.directory.units(self.person.commune_id)]

    def pick_or_ask_again(self, options: list[dict[str, Any]]) -> str | None:
        """The option chosen, or None after saying how to choose and showing the same menu again."""
        picked = self.picked(options)
        if picked is None:
            self.ask_again(options)
        return picked

    def ask_again(self, options: list[dict[str, Any]]) -> None:
        """"Gõ số 1–N để chọn" (N: the whole menu's, when paged) and the menu again: an answer that picked nothing."""
        self.say_with_menu(self.t("err.answer.pick_number", last=len(self.every_option(options))), options)

    def say_with_menu(self, text: str, options: list[dict[str, Any]]) -> None:
        """`text` (what was wrong) and the menu (the page shown) again: one message, or two if one would be longer
        than core.menus.MESSAGE_CHARS (the menu then under "Xin chọn một mục:")."""
        if rendered_chars(text, choices_of(options), self.t) > MESSAGE_CHARS:
            self.say(text)
            text = self.t("menu.choose_again")
        self.say(text, choices_of(options))

    def said_yes(self) -> bool | None:
        return parse_yesno(self.inbound.text)

    def yes_or_no(self, options: list[dict[str, Any]]) -> str | None:
        """"yes" or "no" for a yes/no menu (core.menus.yes_no_options): the option picked, or the words typed
        ("ừ", "chưa có", …); None when the message says neither."""
        picked = self.picked(options)
        if picked is not None:
            return picked
        answer = self.said_yes()
        return None if answer is None else ("yes" if answer else "no")

    def typed(self, *words: str) -> bool:
        """Whether the message is one of these words, compared without diacritics."""
        return fold(self.inbound.text) in words

