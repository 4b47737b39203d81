"""What a document says, read with XPath: paragraphs, headings, list items, table cells,
metadata and images, each with the XPath that found it (for evidence)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from lxml import etree

from suites.odf.limits import DEFAULT_LIMITS, Limits
from suites.odf.package import Package

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xlink": "http://www.w3.org/1999/xlink",
}
PARAGRAPHS = "//office:body//text:p[not(ancestor::table:table)][not(ancestor::text:list)]"
HEADINGS = "//office:body//text:h"
LIST_ITEMS = "//office:body//text:list-item//text:p"
TABLES = "//office:body//table:table"
IMAGES = "//office:body//draw:image/@xlink:href"
METADATA = {
    "title": "/office:document-meta/office:meta/dc:title",
    "subject": "/office:document-meta/office:meta/dc:subject",
    "description": "/office:document-meta/office:meta/dc:description",
    "keyword": "/office:document-meta/office:meta/meta:keyword",
}


def normalise(text: str) -> str:
    """Compare text as a reader sees it: NFC, white space collapsed (ODF Part 3 §6.1.2)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def text_of(element: etree._Element) -> str:
    """The character content of a paragraph, with text:s, text:tab and line breaks expanded
    and notes, annotations and frames left out."""
    pieces: list[str] = []

    def walk(node: etree._Element) -> None:
        tag = etree.QName(node).localname if isinstance(node.tag, str) else ""
        if tag in ("note-body", "annotation", "frame", "ruby-text"):
            return
        if tag == "s":
            pieces.append(" " * int(node.get(f"{{{NS['text']}}}c", "1")))
        elif tag == "tab":
            pieces.append("\t")
        elif tag == "line-break":
            pieces.append("\n")
        if node.text and tag not in ("s", "tab", "line-break"):
            pieces.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return "".join(pieces)


@dataclass
class Content:
    paragraphs: list[str] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    list_items: list[str] = field(default_factory=list)
    tables: list[list[list[str]]] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    images: list[str] = field(default_factory=list)
    # Stored file -> its first bytes (up to 64 KiB: image_format looks at 4 KiB at most).
    image_files: dict[str, bytes] = field(default_factory=dict)

    def texts(self) -> list[str]:
        return [
            *self.paragraphs,
            *(t for _, t in self.headings),
            *self.list_items,
            *(cell for table in self.tables for row in table for cell in row),
        ]


def _rows(table: etree._Element) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.iter(f"{{{NS['table']}}}table-row"):
        cells: list[str] = []
        for cell in row:
            if etree.QName(cell).localname not in ("table-cell", "covered-table-cell"):
                continue
            value = normalise(" ".join(text_of(p) for p in cell.iterfind("text:p", NS)))
            repeat = min(int(cell.get(f"{{{NS['table']}}}number-columns-repeated", "1")), 64)
            cells.extend([value] * repeat)
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            rows.append(cells)
    return rows


def read_content(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Content:
    """Raises PackageError, LimitExceeded or etree.XMLSyntaxError on documents that cannot
    be read (within ``limits``, as the validator reads them)."""
    package = Package(data, limits=limits)
    stored = set(package.files())
    body = package.parse("content.xml").getroot()
    found = Content()
    found.paragraphs = [normalise(text_of(p)) for p in body.xpath(PARAGRAPHS, namespaces=NS)]
    found.headings = [
        (int(h.get(f"{{{NS['text']}}}outline-level", "1")), normalise(text_of(h)))
        for h in body.xpath(HEADINGS, namespaces=NS)
    ]
    found.list_items = [normalise(text_of(p)) for p in body.xpath(LIST_ITEMS, namespaces=NS)]
    found.tables = [_rows(t) for t in body.xpath(TABLES, namespaces=NS)]
    found.images = [str(h) for h in body.xpath(IMAGES, namespaces=NS)]
    found.image_files = {href: next(package.chunks(href), b"") for href in found.images
                         if href in stored}
    if "meta.xml" in stored:
        meta = package.parse("meta.xml").getroot()
        for key, path in METADATA.items():
            values = meta.xpath(path, namespaces=NS)
            if values:
                found.metadata[key] = normalise(text_of(values[0]))
    return found
