"""Consumer faults: consumers that misread the consumer corpus (suites/odf/consumer/).

Each is a ``read`` fault: ``python -m suites.odf.damage`` changes the document a real
consumer is about to read, so what it exports is what a consumer with that bug would show.
A document without what a fault changes is left as it is (ValueError). faults.py joins these
to the catalogue; this module builds on lxml only, so it imports nothing of faults.py.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from typing import Any

from lxml import etree

from suites.odf.content import NS
from suites.odf.signatures import DOCUMENT_SIGNATURES

Rewrite = Callable[[bytes], bytes]
ODF_NAMESPACE = re.compile(r"urn:oasis:names:tc:opendocument:xmlns:|http://www\.w3\.org/|"
                           r"http://purl\.org/dc/")
MARKS = re.compile("[\u200e\u200f\u061c]")


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _rewrite(data: bytes, part: str, change: Callable[[bytes], bytes]) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        if part not in source.namelist():
            raise ValueError(f"fault cannot apply: the package has no {part}")
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for info in source.infolist():
                body = source.read(info)
                target.writestr(info, change(body) if info.filename == part else body)
    return out.getvalue()


def _tree(part: str, change: Callable[[etree._Element], bool]) -> Rewrite:
    def edit(text: bytes) -> bytes:
        try:
            root = etree.fromstring(text, etree.XMLParser(resolve_entities=False,
                                                          no_network=True))
        except etree.XMLSyntaxError as error:  # an encrypted part: nothing to read as XML
            raise ValueError(f"fault cannot apply to {part}: {error}") from None
        if not change(root):
            raise ValueError(f"fault cannot apply to {part}: nothing to change")
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return lambda data: _rewrite(data, part, edit)


def _unwrap(element: etree._Element, replacement: str = "") -> None:
    """Replace ``element`` (and its content) by ``replacement`` text, keeping its tail."""
    parent = element.getparent()
    text = replacement + (element.tail or "")
    before = element.getprevious()
    if before is not None:
        before.tail = (before.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(element)


def _flatten_headings(root: etree._Element) -> bool:
    changed = False
    for heading in root.iterfind(".//office:body//text:h", NS):
        changed |= heading.get(_q("text:outline-level"), "1") != "1"
        heading.set(_q("text:outline-level"), "1")
    return changed


def _lists_to_paragraphs(root: etree._Element) -> bool:
    lists = [e for e in root.iterfind(".//office:body//text:list", NS)
             if e.getparent().tag != _q("text:list-item")]
    for listing in lists:
        for paragraph in listing.iterfind(".//text:p", NS):
            listing.addprevious(paragraph)
        listing.getparent().remove(listing)
    return bool(lists)


def _unstyle_spans(root: etree._Element) -> bool:
    spans = [s for s in root.iterfind(".//office:body//text:span", NS)
             if s.get(_q("text:style-name"))]
    for span in spans:
        del span.attrib[_q("text:style-name")]
    return bool(spans)


def _drop_frames(root: etree._Element) -> bool:
    frames = root.findall(".//office:body//draw:frame", NS)
    for frame in frames:
        _unwrap(frame)
    return bool(frames)


def _drop_title(root: etree._Element) -> bool:
    titles = root.findall(".//dc:title", NS)
    for title in titles:
        title.getparent().remove(title)
    return bool(titles)


def _collapse_spaces(root: etree._Element) -> bool:
    found = [*root.iterfind(".//office:body//text:s", NS),
             *root.iterfind(".//office:body//text:tab", NS)]
    for element in found:
        _unwrap(element, " ")
    return bool(found)


def _skip_foreign(root: etree._Element) -> bool:
    body = root.find("office:body", NS)
    foreign = [e for e in (body.iter() if body is not None else ())
               if isinstance(e.tag, str)
               and not ODF_NAMESPACE.match(etree.QName(e).namespace or "")]
    for element in foreign:
        if element.getparent() is not None:
            _unwrap(element)
    return bool(foreign)


def _texts(root: etree._Element, change: Callable[[str], str]) -> bool:
    changed = False
    for element in root.iter():
        for side in ("text", "tail"):
            value = getattr(element, side)
            if value and change(value) != value:
                setattr(element, side, change(value))
                changed = True
    return changed


def _drop_combining(value: str) -> str:
    return "".join(ch for ch in value if unicodedata.category(ch) != "Mn")


def _newest_unread(root: etree._Element) -> bool:
    """A consumer that knows ODF up to 1.3 and shows nothing of a 1.4 document's body."""
    if root.get(_q("office:version")) != "1.4":
        return False
    paragraphs = root.findall(".//office:body//text:p", NS)
    for paragraph in paragraphs:
        paragraph.getparent().remove(paragraph)
    return bool(paragraphs)


def _rewritten_if_signed(data: bytes) -> bytes:
    """A consumer that writes back the file it opened (here: styles.xml re-indented)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        if DOCUMENT_SIGNATURES not in source.namelist():
            raise ValueError("fault cannot apply: the package is not signed")
    return _rewrite(data, "styles.xml", lambda text: text.rstrip() + b"\n")


def _misderived_key(data: bytes) -> bytes:
    """A consumer that derives the key with another PBKDF2 iteration count than the
    manifest says: every encrypted file fails its checksum, so the document stays closed."""
    def change(text: bytes) -> bytes:
        changed, count = re.subn(rb'manifest:iteration-count="(\d+)"',
                                 lambda m: b'manifest:iteration-count="%d"' % (int(m[1]) + 1),
                                 text)
        if not count:
            raise ValueError("fault cannot apply: the package is not encrypted")
        return changed
    return _rewrite(data, "META-INF/manifest.xml", change)


def _cells(root: etree._Element, kind: str) -> list[etree._Element]:
    return [c for c in root.iterfind(".//table:table-cell", NS)
            if c.get(_q("office:value-type")) == kind]


def _as_strings(kind: str, value: str) -> Callable[[etree._Element], bool]:
    def change(root: etree._Element) -> bool:
        cells = _cells(root, kind)
        for cell in cells:
            cell.set(_q("office:value-type"), "string")
            cell.attrib.pop(_q(value), None)
        return bool(cells)
    return change


def _stale_results(root: etree._Element) -> bool:
    """What a consumer that does not evaluate formulas shows: each formula cell's stored
    result, here 0. The formula itself is removed, since LibreOffice recalculates documents
    another producer wrote and would otherwise hide the fault."""
    formulas = [c for c in root.iterfind(".//table:table-cell", NS)
                if c.get(_q("table:formula")) and c.get(_q("office:value-type")) is None]
    for cell in formulas:
        del cell.attrib[_q("table:formula")]
        cell.set(_q("office:value-type"), "float")
        cell.set(_q("office:value"), "0")
        for child in list(cell):
            cell.remove(child)
        etree.SubElement(cell, _q("text:p")).text = "0"
    return bool(formulas)


def _no_repeats(root: etree._Element) -> bool:
    changed = False
    for element in root.iter(_q("table:table-cell"), _q("table:table-row")):
        for name in ("table:number-columns-repeated", "table:number-rows-repeated"):
            changed |= element.attrib.pop(_q(name), None) is not None
    return changed


def consumer_faults(fault: Callable[..., Any]) -> list[Any]:
    """The catalogue entries, made with faults.py's ``fault`` constructor."""
    content, meta = "content.xml", "meta.xml"
    return [
        fault("headings-level-unread", "every heading is shown at level 1",
              ("odf.consumer.reads-headings",), _tree(content, _flatten_headings), "read"),
        fault("lists-unread", "list items are shown as ordinary paragraphs",
              ("odf.consumer.reads-lists",), _tree(content, _lists_to_paragraphs), "read"),
        fault("span-styles-unread", "text:span styles are ignored (no bold, no italic)",
              ("odf.consumer.reads-styles",), _tree(content, _unstyle_spans), "read"),
        fault("frames-unread", "draw:frame (with its picture) is not shown",
              ("odf.consumer.reads-images",), _tree(content, _drop_frames), "read"),
        fault("title-unread", "dc:title of meta.xml is not read",
              ("odf.consumer.reads-metadata",), _tree(meta, _drop_title), "read"),
        fault("spaces-collapsed", "text:s and text:tab are shown as one space",
              ("odf.consumer.reads-whitespace",), _tree(content, _collapse_spaces), "read"),
        fault("foreign-content-skipped", "foreign elements are skipped with their content",
              ("odf.consumer.reads-foreign-content",), _tree(content, _skip_foreign), "read"),
        fault("bidi-marks-dropped", "U+200E, U+200F and U+061C marks are dropped",
              ("odf.consumer.reads-bidi",),
              _tree(content, lambda r: _texts(r, lambda v: MARKS.sub("", v))), "read"),
        fault("combining-marks-dropped", "combining marks (category Mn) are dropped",
              ("odf.consumer.reads-combining",),
              _tree(content, lambda r: _texts(r, _drop_combining)), "read"),
        fault("version-1.4-unread", "a document declaring ODF 1.4 shows an empty body",
              ("odf.consumer.reads-versions",), _tree(content, _newest_unread), "read"),
        fault("signed-file-rewritten", "the consumer writes back the signed file it opened",
              ("odf.consumer.reads-signed",), _rewritten_if_signed, "read"),
        fault("encryption-key-misderived",
              "the key is derived with another PBKDF2 iteration count than the manifest's",
              ("odf.consumer.reads-encrypted",), _misderived_key, "read"),
        fault("number-types-unread", "float cells are read as strings (office:value ignored)",
              ("odf.consumer.reads-numbers",),
              _tree(content, _as_strings("float", "office:value")), "read"),
        fault("date-types-unread",
              "date cells are read as strings (office:date-value ignored)",
              ("odf.consumer.reads-dates",),
              _tree(content, _as_strings("date", "office:date-value")), "read"),
        fault("formulas-not-evaluated",
              "formulas are not evaluated: each shows a stored result of 0",
              ("odf.consumer.reads-formulas",), _tree(content, _stale_results), "read"),
        fault("repeats-unread", "table:number-columns/rows-repeated are ignored",
              ("odf.consumer.reads-repeated-cells",), _tree(content, _no_repeats), "read"),
    ]
