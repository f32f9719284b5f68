"""The lifecycle of a petition or recommendation (kiến nghị): statuses, allowed moves, deadline and reference.

Pure data and functions, shared by the chat flow, the overdue ticker and the summary's 100% indicators.

    tiep_nhan ──► da_chuyen ──► da_tra_loi ──► da_giai_quyet
        │             ├──────────────────────► da_giai_quyet
        └─────────────┴──► khong_thuoc_tham_quyen
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Literal, get_args

RECEIVED, FORWARDED, ANSWERED, RESOLVED, NOT_COMPETENT = (
    "tiep_nhan", "da_chuyen", "da_tra_loi", "da_giai_quyet", "khong_thuoc_tham_quyen")
STATUSES = (RECEIVED, FORWARDED, ANSWERED, RESOLVED, NOT_COMPETENT)

# Where an item came from, in the one order every list shows them (/kiennghi's menu, the DOCX, the XLSX):
# the Front's own activities first, then what voters and people raise. A plan field that feeds the
# register (FormField.petitions) names one of these.
SOURCE_KINDS = ("sau_giam_sat", "phan_bien", "doi_thoai", "cu_tri", "nhan_dan")
SourceKind = Literal["sau_giam_sat", "phan_bien", "doi_thoai", "cu_tri", "nhan_dan"]
# The activity report an item of each source may come from (/kiennghi offers the latest ones to link).
ORIGIN_FORMS = {"sau_giam_sat": "giam_sat", "phan_bien": "phan_bien", "doi_thoai": "doi_thoai",
                "cu_tri": "tiep_xuc_cu_tri", "nhan_dan": "thang_nghe_dan_noi"}

TRANSITIONS: dict[str, frozenset[str]] = {
    RECEIVED: frozenset({FORWARDED, NOT_COMPETENT}),
    FORWARDED: frozenset({ANSWERED, RESOLVED, NOT_COMPETENT}),
    ANSWERED: frozenset({RESOLVED}),
    RESOLVED: frozenset(),
    NOT_COMPETENT: frozenset(),
}
OPEN = frozenset({RECEIVED, FORWARDED})  # still waiting for an answer: counted for age and overdue
DONE = frozenset({ANSWERED, RESOLVED})  # what the 100% indicators count as handled


def allowed(current: str, target: str) -> bool:
    """Whether a petition in `current` may move to `target`."""
    return target in TRANSITIONS.get(current, frozenset())


def next_statuses(current: str) -> list[str]:
    """The moves offered from `current`, in lifecycle order (for numbered menus)."""
    return [status for status in STATUSES if allowed(current, status)]


def due_date(received_on: date, answer_days: int) -> date:
    """The last day an answer is expected on."""
    return received_on + timedelta(days=answer_days)


def answered_in_time(status: str, received_on: date, closed_on: date | None, answer_days: int) -> bool:
    """"Kịp thời": answered or resolved no later than `answer_days` after it was received."""
    return status in DONE and closed_on is not None and closed_on <= due_date(received_on, answer_days)


def is_overdue(status: str, received_on: date, today: date, answer_days: int) -> bool:
    return status in OPEN and today > due_date(received_on, answer_days)


def reference(year: int, number: int) -> str:
    """The short human reference: KN-2026-014."""
    return f"KN-{year}-{number:03d}"


_REFERENCE = re.compile(r"kn\s*[-_/.]?\s*(\d{4})\s*[-_/.]?\s*(\d{1,5})(?![0-9])\s*(.*)", re.DOTALL)


def parse_reference(text: str) -> tuple[int, int, str] | None:
    """(year, number, what follows) from "KN-2026-014 …", "kn 2026 14" or "kn2026-14"; None otherwise."""
    match = _REFERENCE.match((text or "").strip().lower())
    if match is None or int(match[2]) == 0:
        return None
    return int(match[1]), int(match[2]), match[3].strip()


assert get_args(SourceKind) == SOURCE_KINDS  # one list, two spellings (the tuple for menus, the type for the plan)
