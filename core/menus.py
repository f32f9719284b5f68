"""Menu options as conversations keep them (a value and every label that selects it), and long menus and lists
cut into pages that each fit one message of MESSAGE_CHARS (issue 15.7: Zalo is read on a cheap phone's screen).

A paged menu keeps every option's number on every page (page 2 of a commune's units lists 11., 12., …), so a
number means the same unit whatever page is shown; its last line "0. ➡️ Xem tiếp (trang 2/4)" turns the page,
and a name typed at any page picks from the whole list (handlers/context.Context.ask_menu keeps the pages).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.i18n import Translate
from core.messages import Choice

MESSAGE_CHARS = 300  # the longest message the bot sends in a conversation (read on a cheap phone's screen)
# The value of a paged menu's option 0, the next page (the last page's leads to the first). Page 1's is exactly this;
# a later page's adds what it comes from (NEXT_PAGE + ":2"), so its footer can offer «trước» and page 1's never does.
NEXT_PAGE = "__next_page__"
NEXT_NUMBER = 0  # the number it is shown and typed with: no option of the list has it
MoreLine = Callable[[int, int], str]  # (page, pages) → the line under a list's page saying how to see the next


def menu_chars(text: str, labels: list[str], footer: str) -> int:
    """How long a numbered menu is once rendered (bot/channels/text_menu.render_numbered)."""
    return len(text) + sum(len(f"\n{n}. {label}") for n, label in enumerate(labels, start=1)) + 1 + len(footer)


def option(value: str | int, *labels: str) -> dict[str, Any]:
    """A menu option as kept in conversation state: its value and every label that selects it."""
    return {"value": str(value), "labels": [label for label in labels if label]}


def choices_of(options: list[dict[str, Any]]) -> list[Choice]:
    """The options as the neutral choices a channel renders (numbered lines, or buttons on Telegram)."""
    return [Choice(value=o["value"], label=o["labels"][0], number=o.get("number")) for o in options]


def turns_page(value: str | None) -> bool:
    """Whether a chosen value is a paged menu's option 0 (a pressed "Xem tiếp" button), whatever page it was on."""
    return value is not None and (value == NEXT_PAGE or value.startswith(NEXT_PAGE + ":"))


def yes_no_options(t: Translate) -> list[dict[str, Any]]:
    """"1. Có / 2. Không": every yes/no question's two options, chosen by number, button, or typed có/co/yes,
    không/khong/no in either language (Context.yes_or_no also reads "ừ", "chưa", … through parse_yesno)."""
    return [option("yes", t("answer.yes"), "có", "co", "yes"), option("no", t("answer.no"), "không", "khong", "no")]


def footer(t: Translate, choices: Sequence[Choice]) -> str:
    """The instruction under a numbered menu: which numbers to type (a page of a long menu: a short line, the
    room is for options; «trước» only where a page comes before)."""
    turn = next((choice for choice in choices if choice.number == NEXT_NUMBER), None)
    if turn is not None:  # a page: its option 0 says how to turn it
        first = turn.value == NEXT_PAGE
        if len(choices) == 1:  # a list's page (/lich): nothing to choose, only the page to turn
            return t("menu.type_next_first" if first else "menu.type_next")
        return t("menu.type_number_paged_first" if first else "menu.type_number_paged")
    return t("menu.type_number_one") if len(choices) == 1 else t("menu.type_number", last=len(choices))


def numbered(choices: Sequence[Choice]) -> list[tuple[int, str]]:
    """(number, label) of each choice as shown: its own number if it has one, else its place in the list."""
    return [(n if choice.number is None else choice.number, choice.label) for n, choice in enumerate(choices, 1)]


def rendered_chars(text: str, choices: Sequence[Choice], t: Translate) -> int:
    """How long a menu is once rendered: the text, "n. label" lines and the footer, one per line."""
    lines = [text, *(f"{n}. {label}" for n, label in numbered(choices)), footer(t, choices)]
    return len("\n".join(lines))


def with_numbers(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the options carrying their number in the whole list (1, 2, …), shown on whatever page."""
    return [{**o, "number": n} for n, o in enumerate(options, start=1)]


def next_page_option(t: Translate, page: int, pages: int) -> dict[str, Any]:
    """Option 0 of page `page` (0-based) of `pages`: where it leads, as "trang 2/4"."""
    following = (page + 1) % pages
    value = NEXT_PAGE if page == 0 else f"{NEXT_PAGE}:{page + 1}"
    return {**option(value, t("menu.more", page=following + 1, pages=pages)), "number": NEXT_NUMBER}


def option_pages(text: str, options: list[dict[str, Any]], t: Translate, limit: int = MESSAGE_CHARS
                 ) -> list[list[dict[str, Any]]]:
    """`options` (numbered: with_numbers) in pages that each fit `limit` with `text`, option 0 and the footer;
    one page if the whole menu fits, or if even two options and option 0 do not (then the text is the long part,
    and pages would only hide options: the caller sends that text apart)."""
    if rendered_chars(text, choices_of(options), t) <= limit:
        return [options]
    widest_next = next_page_option(t, 98, 99)  # "trang 99/99": room for any page's option 0
    if len(options) < 3 or rendered_chars(text, choices_of([*options[:2], widest_next]), t) > limit:
        return [options]
    pages: list[list[dict[str, Any]]] = [[]]
    for item in options:
        trial = [*pages[-1], item, widest_next]
        if pages[-1] and rendered_chars(text, choices_of(trial), t) > limit:
            pages.append([])
        pages[-1].append(item)
    return pages


def page_menu(pages: list[list[dict[str, Any]]], page: int, t: Translate) -> list[dict[str, Any]]:
    """The options page `page` (0-based) shows: its own, then option 0 to the next page."""
    return [*pages[page], next_page_option(t, page, len(pages))]


def message_pieces(lines: Sequence[str], limit: int = MESSAGE_CHARS) -> list[str]:
    """`lines` as messages of at most `limit` characters, cut only between lines; a line longer than `limit` alone
    (a long answer) is cut between words over several messages. Nothing is left out or shortened."""
    pieces: list[str] = []
    for line in lines:
        for part in _word_parts(line, limit):
            if pieces and len(pieces[-1]) + 1 + len(part) <= limit:
                pieces[-1] += "\n" + part
            else:
                pieces.append(part)
    return pieces


def _word_parts(line: str, limit: int) -> list[str]:
    parts: list[str] = []
    for word in line.split(" "):
        while len(word) > limit:  # one "word" longer than a message (a pasted link): cut it
            parts.append(word[:limit])
            word = word[limit:]
        if parts and len(parts[-1]) + 1 + len(word) <= limit:
            parts[-1] += " " + word
        else:
            parts.append(word)
    return parts or [""]


def line_pages(header: str, lines: list[str], more_for: MoreLine, limit: int = MESSAGE_CHARS) -> list[list[str]]:
    """A long list in pages that each fit `limit` with the header and the "more" line `more_for(page, pages)`
    says under every page but the last (a sample call sizes it); a line too long alone gets a page alone."""
    if len(header) + sum(1 + len(line) for line in lines) <= limit:
        return [list(lines)]  # all fit: no "more" line to make room for
    reserve = len(more_for(99, 99)) + 1
    pages: list[list[str]] = [[]]
    used = len(header)
    for line in lines:
        if pages[-1] and used + 1 + len(line) + reserve > limit:
            pages.append([])
            used = len(header)
        pages[-1].append(line)
        used += 1 + len(line)
    return pages


def page_text(header: str, lines: list[str], more_for: MoreLine, page: int, limit: int = MESSAGE_CHARS) -> str:
    """Page `page` (1-based, kept in range) of `lines` under `header`, with the "more" line if pages follow."""
    split = line_pages(header, lines, more_for, limit)
    page = min(max(page, 1), len(split))
    shown = [header, *split[page - 1]]
    if page < len(split):
        shown.append(more_for(page + 1, len(split)))
    return "\n".join(shown)


def list_menu(t: Translate, header: str, lines: list[str], page: int, options: list[dict[str, Any]],
              tail: str = "", limit: int = MESSAGE_CHARS) -> tuple[str, list[dict[str, Any]], int]:
    """A long list (deadlines, open petitions) read a page at a time the way a long menu is: page `page` (0-based,
    wrapping round) of `lines` under `header`, then `tail` (a hint every page repeats), with `options` and, when
    pages follow, option 0 "➡️ Xem tiếp (trang 2/4)", all in one message of `limit`.
    Returns (text, options to offer, the page shown)."""
    def text(shown: list[str]) -> str:
        return "\n".join(filter(None, [header, *shown, tail]))

    if rendered_chars(text(lines), choices_of(options), t) <= limit:
        return text(lines), options, 0
    room = limit - rendered_chars("", choices_of([*options, next_page_option(t, 98, 99)]), t)
    room -= len(tail) + 1 if tail else 0
    split = line_pages(header, lines, lambda _page, _pages: "", room)
    page %= len(split)
    shown = [*options, next_page_option(t, page, len(split))] if len(split) > 1 else options
    return text(split[page]), shown, page
