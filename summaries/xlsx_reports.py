"""The workbook's "every report of the period" rows as XML text: one row a report, 100,000 for a province's year.

A row is one f-string. What rows repeat is worked out once and remembered: per unit its name's cell, per form
its label's cell and which fields give the title, the figures and the details line, per text its shared
string's cell. What is left per row is reading the answers and joining the details line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any, NamedTuple

from core.i18n import Translate
from plan.schema import FieldKind, Plan
from summaries.compile import title_fields, title_from
from summaries.model import Summary
from summaries.text_util import unit_label
from summaries.xlsx_bulk import EXACT, column_letters, number_text
from summaries.xlsx_strings import SharedText

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


class _Layout(NamedTuple):
    """What every row of one form shares."""

    label: str  # the form label's cell, after `<c r="D7`
    fields: frozenset[str]  # the form's field ids: a report answering only these has its figures in `figures`
    titles: tuple[str, ...]  # fields a title is looked for in, in order
    figures: tuple[tuple[str, str], ...]  # (field id, column letter) of its number fields, in column order
    details: tuple[tuple[str, str, dict | None], ...]  # (field id, "label: ", how choices/yes-no read) in form order


class _Layouts:
    """Each form's layout, made when its first report comes; and the figures of a report whose answers hold a
    field its form no longer has (an older plan's): every number field of the plan it answers."""

    def __init__(self, plan: Plan, t: Translate, text: SharedText, numbers: list[tuple[str, str]],
                 number_style: int):
        self.plan, self.t, self.text, self.number_style = plan, t, text, number_style
        self.letters = column_letters(5 + len(numbers))
        self.number_columns = {field_id: column for column, (field_id, _label) in enumerate(numbers, start=5)}
        self.forms: dict[str, _Layout] = {}

    def make(self, form_id: str, form_label: str) -> _Layout:
        fields = [f.id for f in self.plan.form(form_id).fields]
        # a label of nothing but control characters would leave no text: the form's id stands in
        label = self.text.tail(form_label) or self.text.tail(form_id)
        figures = sorted((self.number_columns[key], key) for key in fields if key in self.number_columns)
        layout = self.forms[form_id] = _Layout(
            label, frozenset(fields), title_fields(self.plan, form_id),
            tuple((key, self.letters[column]) for column, key in figures),
            tuple(detail_fields(self.plan, self.t, form_id, self.number_columns)))
        return layout

    def stray_figures(self, answers: Mapping[str, Any], row: str) -> str:
        figures = sorted((self.number_columns[key], value) for key, value in answers.items()
                         if key in self.number_columns and value.__class__ in _NUMBER_TYPES)
        return "".join(f'<c r="{self.letters[column]}{row}" s="{self.number_style}"><v>{number_text(value)}</v></c>'
                       for column, value in figures)


ROWS_PER_PIECE = 10_000  # the rows are written into the sheet's part in pieces of this many (~2.5 MB of XML)


def report_rows(text: SharedText, summary: Summary, plan: Plan, t: Translate, numbers: list[tuple[str, str]],
                date_style: int, number_style: int) -> Iterator[str]:
    """The rows after the header (`<row r="2">…`): report number, date, unit, form, title, one column per number
    field of the plan (`numbers`, from column F), the details line last. Text goes into the book's shared
    strings (`text`), as its write_string would put it. Made in pieces of ROWS_PER_PIECE rows, as written."""
    layouts = _Layouts(plan, t, text, numbers, number_style)
    forms = layouts.forms
    details_column = column_letters(6 + len(numbers))[-1]
    units: dict[str, str] = {}
    serials: dict[date, str] = {}  # a day's date cell after `<c r="B7`: a year has 365 days, a province 100,000 rows
    tails = text.tails
    parts = []
    strings = 2 * len(summary.activities)  # the unit and the form label of every row, then titles and details
    for row, (report_id, day, unit_name, form_id, form_label, answers) in enumerate(summary.activities, start=2):
        form = forms.get(form_id) or layouts.make(form_id, form_label)
        unit = units.get(unit_name)
        if unit is None:
            unit = units[unit_name] = text.tail(unit_label(t, unit_name))
        r = str(row)  # once: an int in an f-string is converted at each place
        title = details = figures = ""
        # each: the text, then its cell's ending ("" when nothing is left of it: no cell)
        if (form.titles and (title := title_from(form.titles, answers))
                and (title := tails.get(title) or text.tail(title))):
            title = f'<c r="E{r}{title}'
            strings += 1
        if (form.details and (details := details_line(form.details, answers))
                and (details := tails.get(details) or text.tail(details))):
            details = f'<c r="{details_column}{r}{details}'
            strings += 1
        if answers.keys() <= form.fields:
            if form.figures:
                # number_text inline (a call per figure would cost most of what it saves)
                figures = "".join([f'<c r="{letter}{r}" s="{number_style}"><v>{shown}</v></c>'
                                   for field_id, letter in form.figures
                                   if (value := answers.get(field_id)).__class__ in _NUMBER_TYPES
                                   and (shown := str(value) if value.__class__ is int and -EXACT < value < EXACT
                                        else f"{value:.16G}")])
        else:
            figures = layouts.stray_figures(answers, r)
        date_cell = serials.get(day)
        if date_cell is None:
            date_cell = serials[day] = f'" s="{date_style}"><v>{day.toordinal() - _EPOCH}</v></c>'
        parts.append(f'<row r="{r}"><c r="A{r}"><v>{report_id}</v></c><c r="B{r}{date_cell}'
                     f'<c r="C{r}{unit}<c r="D{r}{form.label}{title}{figures}{details}</row>')
        if len(parts) == ROWS_PER_PIECE:
            yield "".join(parts)
            parts.clear()
    text.references += strings
    yield "".join(parts)
