"""Read a directory file (.xlsx, or .csv files one per sheet) into plain tables, and what made reading fail.

Excel habits are taken as they come: merged cells give every cell of the range the top-left value, formulas
give the value Excel saved with them, empty rows are skipped. Anything else becomes a Problem, never an error.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.directory.layout import (
    BASELINES_SHEET,
    CODE,
    COMMUNE_NAME,
    COMMUNE_SHEET,
    PEOPLE_SHEET,
    PERSON_NAME,
    UNIT_NAME,
    UNITS_SHEET,
    YEAR,
)
from core.vnparse import fold

MAX_BYTES = 10 * 1024 * 1024  # a province of 6,000 people is ~0.5 MB; anything near this is not a directory
SHEETS = (COMMUNE_SHEET, UNITS_SHEET, BASELINES_SHEET, PEOPLE_SHEET)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file; rendered in the reader's language as sheet, row, column: what."""

    msgid: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Table:
    sheet: str  # the canonical sheet name (layout.*_SHEET)
    headers: list[str]  # as written in the file, stripped
    rows: list[tuple[int, list[Any]]]  # (row number as the user sees it, values by column)
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column) with a formula and no value


def read_tables(paths: list[Path]) -> tuple[dict[str, Table], list[Problem]]:
    tables: dict[str, Table] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            size = path.stat().st_size
        except OSError:
            problems.append(Problem("directory.problem.unreadable", params={"file": path.name}))
            continue
        if size > MAX_BYTES:
            problems.append(Problem("directory.problem.too_big", params={
                "file": path.name, "size": round(size / 1024 / 1024, 1), "limit": MAX_BYTES // 1024 // 1024}))
            continue
        reader = _read_csv if path.suffix.lower() == ".csv" else _read_xlsx
        for table in reader(path, problems):
            if table.sheet in tables:
                problems.append(Problem("directory.problem.sheet_twice", table.sheet))
            tables[table.sheet] = table
    return tables, problems


def _read_xlsx(path: Path, problems: list[Problem]) -> list[Table]:
    """Read-only and values only (the fast way: ~10x less time than a full load); merged ranges and formulas
    without a saved value are taken from the sheet's XML, which the read-only mode does not expose."""
    from openpyxl import load_workbook  # only the directory commands need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        problems.append(Problem("directory.problem.not_xlsx", params={"file": path.name}))
        return []
    tables = []
    try:
        for sheet in book.worksheets:
            name = _canonical_sheet(sheet.title)
            if name is None:
                continue
            sheet.reset_dimensions()  # some writers leave a wrong size in the file
            grid = [list(row) for row in sheet.iter_rows(values_only=True)]
            xml = archive.read(sheet._worksheet_path)
            _fill_merged(grid, xml)
            table = _table(name, grid)
            table.formulas = _unsaved_formulas(xml, grid)
            tables.append(table)
    finally:
        book.close()
        archive.close()
    return tables


_MERGED = re.compile(rb'<mergeCell ref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
_CELL_REF = re.compile(rb'r="([A-Z]+)([0-9]+)"')


def _fill_merged(grid: list[list[Any]], xml: bytes) -> None:
    """Every cell of a merged range reads as its top-left cell, as Excel shows it."""
    from openpyxl.utils import range_boundaries

    for first, last in _MERGED.findall(xml):
        min_col, min_row, max_col, max_row = range_boundaries(f"{first.decode()}:{last.decode()}")
        while len(grid) < max_row:
            grid.append([])
        for row in grid[min_row - 1:max_row]:
            row.extend([None] * (max_col - len(row)))
        top_left = grid[min_row - 1][min_col - 1]
        for row in grid[min_row - 1:max_row]:
            row[min_col - 1:max_col] = [top_left] * (max_col - min_col + 1)


def _unsaved_formulas(xml: bytes, grid: list[list[Any]]) -> set[tuple[int, int]]:
    """(row, column index) of cells holding a formula but no value saved with it (written by a script)."""
    from openpyxl.utils import column_index_from_string

    found: set[tuple[int, int]] = set()
    if b"<f" not in xml:
        return found
    for chunk in xml.split(b"<c ")[1:]:
        ref = _CELL_REF.search(chunk.split(b">", 1)[0])  # in the cell's own tag
        if ref is None or b"<f" not in chunk.split(b"</c>", 1)[0]:
            continue
        row, column = int(ref.group(2)), column_index_from_string(ref.group(1).decode()) - 1
        value = grid[row - 1][column] if row <= len(grid) and column < len(grid[row - 1]) else None
        if value is None:
            found.add((row, column))
    return found


def _read_csv(path: Path, problems: list[Problem]) -> list[Table]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a BOM; other tools do not
    except UnicodeDecodeError:
        problems.append(Problem("directory.problem.csv_encoding", params={"file": path.name}))
        return []
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)  # Excel writes ';' where ',' is the decimal mark
    grid: list[list[Any]] = [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    header = next((row for row in grid if any(str(c).strip() for c in row)), [])
    name = _sheet_from_headers(header)
    if name is None:
        problems.append(Problem("directory.problem.csv_unknown", params={"file": path.name}))
        return []
    return [_table(name, grid)]


def _table(name: str, grid: list[list[Any]]) -> Table:
    rows = [(n, [_clean(c) for c in row]) for n, row in enumerate(grid, start=1)]
    rows = [(n, row) for n, row in rows if any(c is not None for c in row)]
    if not rows:
        return Table(name, [], [])
    (_, header), *data = rows
    headers = [str(c) if c is not None else "" for c in header]
    while headers and not headers[-1]:
        headers.pop()
    return Table(name, headers, data)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    return value


def _canonical_sheet(title: str) -> str | None:
    return next((name for name in SHEETS if fold(name) == fold(title)), None)


def _sheet_from_headers(header: list[Any]) -> str | None:
    words = {fold(str(c)) for c in header if c}
    if fold(COMMUNE_NAME) in words:
        return COMMUNE_SHEET
    if fold(PERSON_NAME) in words:
        return PEOPLE_SHEET
    if fold(YEAR) in words:
        return BASELINES_SHEET
    if fold(UNIT_NAME) in words or fold(CODE) in words:
        return UNITS_SHEET
    return None
