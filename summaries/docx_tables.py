"""The DOCX appendix (Phụ lục): one row per active unit, one column per required activity."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from core.i18n import Translate
from plan.schema import Plan
from summaries.docx_layout import CENTER, grid_table, landscape_section, text
from summaries.model import Summary, UnitResult
from summaries.text_util import period_label, short, unit_label

LANDSCAPE_TEXT_MM = 297 - 30 - 15


def appendix_columns(summary: Summary) -> list[str]:
    """Required form ids over all units, in the order they first appear."""
    return list(dict.fromkeys(form for u in summary.units for form in u.required))


def appendix_rows(summary: Summary, plan: Plan, t: Translate) -> list[list[str]]:
    """The appendix's data rows (also used by tests to compare with the document)."""
    columns = appendix_columns(summary)
    rows = []
    active = [u for u in summary.units if u.unit.active]
    for number, result in enumerate(active, start=1):
        rows.append([str(number), unit_label(t, result.unit.name), t(f"summary.unit_kind.{result.unit.kind}"),
                     str(result.reports_in_period), str(result.reports_year_to_date),
                     *(_mark(result, form) for form in columns)])
    return rows


def _mark(result: UnitResult, form_id: str) -> str:
    """✓ done in the period, (✓) done earlier in the year, ✗ not yet, empty when not required."""
    if form_id not in result.required:
        return ""
    if form_id in result.done_in_period:
        return "✓"
    return "(✓)" if form_id in result.done_year_to_date else "✗"


def appendix(doc: DocumentObject, summary: Summary, plan: Plan, t: Translate, *, attached: str = "") -> None:
    """The landscape appendix; `attached` is its "(Kèm theo Báo cáo số …)" line."""
    landscape_section(doc)
    text(doc, t("docx.appendix.title"), size=14, bold=True, align=CENTER)
    if attached:
        text(doc, attached, size=13, italic=True, align=CENTER)
    text(doc, t("docx.appendix.subject", period=period_label(t, summary.period), commune=summary.commune_name),
         size=13, italic=True, align=CENTER, space_after=8)
    columns = appendix_columns(summary)
    forms = {f.id: f for f in plan.forms}
    header = [t("docx.appendix.number"), t("docx.appendix.unit"), t("docx.appendix.kind"),
              t("docx.appendix.in_period"), t("docx.appendix.year_to_date"),
              *(short(forms[f].label.vi, 40) for f in columns)]
    fixed = [12.0, 60.0, 28.0, 20.0, 20.0]
    rest = max(0.0, LANDSCAPE_TEXT_MM - sum(fixed))
    widths = fixed + [rest / len(columns)] * len(columns) if columns else fixed
    grid_table(doc, header, appendix_rows(summary, plan, t), widths)
    text(doc, t("docx.appendix.legend"), size=11, italic=True).paragraph_format.space_before = 6
