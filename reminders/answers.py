"""The answer a reminder message waits for: built here when the message is queued, read by the reminder flow.

The tick stores it as the recipient's conversation (flow "reminder") only when no other conversation is
under way, so "1"/"đã làm", "2"/"nhắc lại sau" — or, for a message listing several items, "đã làm 2",
"nhắc lại sau 1,3", "xong hết" — are understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, model_validator

from core.flowstate import FlowState
from core.i18n import Translate
from core.menus import option
from core.vnparse import fold

FLOW = "reminder"
DONE, LATER, ALL_DONE = "done", "later", "all_done"
DONE_WORDS = ("da lam", "da lam roi", "lam roi", "xong", "done")
LATER_WORDS = ("nhac lai sau", "nhac lai", "nhac sau", "de sau", "later")
ALL_DONE_WORDS = ("xong het", "xong ca", "xong tat ca", "da lam het", "da lam ca", "lam het roi", "all done")


class AnswerItem(BaseModel):
    """One item of a reminder message that can be answered: its key without the slot, what "đã làm" opens."""

    key: str
    unit_id: int
    form: str | None = None
    label: str = ""  # the item as the message listed it, to list the rest again


class ReminderAnswer(FlowState):
    """The items of the last reminder message, numbered as it listed them."""

    FLOW: ClassVar[str] = FLOW

    step: Literal["answer"] = "answer"
    items: list[AnswerItem]
    snooze_days: int = 3

    @model_validator(mode="before")
    @classmethod
    def _one_item_shape(cls, data: Any) -> Any:
        """Rows stored before messages were merged held one reminder's key, unit and form at the top."""
        if isinstance(data, dict) and "items" not in data and "key" in data:
            return {**data, "items": [{"key": data["key"], "unit_id": data.get("unit_id"), "form": data.get("form")}]}
        return data


@dataclass(frozen=True, slots=True)
class Answer:
    """What a reply to a reminder asks for: an action, and the items (0-based) it names (all when empty)."""

    action: str  # DONE, LATER, ALL_DONE
    items: tuple[int, ...] = ()


def answer_options(t: Translate) -> list:
    """The two numbered answers of a one-item reminder, with the words that select them typed loosely."""
    return [option(DONE, t("remind.choice.done"), "da lam", "xong", "done"),
            option(LATER, t("remind.choice.later"), "nhac lai sau", "de sau", "later")]


def offer(items: list[AnswerItem], snooze_days: int, t: Translate) -> ReminderAnswer:
    """The state that lets the recipient answer a message listing `items` (one item: the two numbered answers)."""
    return ReminderAnswer(items=items, snooze_days=snooze_days, options=answer_options(t) if len(items) == 1 else [])


def item_of(key: str, unit_id: int, form: str | None, label: str = "") -> AnswerItem:
    """An answerable item for occurrence `key` (its slot is dropped: a snooze covers the reminder, not one step)."""
    return AnswerItem(key=key.rsplit("|", 1)[0], unit_id=unit_id, form=form, label=label)


_NUMBERS = re.compile(r"^[\d\s,;.+&]*(?:(?:va|and)[\d\s,;.+&]*)*$")


def read_answer(text: str, count: int) -> Answer | None:
    """ "đã làm 2", "nhắc lại sau 1,3", "xong hết", "2" (an item of a longer list), or None when unclear."""
    folded = fold(text)
    if folded in ALL_DONE_WORDS:
        return Answer(ALL_DONE)
    for action, words in ((LATER, LATER_WORDS), (DONE, DONE_WORDS)):
        for word in sorted(words, key=len, reverse=True):
            if folded == word or folded.startswith(word + " "):
                numbers = _numbers(folded[len(word):], count)
                return Answer(action, numbers) if numbers is not None else None
    if count > 1:
        numbers = _numbers(folded, count)
        return Answer(DONE, numbers) if numbers and len(numbers) == 1 else None
    return None


def _numbers(text: str, count: int) -> tuple[int, ...] | None:
    """1-based numbers ("1,3", "1 và 3") → 0-based; () when none; None when any is not an item."""
    if not _NUMBERS.match(text.strip()):
        return None
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not all(1 <= n <= count for n in numbers):
        return None
    return tuple(sorted({n - 1 for n in numbers}))
