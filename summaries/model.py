"""The values a summary is compiled from (Snapshot) and compiled into (Summary): frozen, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple

from plan.periods import Period

Status = Literal["dat", "chua_dat", "dang_thuc_hien"]
TimelineStatus = Literal["done", "overdue", "upcoming", "ongoing"]


class SummaryError(ValueError):
    """The plan asks for something the compiler cannot compute (e.g. an unknown aggregation kind)."""


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    name: str
    kind: str  # plan.schema.UnitKind value
    active: bool = True  # inactive units keep their reports' names but count in no denominator


class ReportRow(NamedTuple):
    """One live report, as the compiler needs it (no ORM object leaves storage). A NamedTuple, as Activity: a
    large commune's year is 100,000 of them, made at less than half a frozen dataclass's cost."""

    # in this order: summaries.compile._activities unpacks it
    id: int
    unit_id: int
    form_id: str
    activity_date: date
    answers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PetitionRow:
    """One petition or recommendation (kiến nghị), as the 100% indicators and the open list need it."""

    id: int
    reference: str  # KN-2026-014
    unit_id: int
    source_kind: str  # plan.petition_lifecycle.SOURCE_KINDS
    status: str
    content: str
    received_on: date
    closed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything of one commune and plan year that a summary depends on."""

    commune_name: str
    province: str
    year: int
    units: tuple[UnitInfo, ...]  # every unit of the commune, active or not
    baselines: Mapping[tuple[int, str], int]  # (unit id, key) -> value, for the plan year
    reports: tuple[ReportRow, ...]  # live reports from December of the year before to 31 December
    session_dates: tuple[date, ...] = ()  # HĐND sessions, when known
    petitions: tuple[PetitionRow, ...] = ()  # the year's items and any older ones still open


@dataclass(frozen=True, slots=True)
class UnitReach:
    """One unit's part of a coverage indicator: people or households reached for the first time this year.

    `reached` is capped at the unit's own `baseline`, so no unit counts more than it has; `reported` is the
    uncapped sum its reports gave. The row with `unit_id` None pools units that hold no baseline of their own
    (the commune, organisations): together they fill at most what the units' own reports left uncovered.
    """

    unit_id: int | None
    name: str
    reached: float
    baseline: float | None
    reported: float


@dataclass(frozen=True, slots=True)
class Measure:
    """An indicator's value over one date range: `value` is a count or a percent (None: no denominator)."""

    value: float | None
    numerator: float
    denominator: float | None  # units, baseline or reported total; None for counts
    reach: tuple[UnitReach, ...] = ()  # coverage indicators: per unit, from 1 January to the range's end

    def progress(self, target: float) -> float | None:
        """Percent of the target reached."""
        return None if self.value is None else 100.0 * self.value / target


@dataclass(frozen=True, slots=True)
class IndicatorResult:
    id: str
    section: str
    label_vi: str
    label_en: str
    measure: Literal["percent", "count"]
    target: float
    period: Measure
    year_to_date: Measure
    status: Status
    # Why a value is "—" (no denominator): a message id (summaries.compile.NO_VALUE), "" when it has one
    no_value: str = ""


@dataclass(frozen=True, slots=True)
class UnitResult:
    """What one unit reported: its required activities (per-unit indicators) done or not."""

    unit: UnitInfo
    required: tuple[str, ...]  # form ids
    done_in_period: tuple[str, ...]
    done_year_to_date: tuple[str, ...]
    reports_in_period: int
    reports_year_to_date: int
    first_done: Mapping[str, date] = field(default_factory=dict)  # required form -> first report this year


@dataclass(frozen=True, slots=True)
class TimelineResult:
    item_id: str
    text: str
    due_text: str
    deadline: date | None
    status: TimelineStatus
    reports: int  # matching reports in the item's window (ongoing: in the period)
    done_on: date | None = None
    cited: str = ""  # the row is the plan the report cites (TimelineItem.is_reference): its reference


class Activity(NamedTuple):
    """One report of the period, ready to list (a NamedTuple: a province has 100,000 of them a year)."""

    report_id: int
    day: date
    unit_name: str
    form_id: str
    form_label: str
    answers: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class OpenPetition:
    """A petition still waiting for an answer at the summary's date, with its age in days."""

    reference: str
    source_kind: str
    unit_name: str
    content: str
    received_on: date
    age_days: int


@dataclass(frozen=True, slots=True)
class PetitionTally:
    """One source's recommendations in a date range, from the register (summaries.petitions.tally)."""

    source_kind: str
    received: int
    handled: int  # answered or resolved by the range's end
    in_time: int  # of them, within settings.petition_answer_days of receipt ("kịp thời")


@dataclass(frozen=True, slots=True)
class Summary:
    commune_name: str
    province: str
    period: Period
    year_to_date: Period
    as_of: date
    indicators: tuple[IndicatorResult, ...]
    units: tuple[UnitResult, ...]
    timeline: tuple[TimelineResult, ...]
    counts: Mapping[str, int]  # form id -> reports in the period
    counts_year_to_date: Mapping[str, int]
    totals: Mapping[tuple[str, str], float]  # (form id, number field id) -> sum in the period
    silent_units: tuple[UnitInfo, ...]  # units with no report at all in the period
    activities: tuple[Activity, ...]
    open_petitions: tuple[OpenPetition, ...] = ()  # oldest first, as of min(as_of, period end)
    petitions: tuple[PetitionTally, ...] = ()  # the register's items received in the period, per source
    petitions_year_to_date: tuple[PetitionTally, ...] = ()
    answer_days: int = 30  # PETITION_ANSWER_DAYS, the "kịp thời" limit the tallies used
    # reports of the period on forms the plan (a corrected version) no longer has: kept, listed, not counted
    retired_forms: Mapping[str, int] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not self.activities


@dataclass(frozen=True, slots=True)
class DocumentSettings:
    """Who issues and signs the report and who receives it: from settings (REPORT_*), never from code."""

    issuer: str = "ỦY BAN MTTQ VIỆT NAM"
    board: str = "BAN THƯỜNG TRỰC"
    number: str = ""  # the register number; empty leaves a blank for the office to fill by hand
    number_suffix: str = "BC-MTTQ-BTT"
    sign_on_behalf: str = "TM. BAN THƯỜNG TRỰC"
    signer_title: str = "CHỦ TỊCH"
    signer_name: str = ""
    recipients: tuple[str, ...] = ()
    party_number_suffix: str = "BC/ĐU"
    party_sign_on_behalf: str = "T/M BAN THƯỜNG VỤ"
    party_signer_title: str = "BÍ THƯ"
    party_signer_name: str = ""
    party_recipients: tuple[str, ...] = ()
