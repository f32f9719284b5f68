"""The plan file's schema: indicators, report forms, timeline items and their cross-references.

A plan is data (see docs/architecture.md): next year's plan or another commune's is a new file, not
new code. Every model here is frozen so a loaded plan can be shared by every request safely.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.vnparse import loose
from plan.due import Due
from plan.filters import Where
from plan.petition_lifecycle import SourceKind

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]
# A phrase people write for an activity or a field (matched without diacritics, Telex leftovers undone).
Phrase = Annotated[str, Field(pattern=r"[^\W\d_]", max_length=80)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanReferenceError(ValueError):
    """A cross-reference error; `loc` is the path to the offending value, so the loader can name its line."""

    def __init__(self, message: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.loc = loc


class LocalText(_Frozen):
    """A user-facing text in both languages the bot speaks."""

    vi: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        return self.en if language == "en" else self.vi


class UnitKind(StrEnum):
    """What kind of reporting unit a unit is; bodies and forms refer to these."""

    COMMUNE = "commune"  # Ủy ban MTTQ Việt Nam xã itself
    VILLAGE = "village"  # khu dân cư / thôn (Ban Công tác Mặt trận)
    ORGANISATION = "organisation"  # tổ chức chính trị - xã hội
    PARTY_CELL = "party_cell"  # chi bộ
    BOARD = "board"  # Ban Thanh tra nhân dân, Ban Giám sát đầu tư của cộng đồng


class FieldKind(StrEnum):
    DATE = "date"
    NUMBER = "number"
    TEXT = "text"
    CHOICE = "choice"
    YESNO = "yesno"
    PHOTO = "photo"
    UNIT = "unit"


class Option(_Frozen):
    id: Identifier
    label: LocalText


class FormField(_Frozen):
    """One question of a report form."""

    id: Identifier
    kind: FieldKind
    label: LocalText
    prompt: LocalText
    required: bool = True
    min: int | None = None
    max: int | None = None
    unit: LocalText | None = None  # e.g. "hộ", "người": shown after numbers
    max_length: int = Field(default=1000, ge=1, le=5000)
    options: tuple[Option, ...] = ()
    # Reading a one-message report (core/extract.py): the words that name this field's answer — units and
    # their synonyms after a number ("suất quà"), the fact of a yes/no field ("hương ước") — and what a
    # text or number field means in a sentence: the place ("ở/tại …") or an amount of money ("5 triệu").
    keywords: tuple[Phrase, ...] = ()
    means: Literal["place", "money"] | None = None
    petitions: SourceKind | None = None  # a text field listing recommendations: fed to the register as this source

    @model_validator(mode="after")
    def _check_kind_specifics(self) -> FormField:
        if self.kind is FieldKind.CHOICE and len(self.options) < 2:
            raise ValueError(f"choice field '{self.id}' needs at least two options")
        if self.kind is not FieldKind.CHOICE and self.options:
            raise ValueError(f"only choice fields have options ('{self.id}' is {self.kind})")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"field '{self.id}': min {self.min} is greater than max {self.max}")
        if (self.min is not None or self.max is not None) and self.kind is not FieldKind.NUMBER:
            raise ValueError(f"field '{self.id}': min/max apply to number fields only")
        if self.keywords and self.kind not in (FieldKind.NUMBER, FieldKind.YESNO):
            raise ValueError(f"field '{self.id}': keywords apply to number and yes/no fields only")
        if self.petitions is not None and self.kind is not FieldKind.TEXT:
            raise ValueError(f"field '{self.id}': 'petitions' applies to text fields only")
        if self.means is not None and self.kind is not {"place": FieldKind.TEXT, "money": FieldKind.NUMBER}[self.means]:
            raise ValueError(f"field '{self.id}': means '{self.means}' does not fit a {self.kind} field")
        return self


class Form(_Frozen):
    """A guided report form for one kind of activity."""

    id: Identifier
    label: LocalText
    reporters: tuple[UnitKind, ...] = Field(min_length=1)  # unit kinds that report this activity
    fields: tuple[FormField, ...] = Field(min_length=1)
    date_field: Identifier = "ngay"  # the field holding the activity's date
    # What people call the activity (with or without diacritics, common misspellings): a sentence naming one
    # of these (or the label) is a report of this form. Keywords only hint at it: the bot then offers a choice.
    aliases: tuple[Phrase, ...] = ()
    keywords: tuple[Phrase, ...] = ()

    @model_validator(mode="after")
    def _check_fields(self) -> Form:
        ids = [f.id for f in self.fields]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"form '{self.id}' repeats field ids: {', '.join(duplicated)}")
        date = next((f for f in self.fields if f.id == self.date_field), None)
        if date is None or date.kind is not FieldKind.DATE or not date.required:
            raise ValueError(f"form '{self.id}' needs a required date field '{self.date_field}'")
        return self

    def field(self, field_id: str) -> FormField:
        return next(f for f in self.fields if f.id == field_id)


class Aggregation(_Frozen):
    """How an indicator's value is computed from reports; a handful of kinds, no per-indicator code.

    - unit_coverage: percent of units of `unit_kinds` with at least one matching report;
    - activity_count: number of matching reports (from units of `unit_kinds`, any if empty);
    - field_sum_over_baseline: percent = sum of `field` over matching reports / sum of `baseline` keys;
    - field_ratio: percent = sum of `field` / sum of `denominator_field` over matching reports;
    - petition_share: percent of the petition items of `source` answered or resolved (from the petition
      records, not from reports); its optional `form` is the units' own report form, listed beside it.
    """

    kind: Literal["unit_coverage", "activity_count", "field_sum_over_baseline", "field_ratio", "petition_share"]
    form: Identifier | None = None
    source: SourceKind | None = None  # petition_share only
    timely: bool = False  # petition_share: handled = answered within settings.petition_answer_days ("kịp thời")
    unit_kinds: tuple[UnitKind, ...] = ()
    where: Where | None = None
    field: Identifier | None = None
    denominator_field: Identifier | None = None
    baseline: tuple[Identifier, ...] = ()

    @model_validator(mode="after")
    def _check_parameters(self) -> Aggregation:
        needs = {
            "unit_coverage": ("unit_kinds",),
            "activity_count": (),
            "field_sum_over_baseline": ("field", "baseline"),
            "field_ratio": ("field", "denominator_field"),
            "petition_share": ("source",),
        }[self.kind]
        if self.kind != "petition_share":
            needs = ("form", *needs)
        missing = [name for name in needs if not getattr(self, name)]
        if missing:
            raise ValueError(f"aggregation '{self.kind}' needs: {', '.join(missing)}")
        if self.kind == "petition_share" and (self.field or self.denominator_field or self.baseline or self.where
                                              or self.unit_kinds):
            raise ValueError("aggregation 'petition_share' takes only 'source' (and optionally 'form')")
        if self.kind != "petition_share" and (self.source is not None or self.timely):
            raise ValueError(f"'source' applies to aggregation 'petition_share' only, not '{self.kind}'")
        return self


class Indicator(_Frozen):
    """A yearly target of the plan's section II.1."""

    id: str = Field(pattern=r"^[0-9]+(\.[0-9]+)*$")
    section: str
    label: LocalText
    target: float = Field(gt=0)
    measure: Literal["percent", "count"]
    aggregate: Aggregation

    @model_validator(mode="after")
    def _check_measure(self) -> Indicator:
        percent_kinds = {"unit_coverage", "field_sum_over_baseline", "field_ratio", "petition_share"}
        if (self.aggregate.kind in percent_kinds) != (self.measure == "percent"):
            raise ValueError(f"indicator {self.id}: measure '{self.measure}' does not fit "
                             f"aggregation '{self.aggregate.kind}'")
        if self.measure == "percent" and self.target > 100:
            raise ValueError(f"indicator {self.id}: a percent target cannot exceed 100")
        return self


class Body(_Frozen):
    """A responsible body named in the timeline, and which reporting units act for it."""

    id: Identifier
    name: LocalText
    unit_kinds: tuple[UnitKind, ...] = ()  # empty: a body with no reporting units (e.g. HĐND)


class TimelineItem(_Frozen):
    """One row of the plan's appendix (Phụ lục)."""

    id: str = Field(pattern=r"^[IVX]+(\.[0-9]+)+$")
    text: str = Field(min_length=1)
    responsible: tuple[Identifier, ...] = Field(min_length=1)
    due: Due
    form: Identifier | None = None  # the activity whose report marks this item done
    # Only reports whose answers pass every test close the item (e.g. the document type and issuing body):
    # a supervision programme must not close the Party committee's plan. One mapping or a list of them.
    where: tuple[Where, ...] = ()
    note: str = ""
    is_reference: bool = False  # the row asks for this very plan (Plan.reference): settled by its existence

    @field_validator("where", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return (value,) if isinstance(value, dict) else value

    def matches(self, answers: Mapping[str, object]) -> bool:
        return all(test.accepts(answers.get(test.field)) for test in self.where)


class PlanSettings(_Frozen):
    quarter_cutoff_day: int = Field(default=15, ge=1, le=28)  # the quarter's last month
    reminder_ladder: tuple[int, ...] = (-14, -7, -2, 0, 3)  # days relative to a deadline
    max_photos_per_report: int = Field(default=10, ge=1, le=50)  # an album sent with a report keeps this many
    # The one definition of a reporting period, used by reminders, /lich, /tonghop, the quarter-end report,
    # the DOCX and the XLSX: "calendar" quarters, or quarters that end on quarter_cutoff_day of their last
    # month ("cutoff": Quý II = 16/03 to 15/06 with day 15), so no activity falls between two periods.
    reporting_period: Literal["calendar", "cutoff"] = "calendar"
    # PETITION_ANSWER_DAYS (bot.plans.with_answer_days): the overdue notices' and "kịp thời"'s one number
    petition_answer_days: int = Field(default=30, ge=1, le=365)

    @property
    def period_cutoff(self) -> int:
        """The cut-off day periods end on, or 0 for calendar quarters (plan.periods.Period.cutoff_day)."""
        return self.quarter_cutoff_day if self.reporting_period == "cutoff" else 0


class Commune(_Frozen):
    name: str
    province: str
    timezone: str = "Asia/Ho_Chi_Minh"


class BaselineSpec(_Frozen):
    """A per-unit yearly figure the commune enters (households, poor households…): a directory file's column."""

    id: Identifier
    label: LocalText


class FormGroup(_Frozen):  # a first-level entry of the report menu (all forms are too many for one message)
    id: Identifier
    label: LocalText
    forms: tuple[Identifier, ...] = Field(min_length=1)


class Plan(_Frozen):
    """The whole yearly plan, cross-checked after load."""

    year: int = Field(ge=2000, le=2100)
    title: str
    reference: str  # e.g. "Kế hoạch số 65-KH/TU ngày 10/03/2026"
    scheme: str = ""  # the Đề án the plan implements, as a report's opening cites it (number, date, body, name)
    commune: Commune
    settings: PlanSettings = PlanSettings()
    bodies: tuple[Body, ...]
    forms: tuple[Form, ...] = Field(min_length=1)
    indicators: tuple[Indicator, ...]
    timeline: tuple[TimelineItem, ...]
    baselines: tuple[BaselineSpec, ...] = ()  # declared figures; indicators may divide only by these when given
    form_groups: tuple[FormGroup, ...] = ()  # the report menu's first level

    @model_validator(mode="after")
    def _check_references(self) -> Plan:
        for kind, key, ids in (("form", "forms", [f.id for f in self.forms]),
                               ("indicator", "indicators", [i.id for i in self.indicators]),
                               ("timeline item", "timeline", [t.id for t in self.timeline]),
                               ("body", "bodies", [b.id for b in self.bodies])):
            duplicated = sorted({i for i in ids if ids.count(i) > 1})
            if duplicated:
                first_repeat = next(n for n, i in enumerate(ids) if i in ids[:n])
                raise PlanReferenceError(f"{kind} ids repeated: {', '.join(duplicated)}",
                                         (key, first_repeat, "id"))
        self._check_aliases()
        for n, group in enumerate(self.form_groups):  # a form in no group is offered under "Khác"
            for k, form_id in enumerate(group.forms):
                self._referenced_form(form_id, f"form group {group.id}", ("form_groups", n, "forms", k))
        for n, indicator in enumerate(self.indicators):
            self._check_aggregation(indicator, ("indicators", n, "aggregate"))
        declared = {b.id for b in self.baselines}
        for n, indicator in enumerate(self.indicators):
            undeclared = [key for key in indicator.aggregate.baseline if declared and key not in declared]
            if undeclared:
                raise PlanReferenceError(f"indicator {indicator.id}: baseline '{undeclared[0]}' is not declared in "
                                         "'baselines'", ("indicators", n, "aggregate", "baseline"))
        bodies = {b.id for b in self.bodies}
        for n, item in enumerate(self.timeline):
            unknown = [b for b in item.responsible if b not in bodies]
            if unknown:
                at = ("timeline", n, "responsible", item.responsible.index(unknown[0]))
                raise PlanReferenceError(
                    f"timeline item {item.id}: unknown responsible body {', '.join(unknown)}", at)
            if item.form is not None:
                self._referenced_form(item.form, f"timeline item {item.id}", ("timeline", n, "form"))
            if item.where and item.form is None:
                raise PlanReferenceError(f"timeline item {item.id}: 'where' needs a 'form'", ("timeline", n, "where"))
            for k, test in enumerate(item.where):
                self._check_where(self.form(item.form), test, f"timeline item {item.id}", ("timeline", n, "where", k))
            other_years = sorted({int(y) for y in re.findall(r"\b(?:19|20|21)\d\d\b", item.due.text)} - {self.year})
            if other_years:
                raise PlanReferenceError(f"timeline item {item.id}: deadline '{item.due.text}' is outside the plan "
                                         f"year {self.year}", ("timeline", n, "due", "text"))
        return self

    def _check_aliases(self) -> None:
        """One alias naming two forms would make a one-message report ambiguous; say which forms share it."""
        owner: dict[str, str] = {}
        for n, form in enumerate(self.forms):
            for k, alias in enumerate(form.aliases):
                key = loose(alias)
                if owner.get(key, form.id) != form.id:
                    raise PlanReferenceError(f"form '{form.id}': alias '{alias}' already names form '{owner[key]}'",
                                             ("forms", n, "aliases", k))
                owner[key] = form.id

    def _check_aggregation(self, indicator: Indicator, loc: tuple[str | int, ...]) -> None:
        agg, context = indicator.aggregate, f"indicator {indicator.id}"
        if agg.form is None:  # petition_share without a report form of its own
            return
        form = self._referenced_form(agg.form, context, (*loc, "form"))
        field_ids = {f.id: f for f in form.fields}
        for name in ("field", "denominator_field"):
            value, at = getattr(agg, name), (*loc, name)
            if value is not None:
                if value not in field_ids:
                    raise PlanReferenceError(f"{context}: form '{form.id}' has no field '{value}'", at)
                if field_ids[value].kind is not FieldKind.NUMBER:
                    raise PlanReferenceError(f"{context}: field '{value}' is not a number field", at)
        if agg.where is not None:
            self._check_where(form, agg.where, context, (*loc, "where"))

    @staticmethod
    def _check_where(form: Form, test: Where, context: str, loc: tuple[str | int, ...]) -> None:
        """The filter's field exists in the form, and its values are the field's option ids (or true/false)."""
        field = next((f for f in form.fields if f.id == test.field), None)
        if field is None:
            raise PlanReferenceError(f"{context}: form '{form.id}' has no field '{test.field}'", (*loc, "field"))
        allowed: set[str | bool] = {o.id for o in field.options} if field.kind is FieldKind.CHOICE else \
            {True, False} if field.kind is FieldKind.YESNO else set()
        wrong = [v for v in test.values if allowed and v not in allowed]
        if wrong or not allowed:
            what = f"is not one of its options ({', '.join(map(str, sorted(allowed, key=str)))})" if allowed \
                else "is not a choice or yes/no field"
            raise PlanReferenceError(f"{context}: field '{test.field}' of form '{form.id}': "
                                     f"{wrong[0] if wrong else 'the filter'} {what}",
                                     (*loc, "one_of" if test.one_of else "equals"))

    def _referenced_form(self, form_id: str, context: str, loc: tuple[str | int, ...]) -> Form:
        try:
            return self.form(form_id, context=context)
        except ValueError as exc:
            raise PlanReferenceError(str(exc), loc) from None

    def form(self, form_id: str, *, context: str = "plan") -> Form:
        for form in self.forms:
            if form.id == form_id:
                return form
        raise ValueError(f"{context}: unknown form '{form_id}'")

    def forms_for(self, unit_kind: UnitKind) -> list[Form]:
        """The forms a unit of this kind may report, in plan order."""
        return [f for f in self.forms if unit_kind in f.reporters]

    def baseline_keys(self) -> list[BaselineSpec]:
        """Every figure the commune enters per unit and year: the declared ones, then any an indicator uses."""
        specs = list(self.baselines)
        for indicator in self.indicators:
            for key in indicator.aggregate.baseline:
                if all(spec.id != key for spec in specs):
                    specs.append(BaselineSpec(id=key, label=LocalText(vi=key, en=key)))
        return specs

    def body(self, body_id: str) -> Body:
        return next(b for b in self.bodies if b.id == body_id)
