"""Opening a report form from /baocao's menu. The menu has two levels when one is too long for a message
(the plan's groups first, issue 15.7); typing the form's name opens it at either level, so tests name the
form they mean instead of walking numbers that change when the plan regroups its forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from plan.schema import Field, Form

NGAY_HOI = "Ngày hội Đại đoàn kết toàn dân tộc"  # the village's first form, the one most tests file
NGAY_HOI_GROUP = "1. Ngày hội, mô hình ở khu dân cư"  # how the first level lists the group holding it


async def open_form(say: Callable[[str], Awaitable[list[str]]], form: str = NGAY_HOI, *,
                    unit: str | None = None, command: str = "bao cao") -> list[str]:
    """/baocao, the unit when the user reports for several (staff), then the form by its name: the replies to
    the last message (the form's first question)."""
    await say(command)
    if unit is not None:
        await say(unit)
    return await say(form)


async def file_form(say: Callable[[str], Awaitable[list[str]]], form: Form, answer: Callable[[Field], str], *,
                    unit: str | None = None) -> list[str]:
    """Open `form` by its name (open_form), type `answer(field)` at each question, then send it: the replies to
    the send."""
    await open_form(say, form.label.vi, unit=unit)
    for field in form.fields:
        await say(answer(field))
    return await say("1")
