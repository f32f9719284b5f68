"""The open petitions in the DOCX: one line in section II, and the full list as a second appendix table."""

from __future__ import annotations

from docx.document import Document as DocumentObject

from core.i18n import Translate
from summaries.docx_layout import CENTER, body, grid_table, text
from summaries.model import Summary
from summaries.text_util import fmt_date, lower_first, short, unit_label

CONTENT_CHARS = 200  # a petition's content is up to 500 characters; the table keeps rows readable
WIDTHS_MM = [12.0, 30.0, 34.0, 45.0, 82.0, 29.0, 20.0]  # fits the landscape text width (252 mm)


def open_as_of(summary: Summary):
    """The day the open list is taken on: the compile date, or the period's end for a past period."""
    return min(summary.as_of, summary.period.end)


def tally_text(summary: Summary, t: Translate) -> str:
    """The period's recommendations from the register, per source: the one count every output shows."""
    if not summary.petitions:
        return t("docx.petitions.tally_none")
    parts = "; ".join(t("docx.petitions.tally_part", source=lower_first(t(f"petition.source.{row.source_kind}")),
                        count=row.received) for row in summary.petitions)
    return t("docx.petitions.tally", received=sum(r.received for r in summary.petitions), parts=parts,
             handled=sum(r.handled for r in summary.petitions), in_time=sum(r.in_time for r in summary.petitions),
             days=summary.answer_days)


def open_petitions_line(doc: DocumentObject, summary: Summary, t: Translate) -> None:
    """The period's recommendations, and how many items still wait for an answer (listed in the appendix)."""
    body(doc, tally_text(summary, t))
    day = fmt_date(open_as_of(summary))
    if summary.open_petitions:
        body(doc, t("docx.petitions.open", date=day, count=len(summary.open_petitions)))
    else:
        body(doc, t("docx.petitions.none", date=day))


def open_petitions_rows(summary: Summary, t: Translate) -> list[list[str]]:
    """The list's data rows (also used by tests to compare with the document)."""
    return [[str(number), item.reference, t(f"petition.source.{item.source_kind}"), unit_label(t, item.unit_name),
             short(item.content, CONTENT_CHARS), fmt_date(item.received_on), str(item.age_days)]
            for number, item in enumerate(summary.open_petitions, start=1)]


def open_petitions_appendix(doc: DocumentObject, summary: Summary, t: Translate) -> None:
    """The second appendix table (in the landscape section already open), only when items are open."""
    if not summary.open_petitions:
        return
    title = text(doc, t("docx.petitions.title"), size=14, bold=True, align=CENTER)
    title.paragraph_format.space_before = 18
    text(doc, t("docx.petitions.subject", date=fmt_date(open_as_of(summary)), commune=summary.commune_name),
         size=13, italic=True, align=CENTER, space_after=8)
    header = [t(f"docx.petitions.col.{name}") for name in
              ("number", "reference", "source", "unit", "content", "received", "age")]
    grid_table(doc, header, open_petitions_rows(summary, t), WIDTHS_MM)
