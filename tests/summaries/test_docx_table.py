"""Grid tables go into the DOCX as text when it is saved (summaries/docx_table.py): the saved document is the one
that parsing the same table XML into the tree gave, and a lost placeholder is an error, not a missing table."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document
from docx.oxml.parser import parse_xml

from summaries.docx_table import W_NS, add_grid_table, table_xml

HEADER = ["STT", "Đơn vị", "Ghi chú"]
ROWS = [["1", "Thôn A & B", " lề trái"], ["2", "<Thôn> C", "dòng 1\ndòng 2\tcột"], ["3", "", "x\x01y"]]
WIDTHS = [12.0, 60.0, 40.0]


def _document_xml(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return zipfile.ZipFile(buffer).read("word/document.xml")


def _two_tables(add) -> Document:
    doc = Document()
    doc.add_paragraph("trước")
    add(doc, HEADER, ROWS)
    doc.add_paragraph("giữa")
    add(doc, HEADER[:2], [row[:2] for row in ROWS])
    doc.add_section()
    doc.add_paragraph("sau")
    return doc


def _parsed_into_the_tree(doc, header, rows) -> None:
    """The tables as they were made before: their XML parsed into the tree, serialized by the save."""
    xml = table_xml(header, rows, WIDTHS[:len(header)], 11, doc.styles["Table Grid"].style_id)
    doc.element.body._insert_tbl(parse_xml(xml.replace("<w:tbl>", f'<w:tbl xmlns:w="{W_NS}">', 1)))


def _at_save(doc, header, rows) -> None:
    add_grid_table(doc, header, rows, WIDTHS[:len(header)])


def test_saved_document_is_the_one_the_parsed_tables_made():
    assert _document_xml(_two_tables(_at_save)) == _document_xml(_two_tables(_parsed_into_the_tree))


def test_tables_read_back_in_place_and_in_order():
    doc = Document(io.BytesIO(_saved(_two_tables(_at_save))))
    first, second = doc.tables
    assert [c.text for c in first.rows[1].cells] == ["1", "Thôn A & B", " lề trái"]
    assert first.rows[2].cells[1].text == "<Thôn> C"
    assert first.rows[3].cells[2].text == "xy"  # the control character XML forbids is dropped
    assert [c.text for c in second.rows[0].cells] == HEADER[:2]
    texts = [p.text for p in doc.paragraphs]
    assert texts.index("trước") < texts.index("giữa") < texts.index("sau")


def test_a_document_saved_twice_keeps_its_tables():
    doc = _two_tables(_at_save)
    assert _document_xml(doc) == _document_xml(doc)


def test_a_lost_placeholder_is_an_error_not_a_missing_table():
    doc = _two_tables(_at_save)
    body = doc.element.body
    body.remove(body.findall(f"{{{W_NS}}}tbl")[0])
    with pytest.raises(ValueError, match="placeholders"):
        _saved(doc)


def _saved(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
