"""Reading the bot's numbered menus as a user does: the number of an option, turning a long menu's pages
(core.menus: a page at a time, each option keeping its number, "0" for the next page) until it shows."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

Say = Callable[[str], Awaitable[list[str]]]
MAX_PAGES = 50  # a menu is turned at most this often looking for an option (then the test says what it saw)


def number_of(menu: str, label: str) -> str:
    """The number a rendered menu gives the option whose line contains `label`."""
    match = re.search(rf"^(\d+)\. [^\n]*{re.escape(label)}", menu, re.M)
    assert match, (label, menu)
    return match.group(1)


def shows(menu: str, label: str) -> bool:
    return re.search(rf"^\d+\. [^\n]*{re.escape(label)}", menu, re.M) is not None


def paged(menu: str) -> bool:
    """Whether the menu is one page of a longer one (its option 0 turns the page)."""
    return re.search(r"^0\. ", menu, re.M) is not None


async def page_showing(say: Say, menu: str, label: str) -> str:
    """The page of `menu` that lists `label`, turning pages with "0" as a user would."""
    for _ in range(MAX_PAGES):
        if shows(menu, label) or not paged(menu):
            return menu
        menu = (await say("0"))[-1]
    return menu


async def every_page(say: Say, first: str) -> list[str]:
    """Every page of a long menu or list from its first, turning with "0" until option 0 leads back to page 1."""
    pages = [first]
    while (turn := re.search(r"^0\. .*\((?:trang|page) (\d+)/\d+\)$", pages[-1], re.M)) and turn[1] != "1":
        pages.append((await say("0"))[-1])
        assert len(pages) <= MAX_PAGES, pages[-1]
    return pages


async def pick(say: Say, menu: str, label: str) -> list[str]:
    """Choose the option whose line contains `label` by its number, turning pages until it shows."""
    menu = await page_showing(say, menu, label)
    return await say(number_of(menu, label))
