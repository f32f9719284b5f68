"""Bordered grid tables written as one piece of XML text, put into the document's XML when it is saved.

python-docx builds a table cell by cell and inserts every property element by searching the parent's children
for its place: a 2,000-row appendix cost ~240,000 such insertions and most of a province DOCX's 10 s. Here the
same XML (same grid and cell widths, "Table Grid" borders, Times New Roman runs, a repeated bold header row)
is written as text with the formatting strings made once per table. Parsing that text into the tree (libxml2
and python-docx's element classes: 70 ms for a 2,005-row table) only for the save to serialize it again was
a third of a large commune's DOCX: the tree holds a one-element placeholder instead, and the document part's
XML gets the table's text in its place as it is saved (_TablesAtSave).
"""

from __future__ import annotations

import re

from docx.document import Document as DocumentObject
from docx.oxml.parser import parse_xml
from docx.parts.document import DocumentPart
from docx.shared import Mm

from summaries.text_util import xml_escape, xml_safe

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FONT = "Times New Roman"


def add_grid_table(doc: DocumentObject, header: list[str], rows: list[list[str]], widths_mm: list[float],
                   size: float = 11) -> None:
    """A bordered, centred table with a bold, centred header row repeated on every page and left-aligned data
    cells, appended to the document body (as python-docx's add_table would, before the last sectPr)."""
    style_id = doc.styles["Table Grid"].style_id
    part = doc.part
    if not isinstance(part, _TablesAtSave):
        part.__class__ = _TablesAtSave  # its blob (what save writes) puts the tables in; nothing else changes
        part.tables_at_save = []
    marker = _PLACEHOLDER.format(number=len(part.tables_at_save))
    doc.element.body._insert_tbl(parse_xml(marker.replace("<w:tbl>", f'<w:tbl xmlns:w="{W_NS}">', 1)))
    part.tables_at_save.append(table_xml(header, rows, widths_mm, size, style_id))


# what the placeholder of table n serializes to (lxml writes the w: prefix the document root declares)
_PLACEHOLDER = '<w:tbl><w:tblPr><w:tblCaption w:val="mttq-bulk-table-{number}"/></w:tblPr></w:tbl>'
_PLACEHOLDERS = re.compile(re.escape(_PLACEHOLDER).replace(r"\{number\}", r"(\d+)"))


class _TablesAtSave(DocumentPart):
    """The main document part of a document with grid tables: its XML as saved holds each table's text where
    its placeholder is. `tables_at_save` is set when a document's part becomes one (add_grid_table)."""

    tables_at_save: list[str]

    @property
    def blob(self) -> bytes:
        xml = super().blob.decode("utf-8")
        if f'xmlns:w="{W_NS}"' not in xml[:4000]:  # the tables' text uses the root's w: prefix
            raise ValueError("the document root does not declare the w: prefix the grid tables are written with")
        found = []

        def table(match: re.Match) -> str:
            found.append(int(match[1]))
            return self.tables_at_save[int(match[1])]

        xml = _PLACEHOLDERS.sub(table, xml)
        if sorted(found) != list(range(len(self.tables_at_save))):
            raise ValueError(f"grid table placeholders found: {sorted(found)} of {len(self.tables_at_save)}")
        return xml.encode("utf-8")


def table_xml(header: list[str], rows: list[list[str]], widths_mm: list[float], size: float,
              style_id: str = "TableGrid") -> str:
    """The table as it stands in the document's XML (the w: prefix declared by the document root)."""
    twips = [Mm(width).twips for width in widths_mm]
    half_points = round(size * 2)
    head_cells = _cell_templates(twips, half_points, bold=True)
    data_cells = _cell_templates(twips, half_points, bold=False)
    parts = [f'<w:tbl><w:tblPr><w:tblStyle w:val="{style_id}"/><w:tblW w:type="auto" w:w="0"/>'
             '<w:jc w:val="center"/><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0" '
             'w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>',
             *(f'<w:gridCol w:w="{w}"/>' for w in twips), "</w:tblGrid>",
             '<w:tr><w:trPr><w:tblHeader w:val="true"/></w:trPr>']
    contents: dict[str, str] = {}  # a cell's text -> its run content: "✓", "✗", dates and counts repeat
    _row(parts, head_cells, header, contents)
    for values in rows:
        parts.append("<w:tr>")
        _row(parts, data_cells, values, contents)
    parts.append("</w:tbl>")
    return "".join(parts)


def _cell_templates(twips: list[int], half_points: int, *, bold: bool) -> list[tuple[str, str]]:
    """Each column's cell as (what comes before the run's content, what closes the cell)."""
    align, weight = ("center", "<w:b/>") if bold else ("left", '<w:b w:val="0"/>')
    return [(f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr><w:p><w:pPr><w:jc w:val="{align}"/></w:pPr>'
             f'<w:r><w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}"/>{weight}<w:sz w:val="{half_points}"/>'
             "</w:rPr>", "</w:r></w:p></w:tc>") for w in twips]


def _row(parts: list[str], cells: list[tuple[str, str]], values: list[str], contents: dict[str, str]) -> None:
    for (opening, closing), value in zip(cells, values, strict=True):
        content = contents.get(value)
        if content is None:
            content = contents[value] = run_content(value)
        parts.append(opening)
        parts.append(content)
        parts.append(closing)
    parts.append("</w:tr>")


def run_content(value: str) -> str:
    """A run's text as python-docx writes it: w:t (space preserved when it has outer spaces), a tab as w:tab,
    each line break character as w:br; nothing for empty text."""
    content = xml_safe(value)
    if not content:
        return ""
    if "\t" in content or "\n" in content or "\r" in content:
        return "".join("<w:tab/>" if piece == "\t" else "<w:br/>" if piece in "\r\n" else _t(piece)
                       for piece in _pieces(content))
    return _t(content)


def _t(content: str) -> str:
    escaped = xml_escape(content)
    if len(content.strip()) < len(content):
        return f'<w:t xml:space="preserve">{escaped}</w:t>'
    return f"<w:t>{escaped}</w:t>"


def _pieces(content: str) -> list[str]:
    """Runs of ordinary characters, and each tab or line break character on its own."""
    pieces: list[str] = []
    for char in content:
        if char in "\t\r\n" or not pieces or pieces[-1] in ("\t", "\r", "\n"):
            pieces.append(char)
        else:
            pieces[-1] += char
    return pieces
