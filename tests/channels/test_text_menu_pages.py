"""A page of a long menu as every channel renders it: each option's own number, option 0, the short footer; and
a Telegram button carries the same number."""

from __future__ import annotations

from pathlib import Path

from bot.channels.telegram.keyboard import markup
from bot.channels.text_menu import render_numbered
from core.i18n import Translator
from core.menus import choices_of, option, option_pages, page_menu, rendered_chars, with_numbers
from core.messages import Reply

T = Translator(Path(__file__).resolve().parents[2] / "locales").for_language("vi")


def test_a_second_page_renders_numbers_of_the_whole_list_and_measures_as_core_menus_says():
    options = with_numbers([option(n, f"Thôn Khuổi Luông Trên số {n}") for n in range(1, 31)])
    pages = option_pages("Chọn đơn vị:", options, T)
    shown = tuple(choices_of(page_menu(pages, 1, T)))
    text = render_numbered(Reply("Chọn đơn vị:", shown), T)
    first = pages[1][0]["number"]
    assert first > 1 and f"\n{first}. Thôn Khuổi Luông Trên số {first}\n" in text
    assert f"\n0. ➡️ Xem tiếp (trang 3/{len(pages)})\n" in text and text.endswith(T("menu.type_number_paged"))
    assert len(text) == rendered_chars("Chọn đơn vị:", shown, T)
    buttons = [row[0].text for row in markup(shown, "k").inline_keyboard]
    assert buttons[0].startswith(f"{first}. ") and buttons[-1].startswith("0. ")


def test_a_menu_of_a_stored_reply_without_numbers_renders_as_before():
    reply = Reply.from_payload(Reply("Chọn:", (*choices_of([option("a", "Một"), option("b", "Hai")]),)).to_payload())
    assert render_numbered(reply, T) == "Chọn:\n1. Một\n2. Hai\n" + T("menu.type_number", last=2)
