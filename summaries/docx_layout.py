"""Low-level DOCX layout of Nghị định 30/2020: page, fonts, paragraphs, rules, page numbers, tables.

Every string goes through xml_safe here, so no caller can write a character that corrupts the file.
"""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from summaries.docx_table import add_grid_table
from summaries.text_util import xml_safe

FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_WIDTH_MM = 210 - 30 - 15
BODY_SIZE = 14
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


def setup_document(doc: DocumentObject, body_size: int = BODY_SIZE) -> None:
    """A4 portrait, the decree's margins, Times New Roman everywhere (also for Vietnamese glyph runs)."""
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value)
    section.header_distance = section.footer_distance = Mm(10)
    for style_name in ("Normal", "Table Grid"):
        style = doc.styles[style_name]
        style.font.name = FONT
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attribute), FONT)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(body_size)
    normal.paragraph_format.space_after = Pt(0)


def text(container, content: str, *, size: float = BODY_SIZE, bold: bool = False, italic: bool = False,
         align=None, indent: bool = False, space_after: float = 0, underline: bool = False) -> Paragraph:
    """One paragraph of one run, XML-safe; `container` is the document or a table cell."""
    paragraph = container.add_paragraph()
    run = paragraph.add_run(xml_safe(content))
    run.font.size, run.font.bold, run.font.italic, run.font.underline = Pt(size), bold, italic, underline
    run.font.name = FONT
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(space_after)
    if indent:
        fmt.first_line_indent = Cm(1.27)
    return paragraph


def body(doc: DocumentObject, content: str, *, size: float = BODY_SIZE, bold: bool = False,
         italic: bool = False) -> Paragraph:
    """A body paragraph: justified, first-line indent 1.27 cm, 6 pt after, line spacing 1.15."""
    paragraph = text(doc, content, size=size, bold=bold, italic=italic, align=JUSTIFY, indent=True, space_after=6)
    paragraph.paragraph_format.line_spacing = 1.15
    return paragraph


def short_rule(cell: _Cell, width_mm: float, cell_width_mm: float) -> None:
    """The short horizontal line under "BAN THƯỜNG TRỰC" and under the motto: a bordered empty paragraph."""
    paragraph = cell.add_paragraph()
    margin = Mm(max(0.0, (cell_width_mm - width_mm) / 2))
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = margin
    paragraph.paragraph_format.space_after = Pt(4)
    p_pr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for name, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(name), value)
    borders.append(top)
    p_pr.append(borders)
    paragraph.add_run("").font.size = Pt(2)


def two_columns(doc: DocumentObject, left_mm: float, right_mm: float, *, borders: bool = False):
    """A borderless 1×2 table of the given widths (header and signature blocks)."""
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if borders:
        table.style = doc.styles["Table Grid"]
    grid_widths(table, (left_mm, right_mm))
    for cell, width in zip(table.rows[0].cells, (left_mm, right_mm), strict=True):
        cell.width = Mm(width)
        cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)  # no stray empty first line
    return table.rows[0].cells


def grid_widths(table, widths_mm) -> None:
    """The table grid (w:gridCol) as wide as its cells: LibreOffice lays a table out by its grid, Word by its
    cells, so a mismatch made LibreOffice wrap the Quốc hiệu onto two lines."""
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)


def page_numbers_from_page_two(doc: DocumentObject) -> None:
    """Page number at the top centre of every page but the first (Nghị định 30/2020)."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    _field(paragraph, "PAGE")


def _field(paragraph: Paragraph, instruction: str) -> None:
    run = paragraph.add_run()
    run.font.name, run.font.size = FONT, Pt(BODY_SIZE)
    for kind, content in (("begin", None), ("instr", instruction), ("separate", None), ("text", "2"), ("end", None)):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {content} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = content
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def landscape_section(doc: DocumentObject):
    """A new landscape A4 section for a wide appendix table, keeping the page numbers."""
    from docx.enum.section import WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_HEIGHT, PAGE_WIDTH
    section.different_first_page_header_footer = False
    for side, value in MARGINS.items():
        setattr(section, f"{side}_margin", value)
    return section


def grid_table(doc: DocumentObject, header: list[str], rows: list[list[str]], widths_mm: list[float],
               size: float = 11) -> None:
    """A bordered table with a bold, repeated header row (written as one piece of XML: summaries/docx_table.py)."""
    add_grid_table(doc, header, rows, widths_mm, size)
