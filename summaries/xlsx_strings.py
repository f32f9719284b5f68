"""The text of a workbook whose rows are written as XML (summaries/xlsx_bulk.py): its shared strings.

Every text cell refers to an entry of the book's shared string table (xl/sharedStrings.xml), as xlsxwriter's
write_string makes it. xlsxwriter writes its table at ~7 µs a string (two regular expressions and a search per
string): 0.7 s for a province's year, whose report details are nearly all different. So the rows' strings are
kept here, numbered after xlsxwriter's own (the header rows, all written first), and written as xlsxwriter
would write them, one f-string each, into its table's file when the book is closed.
"""

from __future__ import annotations

import re

from summaries.text_util import xml_escape, xml_safe

MAX_CELL_CHARS = 32767  # Excel's limit for one cell's text
# "_x0041_" typed in a report would read back as "A": xlsxwriter writes its underscore as "_x005F" (and so here)
_LITERAL_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_SST_COUNTS = re.compile(r'<sst ([^>]*)count="(\d+)" uniqueCount="(\d+)">')


def sheet_text(value: object) -> str:
    """A cell's text as the table stores it: XML-safe, at most Excel's 32,767 characters, and never taken for
    one of xlsxwriter's own rich strings (it writes a shared string that starts with "<r>" and ends with "</r>"
    as raw XML: a report reading "<r>a & b</r>" made a file no one could open). Such a text becomes a rich
    string of one plain run, escaped, which reads back as typed."""
    text = xml_safe(value)[:MAX_CELL_CHARS]
    if text.startswith("<r>") and text.endswith("</r>"):
        return f'<r><t xml:space="preserve">{xml_escape(text)}</t></r>'
    return text


def _escaped(text: str) -> str:
    """An XML-safe text as xlsxwriter's SharedStrings._write_si escapes it (a text that looks like its rich-string
    XML is escaped like any other here, so it reads back as typed)."""
    if "_x" in text:
        text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    # the one control character an XML-safe text may hold that xlsxwriter writes as _xHHHH_ (an XML reader
    # would turn a bare CR into a line feed); tab and line feed are written as they are
    return xml_escape(text.replace("\r", "_x000D_"))


def _items(strings: list[str], spaced: bool) -> str:
    """The table's <si> items of `strings` (escaped): one join for ~170,000 strings (a province's year), unless
    `spaced` (some of them start or end with a space: xml:space="preserve" on those, as xlsxwriter's
    _preserve_whitespace puts it: a space first or last)."""
    if spaced:
        return "".join([f'<si><t xml:space="preserve">{text}</t></si>' if text[:1].isspace() or text[-1:].isspace()
                        else f"<si><t>{text}</t></si>" for text in strings])
    return "".join(("<si><t>", "</t></si><si><t>".join(strings), "</t></si>")) if strings else ""


class SharedText:
    """Text cells by their text: `tail(text)` is what follows `<c r="C7` in a cell holding `text` (its shared
    string's index), "" for a text with nothing left once made safe (no cell). Each distinct text is made safe
    and numbered once; rows repeat unit names, form labels, marks. Writers add the string cells they write to
    `references` (the table's `count`). Made once xlsxwriter has all its own strings (every header row)."""

    def __init__(self, workbook):
        own = workbook.str_table.string_table  # xlsxwriter's: a header's text is not stored twice
        self.first = len(own)  # xlsxwriter's strings come first
        self.strings: list[str] = []  # the rows' own strings (escaped), numbered from `first`
        self.spaced = False  # whether one of them starts or ends with a space
        self.tails: dict[str, str] = {"": ""}
        self.tails.update((text, f'" t="s"><v>{index}</v></c>') for text, index in own.items()
                          if not text.startswith("<r>"))  # a rich string is a different text
        self.references = 0

    def tail(self, text: str) -> str:
        """The ending for `text` (raw: made XML-safe and cut here), remembered for the next row with it. Two texts
        that differ only in what is dropped are two strings of the table (they read back the same)."""
        safe = xml_safe(text)[:MAX_CELL_CHARS]
        tail = ""
        if safe:
            tail = f'" t="s"><v>{self.first + len(self.strings)}</v></c>'
            # most texts need no escape: five scans of the text are cheaper than the replaces
            escape = "&" in safe or "<" in safe or ">" in safe or "_x" in safe or "\r" in safe
            self.strings.append(_escaped(safe) if escape else safe)
            if safe[0].isspace() or safe[-1].isspace():
                self.spaced = True
        self.tails[text] = tail
        return tail

    def table(self, written: bytes) -> bytes:
        """xlsxwriter's xl/sharedStrings.xml (`written`) with the rows' strings after its own, and the counts."""
        table = written.decode("utf-8")
        counts = _SST_COUNTS.search(table)
        if counts is None or int(counts[3]) != self.first:  # a string written after the rows were numbered
            raise ValueError("xlsxwriter's shared strings changed after the rows were made")
        start = (f'<sst {counts[1]}count="{int(counts[2]) + self.references}" '
                 f'uniqueCount="{self.first + len(self.strings)}">')
        end = table.rindex("</sst>")
        return "".join((table[:counts.start()], start, table[counts.end():end], _items(self.strings, self.spaced),
                        table[end:])).encode("utf-8")
