"""A timeline row's deadline: the kinds the plan's appendix uses ("Tháng 02/2026", "Quý I", "Hằng quý"…)."""

from __future__ import annotations

import calendar
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DueKind(StrEnum):
    MONTH = "month"  # "Tháng 02/2026": due at the end of that month
    QUARTER = "quarter"  # "Quý I", "Quý IV/2026"
    QUARTERS = "quarters"  # "Quý II, III": due at the end of the last one
    EVERY_QUARTER = "every_quarter"  # "Hằng quý": the quarterly report
    ONGOING = "ongoing"  # "Thường xuyên": no deadline, progress still reported
    HDND_SESSION = "hdnd_session"  # "Theo các kỳ họp HĐND": dates entered by staff
    YEAR = "year"  # "Thời gian phù hợp trong năm": due by year end


class Due(BaseModel):
    """When a timeline row falls due, as the plan's appendix words it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DueKind
    month: int | None = Field(default=None, ge=1, le=12)
    quarters: tuple[int, ...] = ()
    text: str  # the plan's own wording, shown to people
    # A quarter's row whose real season ends earlier (Ngày hội: by 18/11, Ngày truyền thống MTTQ): the
    # deadline reminders count down to, "day/month" in the last quarter; a later report still closes the row.
    by: str | None = Field(default=None, pattern=r"^[0-9]{1,2}/[0-9]{1,2}$")

    @model_validator(mode="after")
    def _check_kind_specifics(self) -> Due:
        if (self.kind is DueKind.MONTH) != (self.month is not None):
            raise ValueError("'month' is given exactly when the due kind is month")
        wants_quarters = self.kind in (DueKind.QUARTER, DueKind.QUARTERS)
        if wants_quarters != bool(self.quarters):
            raise ValueError("'quarters' is given exactly when the due kind is quarter or quarters")
        if any(q not in (1, 2, 3, 4) for q in self.quarters):
            raise ValueError("quarters are numbered 1 to 4")
        if self.kind is DueKind.QUARTER and len(self.quarters) != 1:
            raise ValueError("due kind 'quarter' takes exactly one quarter; use 'quarters'")
        if self.by is not None:
            day, month = (int(part) for part in self.by.split("/"))
            if not wants_quarters or not 3 * max(self.quarters) - 2 <= month <= 3 * max(self.quarters) \
                    or not 1 <= day <= calendar.monthrange(2000, month)[1]:
                raise ValueError(f"'by: {self.by}' must be a day of the last quarter of a quarter deadline")
        return self

    @property
    def by_day_month(self) -> tuple[int, int] | None:
        if self.by is None:
            return None
        day, month = (int(part) for part in self.by.split("/"))
        return day, month
