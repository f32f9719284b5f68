"""A province page's commune row as stored data: its version (a digest of everything it was compiled from) and
its JSON form (bot/dashboard/province_cache.py keeps rows in the database, storage/province_rows.py).

A kept row is shown only while its version is the version of the data now, so it is never older than the data
it stands for. The version covers:
- the commune's reports and petitions: their data versions (counts, latest id and change times);
- everything else its snapshot reads (summaries/load.py), whole: name, units, the year's baselines, session dates;
- its plan of the year (the plan's content, so a plan loaded again with the same text keeps the rows), and the
  indicator columns the cells follow;
- the period, and whether the business day is past the plan's year: the only use of "today" a row has
  (compile.status_of; tests/summaries/test_row_version.py pins it);
- the code that compiles it (CODE: the source of core/, plan/, summaries/ and storage/reading.py), so a deploy
  that changes how a number is computed does not show numbers computed the old way.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache
from pathlib import Path

from plan.periods import Period
from plan.schema import Plan
from summaries.province import Cell, CommuneRow, IndicatorHead

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("core", "plan", "summaries", "storage/reading.py")


@cache
def code_digest() -> str:
    """The compiling code's source, hashed once per process (~70 small files)."""
    digest = hashlib.sha256()
    for source in SOURCES:
        path = ROOT / source
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(file.relative_to(ROOT).as_posix().encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


_plans: dict[int, tuple[Plan, str]] = {}  # id → (the plan, kept so its id is not reused; its digest)


def plan_digest(plan: Plan) -> str:
    """The plan's content hashed, once per plan object (a province's communes mostly share one)."""
    known = _plans.get(id(plan))
    if known is None or known[0] is not plan:
        if len(_plans) > 256:  # plans replaced many times over: forget the old ones
            _plans.clear()
        known = _plans[id(plan)] = (plan, hashlib.sha256(plan.model_dump_json().encode()).hexdigest())
    return known[1]


def columns_digest(heads: tuple[IndicatorHead, ...]) -> str:
    return hashlib.sha256(repr(heads).encode()).hexdigest()


def row_version(plan: Plan, columns: str, period: Period, today: date, reports: tuple, petitions: tuple,
                directory: tuple) -> str:
    """The digest a kept row must carry to be shown (see the module's docstring for what it covers)."""
    after_year = today > date(plan.year, 12, 31)
    parts = (code_digest(), plan_digest(plan), columns, period.key, after_year, reports, petitions, directory)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def row_to_json(row: CommuneRow) -> dict:
    return {"name": row.name, "reports": row.reports, "units": row.units, "silent": list(row.silent),
            "cells": [[cell.value, cell.status, cell.no_value] for cell in row.cells]}


def row_from_json(commune_id: int, data: dict) -> CommuneRow:
    return CommuneRow(commune_id, data["name"], data["reports"], data["units"], tuple(data["silent"]),
                      tuple(Cell(*cell) for cell in data["cells"]))  # [value, status(, no_value)]
