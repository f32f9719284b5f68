"""core.menus: long menus in pages that fit one message, each option keeping its number, option 0 turning the page.
(The channels render exactly what rendered_chars measures: tests/channels/test_text_menu_pages.py.)"""

from __future__ import annotations

from pathlib import Path

from core.i18n import Translator
from core.menus import (
    MESSAGE_CHARS,
    NEXT_PAGE,
    choices_of,
    footer,
    message_pieces,
    numbered,
    option,
    option_pages,
    page_menu,
    rendered_chars,
    turns_page,
    with_numbers,
)

T = Translator(Path(__file__).resolve().parents[2] / "locales").for_language("vi")
QUESTION = "Báo cáo cho đơn vị nào?"


def _units(count: int) -> list[dict]:
    return with_numbers([option(n, f"Thôn Khuổi Luông Trên Xã Nam Cường số {n}") for n in range(1, count + 1)])


def test_a_menu_that_fits_is_one_page():
    options = with_numbers([option("a", "Một"), option("b", "Hai")])
    assert option_pages("Chọn:", options, T) == [options]


def test_every_page_fits_and_every_option_is_on_exactly_one_page_with_its_own_number():
    options = _units(40)
    pages = option_pages(QUESTION, options, T)
    assert len(pages) > 3
    assert [o["value"] for page in pages for o in page] == [str(n) for n in range(1, 41)]
    for index, page in enumerate(pages):
        shown = choices_of(page_menu(pages, index, T))
        assert rendered_chars(QUESTION, shown, T) <= MESSAGE_CHARS
        first = page[0]["number"]
        assert numbered(shown)[0] == (first, f"Thôn Khuổi Luông Trên Xã Nam Cường số {first}")  # the list's number
        following = (index + 1) % len(pages) + 1  # the last page leads back to the first
        assert numbered(shown)[-1] == (0, f"➡️ Xem tiếp (trang {following}/{len(pages)})")
        assert turns_page(shown[-1].value) and (shown[-1].value == NEXT_PAGE) == (index == 0)
        # «trước» (previous page) is offered only where a page comes before
        assert ("trước" in footer(T, shown)) == (index > 0)
    assert len(pages[0]) > 3  # pages are filled, not one option each


def test_a_long_question_is_not_paged_its_text_is_the_long_part():
    options = _units(5)
    assert option_pages("x" * 290, options, T) == [options]


def test_message_pieces_cut_between_lines_and_a_long_line_between_words_losing_nothing():
    answer = " ".join(f"chữ{n}" for n in range(120))  # ~600 characters in one answer
    lines = ["Xin kiểm tra lại báo cáo:", "- Ngày: 24/11/2026", f"- Nội dung: {answer}", "- Số người: 150"]
    pieces = message_pieces(lines)
    assert len(pieces) >= 3 and all(len(piece) <= MESSAGE_CHARS for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(" ".join(lines).split())  # every word, in order
    assert pieces[0] == "Xin kiểm tra lại báo cáo:\n- Ngày: 24/11/2026"  # the long answer starts a message
    assert pieces[1].startswith("- Nội dung: chữ0 chữ1") and pieces[-1].endswith("chữ119\n- Số người: 150")
    assert message_pieces(["a", "b"]) == ["a\nb"]
