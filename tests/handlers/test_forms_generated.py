"""Every form of the shipped plan, filled in by chat from answers generated from its fields.

A form added to the plan is covered here without a new line of test code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from support.app import ChatUser
from support.demo_db import demo_app

from core.messages import PhotoIn
from core.vnparse import fold
from handlers.flows import report_menu
from plan.loader import SHIPPED_PLAN, load_plan
from plan.schema import FieldKind, Form, FormField, UnitKind
from storage.models import StoredFile

PLAN = load_plan(SHIPPED_PLAN)


@pytest.fixture
async def app(tmp_path, clock):
    """conftest's demo app, from a copied template database (this module makes many)."""
    app = await demo_app(tmp_path, clock)
    yield app
    await app.close()
PHOTO = PhotoIn(file_id="photo-1", content=b"\xff\xd8\xff\xe0 a small jpeg", mime="image/jpeg")
# The clock stands on Wednesday 25/11/2026; each of these means Tuesday 24/11/2026.
DATE_TEXTS = ("hôm qua", "24/11", "24-11-2026", "ngày 24 tháng 11", "thứ Ba", "T3", "24.11.2026")

# One wrong answer per field kind: (typed text or a photo-less reply, message id, its parameters).
MONEY_WRONG = ("khoảng 150 người", "err.money.unreadable", {})  # a count is not an amount of money
WRONG = {
    FieldKind.DATE: ("không nhớ", "err.date.unreadable", {}),
    FieldKind.NUMBER: ("nhiều lắm", "err.number.unreadable", {}),
    FieldKind.TEXT: ("   ", "err.answer.text_expected", {}),
    FieldKind.CHOICE: ("99", "err.answer.pick_number", {"last": None}),
    FieldKind.YESNO: ("có lẽ", "err.answer.pick_yes_no", {}),
    FieldKind.PHOTO: ("ảnh đây", "err.answer.photo_expected", {}),
    FieldKind.UNIT: ("99", "err.answer.pick_number", {"last": None}),
}


@dataclass(frozen=True)
class Answer:
    text: str = ""
    photo: PhotoIn | None = None
    expected: Any = None  # the stored value; None for a photo (a file id, checked separately)


def valid_answer(form_number: int, field: FormField, units: list) -> Answer:
    """A valid answer for `field`, typed the way village officials type."""
    kind = field.kind
    if field.means == "money":
        return Answer("2 triệu rưỡi", expected=2_500_000)
    if kind is FieldKind.DATE:
        return Answer(DATE_TEXTS[form_number % len(DATE_TEXTS)], expected="2026-11-24")
    if kind is FieldKind.NUMBER:
        low, high = field.min or 0, field.max if field.max is not None else 10**6
        value = min(high, max(low, 1200))  # the upper bound is allowed; 1.200 shows the thousands dot
        typed = f"{value:,}".replace(",", ".") + (f" {field.unit.vi}" if field.unit else "")
        return Answer(typed, expected=value)
    if kind is FieldKind.TEXT:
        text = f"Thử: {field.label.vi}"[:field.max_length]
        return Answer(text, expected=text)
    if kind is FieldKind.CHOICE:
        last = field.options[-1]
        return Answer(fold(last.label.vi), expected=last.id)  # the label, without diacritics
    if kind is FieldKind.YESNO:
        yes = form_number % 2 == 0
        return Answer("có" if yes else "không", expected=yes)
    if kind is FieldKind.PHOTO:
        return Answer(photo=PHOTO)
    return Answer("2", expected=units[1].id)  # FieldKind.UNIT: the second unit of the menu


async def _units(app) -> list:
    async with app.db.transaction() as repos:
        [commune] = await repos.directory.communes()
        return await repos.directory.units(commune.id)


async def _open_form(staff: ChatUser, form: Form, units: list) -> str:
    """/baocao as staff: pick a unit of a kind the form allows, then the form; returns the first question."""
    unit_number = next(n for n, u in enumerate(units, 1) if UnitKind(u.kind) in form.reporters)
    assert "Báo cáo cho đơn vị nào?" in (await staff.say("/baocao"))[0]
    menu = (await staff.say(str(unit_number)))[0]
    forms = PLAN.forms_for(UnitKind(units[unit_number - 1].kind))
    groups = report_menu.groups_for(PLAN, forms, report_menu.other_label(staff.app.translator))
    if "Báo cáo việc gì?" in menu:  # too long for one message: the group holding the form first (issue 15.7)
        group_number = next(n for n, g in enumerate(groups, 1) if form.id in g.forms)
        assert f"{group_number}. {groups[group_number - 1].label.vi}" in menu
        menu = (await staff.say(str(group_number)))[0]
        forms = [f for f in forms if f.id in groups[group_number - 1].forms]
    form_number = forms.index(form) + 1
    assert f"{form_number}. {form.label.vi}" in menu
    [question] = await staff.say(str(form_number))
    return question


def _wrong_answer_expected(app, field: FormField, units: list) -> tuple[str, str]:
    typed, msgid, params = MONEY_WRONG if field.means == "money" else WRONG[field.kind]
    if "last" in params:
        params = {"last": len(field.options) if field.kind is FieldKind.CHOICE else len(units)}
    return typed, app.translator.for_language("vi")(msgid, **params)


@pytest.mark.parametrize("form", PLAN.forms, ids=[f.id for f in PLAN.forms])
async def test_every_form_fills_confirms_and_stores(app, staff, form: Form):
    units = await _units(app)
    question = await _open_form(staff, form, units)
    form_number = PLAN.forms.index(form)
    kinds_tried: set[FieldKind] = set()
    expected: dict[str, Any] = {}
    for index, field in enumerate(form.fields):
        assert question.startswith(f"({index + 1}/{len(form.fields)}) {field.prompt.vi}"), question
        if field.kind not in kinds_tried:  # one wrong answer per kind: the hint, then the same question
            kinds_tried.add(field.kind)
            typed, hint = _wrong_answer_expected(app, field, units)
            assert await staff.say(typed) == [hint, question]
        answer = valid_answer(form_number, field, units)
        expected[field.id] = answer.expected
        replies = await staff.say(answer.text, photo=answer.photo)
        last = index == len(form.fields) - 1  # the check: one message, or its answers then its question (≤ 300 each)
        assert len(replies) == 1 or (last and replies[-1].startswith("Gửi báo cáo này?")), replies
        assert all(len(reply) <= 300 for reply in replies), replies
        question = "\n".join(replies)
    assert question.startswith("Xin kiểm tra lại báo cáo:") and "1. Gửi báo cáo" in question
    assert "Đã ghi báo cáo số 1" in (await staff.say("1"))[0]
    await _check_stored(app, form, expected)


async def _check_stored(app, form: Form, expected: dict[str, Any]) -> None:
    async with app.db.transaction() as repos:
        report = await repos.reports.get(1)
        assert await repos.reports.get(2) is None
        photos = {f.id: await repos.files.get(report.answers[f.id]) for f in form.fields if f.kind is FieldKind.PHOTO}
    assert report.form_id == form.id and report.activity_date.isoformat() == "2026-11-24"
    for field_id, stored in photos.items():
        assert isinstance(stored, StoredFile) and stored.report_id == report.id and stored.content == PHOTO.content
        expected[field_id] = stored.id
    assert report.answers == expected
