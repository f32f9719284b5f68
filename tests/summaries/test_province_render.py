"""The province summary's renderers as pure functions: the chat text (each commune's value side by side up to six
communes, "reached in k/n" beyond), the DOCX table and the XLSX sheets, the ASCII file names."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from support.app import VN

from core.i18n import Translator
from plan.loader import SHIPPED_PLAN, load_plan
from plan.periods import Period
from summaries.province import Cell, CommuneRow, assemble, heads_of
from summaries.render_province import (
    SIDE_BY_SIDE_MAX,
    province_stem,
    render_province_docx,
    render_province_text,
    render_province_xlsx,
    table_rows,
)

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=VN)


@pytest.fixture(scope="module")
def plan():
    return load_plan(SHIPPED_PLAN)


@pytest.fixture(scope="module")
def t():
    from pathlib import Path

    return Translator(Path(__file__).resolve().parents[2] / "locales").for_language("vi")


def _summary(plan, communes: int):
    heads = heads_of(plan)
    rows = [CommuneRow(n, f"Xã {n:02d}", n * 3, 10, tuple(f"Thôn {k}" for k in range(n % 3)),
                       tuple(Cell(100.0 if (i + n) % 4 == 0 else 25.0, "dat" if (i + n) % 4 == 0 else "dang_thuc_hien")
                             if h.measure == "percent" else Cell(None, None) for i, h in enumerate(heads)))
            for n in range(communes)]
    return assemble(plan, "Tỉnh Thử", list(reversed(rows)), Period.quarter(2026, 4), NOW, VN)


@pytest.mark.parametrize("communes", [1, SIDE_BY_SIDE_MAX, SIDE_BY_SIDE_MAX + 1, 40])
def test_the_chat_text_numbers_each_commune_and_compares_the_indicators(plan, t, communes):
    summary = _summary(plan, communes)
    text = render_province_text(summary, t)
    lines = text.splitlines()
    assert lines[0].startswith("📊 Tổng hợp quý IV năm 2026 — Tỉnh Thử, " + f"{communes} xã")
    numbered = [line for line in lines if line[:1].isdigit() and ". Xã " in line]
    assert [line.split(":")[0] for line in numbered] == [f"{n + 1}. Xã {n:02d}" for n in range(communes)]
    first = next(line for line in lines if line.startswith(f"{summary.indicators[0].id}. "))
    if communes <= SIDE_BY_SIDE_MAX:
        assert first.count(" · ") == communes - 1 and "Xã 00 100% ✅" in first
    else:
        assert f"/{communes} xã" in first and "Xã 00" not in first


def test_the_docx_and_xlsx_hold_one_row_per_commune(plan, t):
    summary = _summary(plan, 12)
    document = Document(io.BytesIO(render_province_docx(summary, plan, t)))
    table = document.tables[0]
    assert len(table.rows) == 13 and len(table.columns) == 5 + len(plan.indicators)
    assert [cell.text for cell in table.rows[1].cells] == table_rows(summary, t)[0]
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    book = load_workbook(io.BytesIO(render_province_xlsx(summary, t)))
    communes, indicators, silent = book.worksheets
    assert [row[0] for row in communes.iter_rows(min_row=2, values_only=True)] == [r.name for r in summary.communes]
    assert indicators.max_row == 1 + len(plan.indicators)
    assert silent.max_row == 1 + sum(len(r.silent) for r in summary.communes)
    assert zipfile.is_zipfile(io.BytesIO(render_province_xlsx(summary, t)))


def test_file_names_are_ascii():
    assert province_stem("Thái Nguyên", Period.quarter(2026, 4)) == "tong-hop-tinh-2026-Q4-thai-nguyen"
    assert province_stem("Đắk Lắk", Period(2026, "year")) == "tong-hop-tinh-2026-dak-lak"
    assert province_stem("", Period(2026, "half")) == "tong-hop-tinh-2026-H1-tinh"
