"""The workbook's "every report of the period" rows as XML text: one row a report, 100,000 for a province's year.

A row is one f-string. What rows repeat is worked out once and remembered: per unit its name's cell, per form
and set of answered fields ("shape") which fields give the title, the figures and the details line, per text its
shared string's cell. What is left per row is reading the answers and joining the details line (~4 µs).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, NamedTuple

from core.i18n import Translate
from plan.schema import FieldKind, Plan
from summaries.compile import title_fields, title_from
from summaries.model import Summary
from summaries.text_util import unit_label
from summaries.xlsx_bulk import SharedText, column_letters

_EPOCH = date(1899, 12, 30).toordinal()  # Excel's day 0 (its 1900 leap-year bug included)
_NUMBER_TYPES = (int, float)  # bool is neither here: a yes/no answer is no figure


def number_columns(plan: Plan) -> list[tuple[str, str]]:
    """Every number field id of the plan once, with its Vietnamese label (and unit)."""
    columns: dict[str, str] = {}
    for form in plan.forms:
        for f in form.fields:
            if f.kind is FieldKind.NUMBER and f.id not in columns:
                columns[f.id] = f"{f.label.vi} ({f.unit.vi})" if f.unit else f.label.vi
    return list(columns.items())


class _Shape(NamedTuple):
    """What every row of one form with the same answered fields shares."""

    label: str  # the form label's cell, after `<c r="D7`
    titles: tuple[str, ...]  # fields a title is looked for in, in order
    figures: tuple[tuple[str, str], ...]  # (field id, column letter) of its number answers, in column order
    details: tuple[tuple[str, str, dict | None], ...]  # (field id, "label: ", how choices/yes-no read) in form order


def detail_fields(plan: Plan, t: Translate, form_id: str, skip) -> list[tuple[str, str, dict | None]]:
    """The fields a report's details line lists, as (id, "label: ", names of its values or None)."""
    fields = []
    for f in plan.form(form_id).fields:
        if f.id in skip or f.kind in (FieldKind.PHOTO, FieldKind.DATE):
            continue
        names = {o.id: o.label.vi for o in f.options} if f.kind is FieldKind.CHOICE else \
            {True: t("answer.yes"), False: t("answer.no")} if f.kind is FieldKind.YESNO else None
        fields.append((f.id, f"{f.label.vi}: ", names))
    return fields


def details_line(fields, answers: Mapping[str, Any]) -> str:
    """"label: value; label: value" of the answered fields. A choice's id and a yes/no read as their labels;
    anything else (a choice answered as a number, a yes/no as text) as it is."""
    parts = []
    for field_id, label, names in fields:
        value = answers.get(field_id)
        if value is None:
            continue
        # choices are keyed by id (str), yes/no by True/False: only those kinds of value are looked up (1 == True)
        if names is not None and (value.__class__ is str or value is True or value is False):
            value = names.get(value, value)
        parts.append(f"{label}{value}")
    return "; ".join(parts)


class _Shapes:
    """The shape of each (form, answered fields) met, made on first meeting."""

    def __init__(self, plan: Plan, t: Translate, text: SharedText, numbers: list[tuple[str, str]]):
        self.plan, self.t, self.text = plan, t, text
        letters = column_letters(5 + len(numbers))
        self.number_columns = {field_id: column for column, (field_id, _label) in enumerate(numbers, start=5)}
        self.letters = letters
        self.forms: dict[str, tuple] = {}

    def make(self, form_id: str, form_label: str, answered) -> _Shape:
        if form_id not in self.forms:
            # a label of nothing but control characters would leave no text: the form's id stands in
            label = self.text.tail(form_label) or self.text.tail(form_id)
            self.forms[form_id] = (label, title_fields(self.plan, form_id),
                                   detail_fields(self.plan, self.t, form_id, self.number_columns))
        label, titles, details = self.forms[form_id]
        columns = sorted((self.number_columns[key], key) for key in answered if key in self.number_columns)
        return _Shape(label, tuple(f for f in titles if f in answered),
                      tuple((key, self.letters[column]) for column, key in columns),
                      tuple(d for d in details if d[0] in answered))


def report_rows(book, summary: Summary, plan: Plan, t: Translate, numbers: list[tuple[str, str]],
                date_style: int, number_style: int) -> str:
    """The rows after the header (`<row r="2">…`): report number, date, unit, form, title, one column per number
    field of the plan (`numbers`, from column F), the details line last. Text goes into the book's shared
    strings, as its write_string would put it."""
    text = SharedText(book)
    shapes = _Shapes(plan, t, text, numbers)
    details_column = column_letters(6 + len(numbers))[-1]
    known: dict[tuple, _Shape] = {}
    units: dict[str, str] = {}
    tails = text.tails
    parts = []
    for row, (report_id, day, unit_name, form_id, form_label, answers) in enumerate(summary.activities, start=2):
        shape = known.get(key := (form_id, *answers))
        if shape is None:
            shape = known[key] = shapes.make(form_id, form_label, answers)
        unit = units.get(unit_name)
        if unit is None:
            unit = units[unit_name] = text.tail(unit_label(t, unit_name))
        title = details = figures = ""
        if shape.titles and (title := title_from(shape.titles, answers)):
            title = tails.get(title) or text.tail(title)
            title = title and f'<c r="E{row}{title}'
        if shape.details and (details := details_line(shape.details, answers)):
            details = tails.get(details) or text.tail(details)
            details = details and f'<c r="{details_column}{row}{details}'
        if shape.figures:
            figures = "".join([f'<c r="{letter}{row}" s="{number_style}"><v>{value:.16G}</v></c>'
                               for field_id, letter in shape.figures
                               if (value := answers[field_id]).__class__ in _NUMBER_TYPES])
        parts.append(f'<row r="{row}"><c r="A{row}"><v>{report_id:d}</v></c>'
                     f'<c r="B{row}" s="{date_style}"><v>{day.toordinal() - _EPOCH}</v></c>'
                     f'<c r="C{row}{unit}<c r="D{row}{shape.label}{title}{figures}{details}</row>')
    rows = "".join(parts)
    text.count_references(rows)
    return rows
