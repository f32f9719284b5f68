"""The answer a reminder waits for: built here when the reminder is queued, read by the reminder flow.

The tick stores it as the recipient's conversation (flow "reminder"), so a bare "1"/"đã làm" or
"2"/"nhắc lại sau" after a reminder is understood; it never replaces a conversation already under way.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from core.flowstate import FlowState
from core.i18n import Translate
from core.menus import option

FLOW = "reminder"
DONE, LATER = "done", "later"
DONE_WORDS = ("da lam", "da lam roi", "lam roi", "xong", "done")
LATER_WORDS = ("nhac lai sau", "nhac lai", "nhac sau", "de sau", "later")


class ReminderAnswer(FlowState):
    """The reminder being answered: its key (without the slot), the unit and form "đã làm" opens."""

    FLOW: ClassVar[str] = FLOW

    step: Literal["answer"] = "answer"
    key: str
    unit_id: int
    form: str | None = None
    snooze_days: int = 3


def answer_options(t: Translate) -> list:
    """The two numbered answers, with the words that select them typed loosely."""
    return [option(DONE, t("remind.choice.done"), "da lam", "xong", "done"),
            option(LATER, t("remind.choice.later"), "nhac lai sau", "de sau", "later")]


def offer(key: str, unit_id: int, form: str | None, snooze_days: int, t: Translate) -> ReminderAnswer:
    """The state that lets the recipient answer the reminder of occurrence `key` (its slot is dropped)."""
    return ReminderAnswer(key=key.rsplit("|", 1)[0], unit_id=unit_id, form=form, snooze_days=snooze_days,
                          options=answer_options(t))
