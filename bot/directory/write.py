"""Write directory workbooks: the empty template, an export of the database, the invite sheet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.directory import layout as L
from core.i18n import Translate
from core.roles import PROVINCE
from plan.schema import Plan

GUIDE_LINES = 8  # directory.guide.1 … directory.guide.8


@dataclass
class Workbook:
    """Sheets as header + rows, written in this order."""

    sheets: dict[str, list[list[object]]]

    def save(self, path: Path) -> None:
        from openpyxl import Workbook as OpenpyxlBook
        from openpyxl.styles import Font

        book = OpenpyxlBook()
        book.remove(book.active)
        for title, rows in self.sheets.items():
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for column in sheet.columns:
                width = max((len(str(c.value)) for c in column if c.value is not None), default=8)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
        book.save(path)


def template(plan: Plan, t: Translate) -> Workbook:
    """An empty directory with one example row per sheet and a short guide."""
    columns = L.baseline_columns(plan)
    return Workbook({
        L.COMMUNE_SHEET: [list(L.COMMUNE_COLUMNS), [plan.commune.name, plan.commune.province, plan.commune.timezone]],
        L.UNITS_SHEET: [list(L.UNIT_COLUMNS), ["TH01", "Thôn Nà Pài", L.kind_word("village"), L.yes_no(True)]],
        L.BASELINES_SHEET: [list(L.baseline_sheet_columns(plan)), ["TH01", plan.year, *[0 for _ in columns]]],
        L.PEOPLE_SHEET: [list(L.PEOPLE_COLUMNS), ["Nguyễn Văn A", L.role_word("reporter"), "TH01", "0912345678", "vi"]],
        L.GUIDE_SHEET: [[t("directory.guide.title")],
                        *[[t(f"directory.guide.{n}", kinds=", ".join(w[0] for w in L.KIND_WORDS.values()),
                             roles=", ".join(w[0] for w in L.ROLE_WORDS.values()),
                             baselines=", ".join(c.header for c in columns))] for n in range(1, GUIDE_LINES + 1)]],
    })


def export(plan: Plan, commune, units, baselines: dict[tuple[int, int, str], int], people) -> Workbook:
    """The commune as the database holds it, in the import format: importing it back changes nothing."""
    columns = L.baseline_columns(plan)
    code_of = {u.id: u.code or _code_for(u) for u in units}
    baseline_rows = []
    for unit in units:
        for year in sorted({year for (unit_id, year, _key) in baselines if unit_id == unit.id}):
            values = [baselines.get((unit.id, year, c.key)) for c in columns]
            if any(v is not None for v in values):
                baseline_rows.append([code_of[unit.id], year, *values])
    return Workbook({
        L.COMMUNE_SHEET: [list(L.COMMUNE_COLUMNS), [commune.name, commune.province, commune.timezone]],
        L.UNITS_SHEET: [list(L.UNIT_COLUMNS),
                        *[[code_of[u.id], u.name, L.kind_word(u.kind), L.yes_no(u.active)] for u in units]],
        L.BASELINES_SHEET: [list(L.baseline_sheet_columns(plan)), *baseline_rows],
        L.PEOPLE_SHEET: [list(L.PEOPLE_COLUMNS),
                         *[[p.name, L.role_word(p.role), code_of.get(p.unit_id), p.phone or None, p.language]
                           for p in people if p.active and p.role != PROVINCE]],
    })


def _code_for(unit) -> str:
    """A unit made before codes existed (the demo, chat) gets one from its id; the import adopts it by name."""
    return f"DV{unit.id:03d}"


INVITE_COLUMNS = ("Họ và tên", "Vai trò", "Đơn vị", "Điện thoại", "Mã mời", "Telegram", "Zalo")


def invites(rows: list[list[object]]) -> Workbook:
    return Workbook({"Mã mời": [list(INVITE_COLUMNS), *rows]})
