"""The source documents producers round-trip and consumers read, generated with odfpy.

Each document carries what it contains (paragraphs, headings, list items, table cells,
metadata, images), so checks compare a candidate's output against it. Unicode paragraphs
are drawn by Hypothesis from the run's seed, so a report's seed reproduces the corpus.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from hypothesis import given, seed, settings
from hypothesis import strategies as st
from odf import dc, meta
from odf.draw import Frame, Image
from odf.opendocument import OpenDocument, OpenDocumentSpreadsheet, OpenDocumentText
from odf.style import ParagraphProperties, Style, TableColumnProperties, TextProperties
from odf.table import Table, TableCell, TableColumn, TableRow
from odf.text import H, List, ListItem, P, Span

MEDIA_TYPES = {
    "text": ("odt", "application/vnd.oasis.opendocument.text"),
    "spreadsheet": ("ods", "application/vnd.oasis.opendocument.spreadsheet"),
    # The producer profile's other document types (corpus_types.py).
    "presentation": ("odp", "application/vnd.oasis.opendocument.presentation"),
    "drawing": ("odg", "application/vnd.oasis.opendocument.graphics"),
    # Flat XML documents: one XML file (corpus_types.py).
    "text-flat": ("fodt", "application/vnd.oasis.opendocument.text"),
    "spreadsheet-flat": ("fods", "application/vnd.oasis.opendocument.spreadsheet"),
    "presentation-flat": ("fodp", "application/vnd.oasis.opendocument.presentation"),
}


@dataclass
class SourceDocument:
    name: str
    kind: str  # "text" or "spreadsheet"
    data: bytes
    paragraphs: list[str] = field(default_factory=list)  # in document order
    headings: list[tuple[int, str]] = field(default_factory=list)
    list_items: list[str] = field(default_factory=list)
    cells: list[list[str]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    images: int = 0
    # Headings, paragraphs and list items in the order a reader meets them.
    reading_order: list[str] = field(default_factory=list)

    @property
    def extension(self) -> str:
        return MEDIA_TYPES[self.kind][0]


def unicode_lines(run_seed: int, count: int = 6) -> list[str]:
    """Printable Unicode text drawn by Hypothesis, reproducible from ``run_seed``."""
    alphabet = st.characters(
        blacklist_categories=("Cc", "Cs", "Co", "Cn", "Cf", "Zl", "Zp", "Zs"),
        max_codepoint=0x2FFFF,
    )
    words = st.lists(st.text(alphabet, min_size=1, max_size=8), min_size=1, max_size=5)
    drawn: list[str] = []

    @seed(run_seed)
    @settings(max_examples=60, database=None, deadline=None, derandomize=False)
    @given(words)
    def collect(parts: list[str]) -> None:
        line = " ".join(parts)
        if len(line) >= 4 and line not in drawn:
            drawn.append(line)

    collect()
    # Hypothesis starts with its simplest examples; the later ones are the varied ones.
    return drawn[-count:]


def tiny_png(width: int = 4, height: int = 4) -> bytes:
    """A valid RGB PNG of a few pixels, built here so the corpus needs no image files."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes([200, 30, 30]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _metadata(document: OpenDocument, values: dict[str, str]) -> None:
    document.meta.addElement(dc.Title(text=values["title"]))
    document.meta.addElement(dc.Subject(text=values["subject"]))
    document.meta.addElement(dc.Description(text=values["description"]))
    document.meta.addElement(meta.Keyword(text=values["keyword"]))


def _saved(document: OpenDocument) -> bytes:
    buffer = io.BytesIO()
    document.write(buffer)
    return _with_manifest_version(buffer.getvalue(), "1.2")


def _with_manifest_version(data: bytes, version: str) -> bytes:
    """odfpy omits manifest:version, which the ODF 1.2+ manifest schema requires."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "META-INF/manifest.xml" and b"manifest:version" not in content:
                content = content.replace(
                    b"<manifest:manifest ",
                    f'<manifest:manifest manifest:version="{version}" '.encode(),
                    1,
                )
            target.writestr(info, content)
    return out.getvalue()


def text_document(name: str, paragraphs: list[str], metadata: dict[str, str]) -> SourceDocument:
    document = OpenDocumentText()
    bold = Style(name="Emphasis", family="paragraph")
    bold.addElement(ParagraphProperties(marginbottom="0.2cm"))
    bold.addElement(TextProperties(fontweight="bold"))
    document.styles.addElement(bold)
    _metadata(document, metadata)
    headings = [(1, "Chapter one"), (2, "Section 1.1 — détails")]
    items = ["first item", "second item", "third item"]
    # Each cell value occurs once in the whole document and is no part of another text, so
    # an export that drops, moves or swaps a cell cannot still show the cells in order.
    cells = [["Fruit", "Stock", "Price"], ["apples", "317 crates", "EUR 1.53"],
             ["pears", "128 crates", "EUR 0.79"], ["quinces", "46 crates", "EUR 2.41"]]
    half = len(paragraphs) // 2
    # Document order: the emphasised (span) paragraph comes right after the second heading.
    ordered = [*paragraphs[:half], paragraphs[-1], *paragraphs[half:-1]]
    body = document.text
    body.addElement(H(outlinelevel=1, text=headings[0][1]))
    for text in ordered[:half]:
        body.addElement(P(text=text))
    body.addElement(H(outlinelevel=2, text=headings[1][1]))
    emphasised = P(stylename=bold)
    emphasised.addElement(Span(text=ordered[half]))
    body.addElement(emphasised)
    for text in ordered[half + 1 :]:
        body.addElement(P(text=text))
    listing = List()
    for item in items:
        entry = ListItem()
        entry.addElement(P(text=item))
        listing.addElement(entry)
    body.addElement(listing)
    body.addElement(_table(document, "Prices", cells))
    picture = document.addPicture("Pictures/red.png", "image/png", tiny_png())
    frame = Frame(width="1cm", height="1cm", anchortype="paragraph", name="red square")
    frame.addElement(Image(href=picture, type="simple", show="embed", actuate="onLoad"))
    holder = P()
    holder.addElement(frame)
    body.addElement(holder)
    reading = [headings[0][1], *ordered[:half], headings[1][1], *ordered[half:], *items]
    return SourceDocument(
        name, "text", _saved(document), paragraphs=ordered, headings=headings,
        list_items=items, cells=cells, metadata=metadata, images=1, reading_order=reading,
    )


def _table(document: OpenDocument, name: str, cells: list[list[str]]) -> Table:
    column_style = Style(name=f"{name}Column", family="table-column")
    column_style.addElement(TableColumnProperties(columnwidth="3cm"))
    document.automaticstyles.addElement(column_style)
    table = Table(name=name)
    table.addElement(TableColumn(stylename=column_style, numbercolumnsrepeated=len(cells[0])))
    for row in cells:
        element = TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            element.addElement(cell)
        table.addElement(element)
    return table


def spreadsheet_document(name: str, words: list[str], metadata: dict[str, str]) -> SourceDocument:
    document = OpenDocumentSpreadsheet()
    _metadata(document, metadata)
    cells = [["Item", "Note"], *[[f"row {i}", word] for i, word in enumerate(words, 1)]]
    document.spreadsheet.addElement(_table(document, "Sheet1", cells))
    return SourceDocument(name, "spreadsheet", _saved(document), cells=cells, metadata=metadata)


FIXED_PARAGRAPHS = [
    "The quick brown fox jumps over the lazy dog.",
    "Grüße aus Köln, à bientôt à Liège, señora Núñez.",
    "Ελληνικά κείμενα και κυριλλица тоже.",
    "A paragraph with  two spaces and a final one.",
]


def build_corpus(run_seed: int) -> list[SourceDocument]:
    lines = unicode_lines(run_seed)
    return [
        text_document(
            "text-basic",
            FIXED_PARAGRAPHS,
            {"title": "Conformance corpus", "subject": "ODF round trip",
             "description": "Generated by the eos-conformance harness", "keyword": "odf"},
        ),
        text_document(
            "text-unicode",
            lines,
            {"title": f"Unicode {lines[0]}", "subject": lines[1 % len(lines)],
             "description": lines[-1], "keyword": "unicode"},
        ),
        spreadsheet_document(
            "sheet-basic",
            ["alpha", "Grüße", "Ελληνικά", *lines[:2]],
            {"title": "Corpus spreadsheet", "subject": "cells",
             "description": "Generated by the eos-conformance harness", "keyword": "odf"},
        ),
    ]
