"""Comparing what came back with what the source document says, exactly and in order.

Lists are matched in order (an item found only before the previous match is *misplaced*,
one found nowhere is *lost*); exported text is compared without white space, since exports
wrap and lay out lines their own way; CSV and HTML tables are parsed and compared cell by
cell. Every function here is pure, so unit tests show what each accepts and refuses.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from lxml import html

from suites.odf.content import normalise


@dataclass
class Match:
    lost: list[str] = field(default_factory=list)
    misplaced: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        return not self.lost and not self.misplaced

    def describe(self, what: str) -> str:
        parts = []
        if self.lost:
            parts.append(f"{len(self.lost)} {what} missing")
        if self.misplaced:
            parts.append(f"{len(self.misplaced)} {what} out of order")
        return ", ".join(parts) or f"every {what} in order"


def in_order(expected: list[str], found: list[str]) -> Match:
    """Is ``expected`` a subsequence of ``found``?"""
    match, position = Match(), 0
    for item in expected:
        try:
            position = found.index(item, position) + 1
        except ValueError:
            (match.misplaced if item in found else match.lost).append(item)
    return match


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def in_text_order(expected: list[str], shown: str) -> Match:
    """Does ``shown`` show every item of ``expected``, one after the other?"""
    flat, match, position = squeeze(shown), Match(), 0
    for item in expected:
        wanted = squeeze(item)
        at = flat.find(wanted, position)
        if at < 0:
            (match.misplaced if wanted in flat else match.lost).append(item)
        else:
            position = at + len(wanted)
    return match


def _trimmed(cells: list[str]) -> list[str]:
    values = [normalise(c) for c in cells]
    while values and not values[-1]:
        values.pop()
    return values


def csv_rows(text: str) -> list[list[str]]:
    """The rows of a CSV export (RFC 4180: comma-separated, double-quoted), trailing empty
    cells and empty rows left out, as a spreadsheet's used area."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")), csv.excel)
    return [row for row in (_trimmed(r) for r in reader) if row]


def html_body(data: bytes) -> html.HtmlElement:
    """The body of an HTML export: what a reader sees, not the title or the style sheet."""
    root = html.fromstring(data)
    for hidden in root.xpath("//head | //style | //script | //title"):
        hidden.drop_tree()
    return root


def html_text(data: bytes) -> str:
    return str(html_body(data).text_content())


def html_tables(data: bytes) -> list[list[list[str]]]:
    """Every table of an HTML export as rows of cell texts."""
    tables = []
    for table in html_body(data).iter("table"):
        rows = [[normalise(cell.text_content()) for cell in row if cell.tag in ("td", "th")]
                for row in table.iter("tr")]
        tables.append([r for r in (_trimmed(row) for row in rows) if r])
    return tables


# Magic numbers of the image formats ODF producers store (Part 3 §10.4.4 leaves it open).
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
    b"BM": "BMP",
    b"II*\x00": "TIFF",
    b"MM\x00*": "TIFF",
    b"\xd7\xcd\xc6\x9a": "WMF",
    b"\x01\x00\x00\x00": "EMF",
}


def image_format(data: bytes) -> str | None:
    """The format of stored image data, or None when it is no image at all."""
    for magic, name in IMAGE_SIGNATURES.items():
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WebP"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:4096].lower():
        return "SVG"
    return None
