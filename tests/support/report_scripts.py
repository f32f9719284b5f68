"""The ways a village head files the same Ngày hội report, message by message (issue 17.3's measurement)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

ONE_SENTENCE = ("hôm qua thôn tổ chức ngày hội đại đoàn kết ở nhà văn hóa có 150 người", "có", "1")
MENU_WITH_DONE = ("bao cao", "1", "1", "hôm qua", "Nhà văn hóa thôn", "150 người", "có", "xong", "1")
MENU = ("bao cao", "1", "1", "hôm qua", "Nhà văn hóa thôn", "150 người", "có", "bỏ qua", "bỏ qua", "bỏ qua", "1")
SCRIPTS = {"menu": MENU, "menu + xong": MENU_WITH_DONE, "one sentence": ONE_SENTENCE}


@dataclass(frozen=True)
class Count:
    sent_by_user: int
    sent_by_bot: int
    last_reply: str


async def file_report(say: Callable[[str], Awaitable[list[str]]], script: tuple[str, ...]) -> Count:
    """Type the script; count the messages each way (every bot message is one platform message)."""
    replies: list[str] = []
    for text in script:
        replies += await say(text)
    return Count(len(script), len(replies), replies[-1] if replies else "")
