"""The directory file's format: sheet and column names, and the words accepted in its cells.

The names are a file format (like the plan's YAML keys), kept in Vietnamese because commune staff fill them in;
cells are matched without diacritics or case, so "thon", "Thôn" and "THÔN" are the same word.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.roles import ADMIN, CHAIR, REPORTER, STAFF, VIEWER
from core.vnparse import fold
from plan.schema import Plan, UnitKind

COMMUNE_SHEET, UNITS_SHEET, BASELINES_SHEET, PEOPLE_SHEET, GUIDE_SHEET = (
    "Xã", "Đơn vị", "Chỉ số", "Người", "Hướng dẫn")
REQUIRED_SHEETS = (UNITS_SHEET, BASELINES_SHEET, PEOPLE_SHEET)

COMMUNE_NAME, PROVINCE, TIMEZONE = "Tên xã", "Tỉnh", "Múi giờ"
CODE, UNIT_NAME, KIND, ACTIVE = "Mã đơn vị", "Tên đơn vị", "Loại", "Hoạt động"
YEAR = "Năm"
PERSON_NAME, ROLE, PHONE, LANGUAGE = "Họ và tên", "Vai trò", "Điện thoại", "Ngôn ngữ"

COMMUNE_COLUMNS = (COMMUNE_NAME, PROVINCE, TIMEZONE)
UNIT_COLUMNS = (CODE, UNIT_NAME, KIND, ACTIVE)
PEOPLE_COLUMNS = (PERSON_NAME, ROLE, CODE, PHONE, LANGUAGE)
OPTIONAL_COLUMNS = {TIMEZONE, ACTIVE, PHONE, LANGUAGE}

KIND_WORDS = {  # the word written by export first
    UnitKind.VILLAGE: ("Thôn", "khu dân cư", "khu", "tổ dân phố", "bản", "village"),
    UnitKind.ORGANISATION: ("Tổ chức", "đoàn thể", "hội", "organisation", "organization"),
    UnitKind.PARTY_CELL: ("Chi bộ", "party_cell", "party cell"),
    UnitKind.BOARD: ("Ban", "board"),
    UnitKind.COMMUNE: ("Xã", "ủy ban", "uỷ ban", "commune"),
}
ROLE_WORDS = {
    ADMIN: ("Quản trị", "quản trị viên", "admin"),
    CHAIR: ("Chủ tịch", "chair"),
    STAFF: ("Cán bộ", "cán bộ xã", "staff"),
    REPORTER: ("Báo cáo", "người báo cáo", "trưởng ban công tác mặt trận", "reporter"),
    VIEWER: ("Xem", "người xem", "viewer"),
}
LANGUAGE_WORDS = {"vi": ("vi", "tiếng việt", "việt"), "en": ("en", "english", "tiếng anh", "anh")}
YES_WORDS, NO_WORDS = ("Có", "x", "1", "yes", "true"), ("Không", "0", "no", "false")


def _lookup(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold(word): key for key, options in words.items() for word in options}


KINDS, ROLES_BY_WORD, LANGUAGES = _lookup(KIND_WORDS), _lookup(ROLE_WORDS), _lookup(LANGUAGE_WORDS)
ACTIVE_BY_WORD = {**{fold(w): True for w in YES_WORDS}, **{fold(w): False for w in NO_WORDS}}


def kind_word(kind: str) -> str:
    return KIND_WORDS[UnitKind(kind)][0]


def role_word(role: str) -> str:
    return ROLE_WORDS[role][0]


def yes_no(value: bool) -> str:
    return YES_WORDS[0] if value else NO_WORDS[0]


@dataclass(frozen=True, slots=True)
class BaselineColumn:
    key: str  # the plan's baseline id
    header: str  # its Vietnamese label: the column's name


def baseline_columns(plan: Plan) -> list[BaselineColumn]:
    """One column per figure the plan's indicators divide by, derived from the plan, never a fixed list."""
    return [BaselineColumn(spec.id, spec.label.vi) for spec in plan.baseline_keys()]


def baseline_sheet_columns(plan: Plan) -> tuple[str, ...]:
    return (CODE, YEAR, *(column.header for column in baseline_columns(plan)))
