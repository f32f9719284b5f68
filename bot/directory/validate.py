"""Check a directory file whole, cell by cell, and turn it into plain rows; every problem found, not the first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.directory import layout as L
from bot.directory.read import Problem, Table
from core.roles import ADMIN, REPORTER
from core.vnparse import fold
from plan.schema import Plan

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


@dataclass(frozen=True, slots=True)
class CommuneRow:
    name: str
    province: str
    timezone: str


@dataclass(frozen=True, slots=True)
class UnitRow:
    code: str
    name: str
    kind: str
    active: bool
    row: int


@dataclass(frozen=True, slots=True)
class PersonRow:
    name: str
    role: str
    unit_code: str | None
    phone: str
    language: str
    row: int


@dataclass
class DirectoryFile:
    commune: CommuneRow | None = None
    units: list[UnitRow] = field(default_factory=list)
    baselines: dict[tuple[str, int], dict[str, int]] = field(default_factory=dict)  # (code, year) -> key -> value
    people: list[PersonRow] = field(default_factory=list)


class _Rows:
    """One sheet's data rows by column name, collecting the problems of its cells."""

    def __init__(self, table: Table, columns: tuple[str, ...], problems: list[Problem]) -> None:
        self.table, self.problems = table, problems
        self.index: dict[str, int] = {}
        wanted = {fold(c): c for c in columns}
        for position, header in enumerate(table.headers):
            if not header:
                continue
            column = wanted.get(fold(header))
            if column is None:
                problems.append(Problem("directory.problem.unknown_column", table.sheet, 1, header,
                                        {"expected": ", ".join(columns)}))
            elif column in self.index:
                problems.append(Problem("directory.problem.column_twice", table.sheet, 1, header))
            else:
                self.index[column] = position
        for column in columns:
            if column not in self.index and column not in L.OPTIONAL_COLUMNS:
                problems.append(Problem("directory.problem.missing_column", table.sheet, None, column))
        self.complete = all(c in self.index or c in L.OPTIONAL_COLUMNS for c in columns)

    def __iter__(self):
        return iter(self.table.rows if self.complete else ())

    def raw(self, row: tuple[int, list[Any]], column: str) -> Any:
        number, values = row
        position = self.index.get(column)
        if position is None or position >= len(values):
            return None
        if values[position] is None and (number, position) in self.table.formulas:
            self.problem("directory.problem.formula", row, column)
        return values[position]

    def text(self, row, column: str, *, required: bool = True, max_length: int = 120) -> str:
        value = self.raw(row, column)
        text = _as_text(value)
        if not text and required:
            self.problem("directory.problem.empty", row, column)
        elif len(text) > max_length:
            self.problem("directory.problem.too_long", row, column, limit=max_length)
        return text

    def word(self, row, column: str, words: dict[str, Any], msgid: str, choices: str, default: Any = None) -> Any:
        text = self.text(row, column, required=default is None)
        if not text:
            return default
        found = words.get(fold(text))
        if found is None:
            self.problem(msgid, row, column, value=text, choices=choices)
        return found

    def problem(self, msgid: str, row, column: str, **params: Any) -> None:
        self.problems.append(Problem(msgid, self.table.sheet, row[0], column, params))


def validate(tables: dict[str, Table], plan: Plan) -> tuple[DirectoryFile, list[Problem]]:
    problems: list[Problem] = []
    for sheet in L.REQUIRED_SHEETS:
        if sheet not in tables:
            problems.append(Problem("directory.problem.missing_sheet", sheet))
    result = DirectoryFile()
    if L.COMMUNE_SHEET in tables:
        result.commune = _commune(_Rows(tables[L.COMMUNE_SHEET], L.COMMUNE_COLUMNS, problems), problems)
    codes: dict[str, str] = {}  # every code the units sheet gives, even on a row with a problem of its own
    if L.UNITS_SHEET in tables:
        result.units = _units(_Rows(tables[L.UNITS_SHEET], L.UNIT_COLUMNS, problems), codes)
    if L.BASELINES_SHEET in tables:
        rows = _Rows(tables[L.BASELINES_SHEET], L.baseline_sheet_columns(plan), problems)
        result.baselines = _baselines(rows, codes, L.baseline_columns(plan))
    if L.PEOPLE_SHEET in tables:
        result.people = _people(_Rows(tables[L.PEOPLE_SHEET], L.PEOPLE_COLUMNS, problems), codes)
    return result, problems


def _commune(rows: _Rows, problems: list[Problem]) -> CommuneRow | None:
    found = [r for r in rows]
    if len(found) != 1:
        if rows.complete:
            problems.append(Problem("directory.problem.one_commune", rows.table.sheet, params={"count": len(found)}))
        return None
    row = found[0]
    name, province = rows.text(row, L.COMMUNE_NAME), rows.text(row, L.PROVINCE)
    timezone = rows.text(row, L.TIMEZONE, required=False, max_length=64) or "Asia/Ho_Chi_Minh"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        rows.problem("directory.problem.timezone", row, L.TIMEZONE, value=timezone)
    return CommuneRow(name, province, timezone)


def _units(rows: _Rows, codes: dict[str, str]) -> list[UnitRow]:
    units, seen_codes, seen_names = [], {}, {}
    kinds = ", ".join(words[0] for words in L.KIND_WORDS.values())
    for row in rows:
        code = rows.text(row, L.CODE, max_length=40)
        if code and not CODE_PATTERN.match(code):
            rows.problem("directory.problem.bad_code", row, L.CODE, value=code)
        name = rows.text(row, L.UNIT_NAME)
        kind = rows.word(row, L.KIND, L.KINDS, "directory.problem.unknown_kind", kinds)
        active = rows.word(row, L.ACTIVE, L.ACTIVE_BY_WORD, "directory.problem.yes_no", "Có, Không", default=True)
        if code and fold(code) in seen_codes:
            rows.problem("directory.problem.duplicate_code", row, L.CODE, value=code, first=seen_codes[fold(code)])
        if name and fold(name) in seen_names:
            rows.problem("directory.problem.duplicate_name", row, L.UNIT_NAME, value=name,
                         first=seen_names[fold(name)])
        seen_codes.setdefault(fold(code), row[0])
        if code:
            codes.setdefault(fold(code), code)
        seen_names.setdefault(fold(name), row[0])
        if code and name and kind:
            units.append(UnitRow(code, name, kind, bool(active), row[0]))
    return units


def _baselines(rows: _Rows, codes: dict[str, str], columns: list[L.BaselineColumn]):
    result: dict[tuple[str, int], dict[str, int]] = {}
    for row in rows:
        code = _unit_code(rows, row, codes, required=True)
        year = _number(rows, row, L.YEAR, required=True)
        if year is not None and not 2000 <= year <= 2100:
            rows.problem("directory.problem.bad_year", row, L.YEAR, value=year)
            year = None
        values = {}
        for column in columns:
            value = _number(rows, row, column.header, required=False)
            if value is not None:
                values[column.key] = value
        if code is None or year is None:
            continue
        key = (codes[fold(code)], year)
        if key in result:
            rows.problem("directory.problem.duplicate_baseline", row, L.CODE, value=code, year=year)
        result[key] = values
    return result


def _people(rows: _Rows, codes: dict[str, str]) -> list[PersonRow]:
    people, phones, names = [], {}, {}
    roles = ", ".join(words[0] for words in L.ROLE_WORDS.values())
    for row in rows:
        name = rows.text(row, L.PERSON_NAME)
        role = rows.word(row, L.ROLE, L.ROLES_BY_WORD, "directory.problem.unknown_role", roles)
        code = _unit_code(rows, row, codes, required=False)
        if role == REPORTER and code is None and rows.raw(row, L.CODE) is None:
            rows.problem("directory.problem.reporter_unit", row, L.CODE)
        phone = _phone(rows, row)
        language = rows.word(row, L.LANGUAGE, L.LANGUAGES, "directory.problem.unknown_language", "vi, en",
                             default="vi")
        if phone and phone in phones:
            rows.problem("directory.problem.duplicate_phone", row, L.PHONE, value=phone, first=phones[phone])
        phones.setdefault(phone, row[0])
        key = (fold(name), fold(code or ""))
        if name and not phone and key in names:
            rows.problem("directory.problem.duplicate_person", row, L.PERSON_NAME, value=name, first=names[key])
        names.setdefault(key, row[0])
        if name and role:
            unit_code = codes[fold(code)] if code else None
            people.append(PersonRow(name, role, unit_code, phone, language or "vi", row[0]))
    return people


def _unit_code(rows: _Rows, row, codes: dict[str, str], *, required: bool) -> str | None:
    code = rows.text(row, L.CODE, required=required, max_length=40)
    if code and fold(code) not in codes:
        rows.problem("directory.problem.unknown_unit", row, L.CODE, value=code)
        return None
    return code or None


def _number(rows: _Rows, row, column: str, *, required: bool) -> int | None:
    value = rows.raw(row, column)
    if value is None:
        if required:
            rows.problem("directory.problem.empty", row, column)
        return None
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        digits = value.replace(".", "").replace(",", "").replace(" ", "")  # "1.250" as Vietnamese write it
        value = int(digits) if re.fullmatch(r"-?\d+", digits) else value
    if not isinstance(value, int):
        rows.problem("directory.problem.not_number", row, column, value=value)
        return None
    if value < 0:
        rows.problem("directory.problem.negative", row, column, value=value)
        return None
    return value


def _phone(rows: _Rows, row) -> str:
    """Digits only, 0-prefixed: 912 345 678 (a number cell lost its 0), +84 912… and 0912.345.678 are one phone."""
    value = rows.raw(row, L.PHONE)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = re.sub(r"[\s.\-()]", "", str(value))
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and isinstance(value, int):
        digits = "0" + digits
    if not re.fullmatch(r"0\d{9,10}", digits):
        rows.problem("directory.problem.bad_phone", row, L.PHONE, value=value)
        return ""
    return digits


def admins_in(people: list[PersonRow]) -> int:
    return sum(1 for p in people if p.role == ADMIN)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
