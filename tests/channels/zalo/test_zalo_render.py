"""Zalo rendering: numbered menus, splitting at 2000 characters (Vietnamese marks included), files as links."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bot.channels.text_menu import split_text
from bot.channels.zalo.platform import LIMITS
from bot.channels.zalo.sender import render
from core.i18n import Translator
from core.messages import Choice, FileOut, Reply

LOCALES = Path(__file__).resolve().parents[3] / "locales"
t_vi = Translator(LOCALES).for_language("vi")


def no_links(_file_id: int, _name: str) -> None:
    return None


def links(file_id: int, name: str) -> str:
    return f"https://bot.example.vn/files/tok{file_id}/{name}"


def test_choices_become_a_numbered_menu_with_one_instruction():
    reply = Reply("Báo cáo hoạt động nào?", (Choice("a", "Ngày hội"), Choice("b", "Mô hình tự quản"),
                                             Choice("c", "Giám sát")))
    [message] = render(reply, t_vi, no_links)
    assert message.text.splitlines() == ["Báo cáo hoạt động nào?", "1. Ngày hội", "2. Mô hình tự quản",
                                         "3. Giám sát", "Gõ số 1–3 để chọn (hoặc gõ tên mục)."]


@pytest.mark.parametrize(("label", "text"), [
    ("paragraphs", "\n\n".join(["Đoạn văn về Ngày hội Đại đoàn kết toàn dân tộc ở thôn Nà Pài. " * 12] * 6)),
    ("lines", "\n".join(["Dòng báo cáo: đã thăm hỏi, tặng quà hộ nghèo và cận nghèo. " * 3] * 60)),
    ("words", "Nghị quyết " * 700),
    ("one long word", "đ" * 4500),
    ("combining marks (NFD)", unicodedata.normalize("NFD", "Ủy ban Mặt trận Tổ quốc xã Nam Cường " * 150)),
    ("NFD long word", unicodedata.normalize("NFD", "ỦyỦyỦy" * 800)),
])
def test_long_text_splits_into_valid_pieces_losing_nothing(label, text):
    messages = render(Reply(text), t_vi, no_links)
    assert len(messages) >= 2, label
    for message in messages:
        assert 1 <= len(message.text) <= LIMITS.text
        assert not unicodedata.combining(message.text[0]), "a piece must not start with a loose mark"
    joined = "".join("".join(m.text.split()) for m in messages)
    assert joined == "".join(unicodedata.normalize("NFC", text).split())


def test_split_prefers_paragraphs_then_lines():
    text = "A" * 1500 + "\n\n" + "B" * 800 + "\n" + "C" * 300
    assert [len(p) for p in split_text(text, 2000)] == [1500, 1101]


def test_split_never_separates_a_letter_from_its_marks():
    text = unicodedata.normalize("NFD", "ệ" * 30)  # each letter is three code points
    for piece in split_text(text, 10):
        assert not unicodedata.combining(piece[0])


def test_photo_goes_as_a_signed_link_with_its_text_as_caption():
    reply = Reply("Ảnh hoạt động", photo=FileOut(7, "anh.jpg", "image/jpeg"))
    [message] = render(reply, t_vi, links)
    assert message.photo_url == "https://bot.example.vn/files/tok7/anh.jpg" and message.text == "Ảnh hoạt động"


def test_document_becomes_a_link_or_a_clear_message_without_public_url():
    reply = Reply("Báo cáo quý IV", document=FileOut(3, "bao_cao.docx", "application/msword"))
    [linked] = render(reply, t_vi, links)
    assert "https://bot.example.vn/files/tok3/bao_cao.docx" in linked.text
    [unlinked] = render(reply, t_vi, no_links)
    assert "bao_cao.docx" in unlinked.text and "địa chỉ công khai" in unlinked.text and not unlinked.photo_url
