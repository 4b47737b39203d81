"""Producer faults for the rules RelaxNG cannot express (suites/odf/rules): each a plausible
bug of an office application's writer, applied to what a real producer saved.

Joined to ``faults.FAULTS`` at the end of faults.py (``producer_faults`` imports faults.py's
helpers when called, so either module can be imported first). A fault raises ValueError where the
document has nothing for it to change (a chart fault on a text without a chart), so the
integration test (tests/integration/test_odf_rules.py) applies each to the first document
LibreOffice saved that it fits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    from suites.odf.faults import DocumentFault
from suites.odf import decrypting, flat
from suites.odf.rules import links, packaging, styles
from suites.odf.rules.model import NS, q

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


def _first(root: etree._Element, path: str) -> etree._Element | None:
    found = root.find(path, NS)
    return found


def _set(path: str, attribute: str, value: str | None = None,
         source: str | None = None) -> Callable[[etree._Element], bool]:
    """Set ``attribute`` of the first element at ``path`` (to ``value`` or to the
    ``style:name`` of the first element at ``source``)."""
    def change(root: etree._Element) -> bool:
        element = _first(root, path)
        if element is None:
            return False
        new = value
        if source is not None:
            named = _first(root, source)
            if named is None:
                return False
            new = named.get(q("style:name"))
        if new is None:
            return False
        element.set(q(attribute), new)
        return True
    return change


def _duplicate_style(root: etree._Element) -> bool:
    style = _first(root, "./office:automatic-styles/style:style")
    if style is None:
        return False
    style.addnext(etree.fromstring(etree.tostring(style)))
    return True


def _repeat_level(root: etree._Element) -> bool:
    levels = root.findall(".//text:outline-style/text:outline-level-style", NS)
    if len(levels) < 2:
        return False
    levels[1].set(q("text:level"), levels[0].get(q("text:level"), "1"))
    return True


def _twin_ids(root: etree._Element) -> bool:
    paragraphs = root.findall(".//office:body//text:p", NS)
    if len(paragraphs) < 2:
        return False
    for paragraph in paragraphs[:2]:
        paragraph.set(q("xml:id"), "para1")
    return True


def _drop_generator(root: etree._Element) -> bool:
    found = root.findall(".//meta:generator", NS)
    for element in found:
        element.getparent().remove(element)
    return bool(found)


def producer_faults() -> list[DocumentFault]:
    from suites.odf.faults import MANIFEST, _edit, _regex, _replace, _xml, fault

    def _retype(media: bytes) -> Callable[[bytes], bytes]:
        """Both the mimetype file and the manifest's root entry name ``media``."""
        def corrupt(data: bytes) -> bytes:
            data = _edit("mimetype", lambda _: media)(data)
            return _edit(MANIFEST, _regex(
                rb'(full-path="/"[^>]*media-type=")[^"]*"|(media-type=")[^"]*("[^>]*full-path="/")',
                b"\\g<1>\\g<2>" + media + b'"\\g<3>'))(data)
        return corrupt


    def _preview_jpeg(data: bytes) -> bytes:
        return _edit(packaging.PREVIEW_PATH, lambda _: JPEG)(data)


    def _subdocument_listed(text: bytes) -> bytes:
        return _regex(rb'<manifest:file-entry manifest:full-path="Object 1/"[^>]*/>', b"")(text)


    def _invalid_object(text: bytes) -> bytes:
        return _regex(rb"</office:chart>", b"<chart:bogus/></office:chart>")(text)


    def _encrypted_mimetype(text: bytes) -> bytes:
        found = re.search(rb"<manifest:encryption-data.*?</manifest:encryption-data>", text,
                          re.DOTALL)
        if found is None:
            raise ValueError("fault cannot apply: nothing is encrypted")
        entry = (b'<manifest:file-entry manifest:full-path="mimetype" manifest:media-type="" '
                 b'manifest:size="39">' + found.group(0) + b"</manifest:file-entry>")
        return text.replace(b"</manifest:manifest>", entry + b"</manifest:manifest>", 1)

    def _flat_without_mimetype(data: bytes) -> bytes:
        if data.startswith(b"PK"):
            raise ValueError("fault cannot apply: not a flat XML document")
        return _regex(rb'\s+office:mimetype="[^"]*"', b"")(data)

    return [
    # Part 2: manifest and package rules.
    fault("manifest-backslash-path", "a manifest path is written with a Windows separator "
          "(Thumbnails\\thumbnail.png)", (packaging.FULL_PATH,),
          _edit(MANIFEST, _replace(b'full-path="Thumbnails/thumbnail.png"',
                                   b'full-path="Thumbnails\\thumbnail.png"'))),
    fault("manifest-media-type-wrong", "the PNG preview is listed as image/jpeg",
          (packaging.MEDIA_TYPE,),
          _edit(MANIFEST, _regex(rb'(full-path="Thumbnails/thumbnail.png" '
                                 rb'manifest:media-type=")image/png"', rb'\1image/jpeg"'))),
    fault("subdocument-unlisted", "the chart object's directory has no manifest entry",
          (packaging.SUB_LISTED,), _edit(MANIFEST, _subdocument_listed)),
    fault("subdocument-old-version", "the embedded chart is saved as it was read (ODF 1.2) "
          "inside an ODF 1.3 document", (packaging.SUB_VERSION,),
          _edit("Object 1/content.xml", _regex(rb'office:version="[0-9.]+"',
                                               b'office:version="1.2"'))),
    fault("subdocument-invalid", "the chart object holds an element ODF does not define",
          ("odf.document.schema-extended",), _edit("Object 1/content.xml", _invalid_object)),
    fault("preview-not-png", "the preview image is written as JPEG under thumbnail.png",
          (packaging.PREVIEW,), _preview_jpeg),
    # Part 3 §16: style references.
    fault("style-undeclared", "a paragraph names an automatic style that was not written",
          (styles.RESOLVES,),
          _xml("content.xml", _set(".//office:body//text:p[@text:style-name]",
                                   "text:style-name", "P999"))),
    fault("style-wrong-family", "a table names its column style as its table style",
          (styles.FAMILY,),
          _xml("content.xml", _set(".//office:body//table:table", "table:style-name",
                                   source="./office:automatic-styles/"
                                   "style:style[@style:family='table-column']"))),
    fault("style-written-twice", "the first automatic style is written twice",
          (styles.UNIQUE,), _xml("content.xml", _duplicate_style)),
    fault("list-style-paragraph", "a list names a paragraph style instead of a list style",
          (styles.LIST,),
          _xml("content.xml", _set(".//office:body//text:list", "text:style-name",
                                   "Standard"))),
    fault("page-layout-missing", "the master page names a page layout that was not written",
          (styles.PAGE,),
          _xml("styles.xml", _set(".//style:master-page", "style:page-layout-name",
                                  "pm999"))),
    fault("data-style-missing", "a cell style names a number style that was not written",
          (styles.DATA,),
          _xml("content.xml", _set(".//style:style[@style:data-style-name]",
                                   "style:data-style-name", "N999"))),
    fault("font-face-undeclared", "a style uses a font not declared in office:font-face-decls",
          (styles.FONT,),
          _xml("styles.xml", _set(".//style:text-properties[@style:font-name]",
                                  "style:font-name", "Unlisted Sans"))),
    fault("outline-level-twice", "the outline style defines level 1 twice (level 2 lost)",
          (styles.LEVELS,), _xml("styles.xml", _repeat_level)),
    # Part 3: identifiers, links, formulas, metadata, roots.
    fault("xml-id-duplicated", "two paragraphs are given the same xml:id",
          (links.XML_ID,), _xml("content.xml", _twin_ids)),
    fault("image-href-dangling", "a picture is referenced under a name it was not stored as",
          (links.IMAGE,),
          _xml("content.xml", _set(".//draw:image", "xlink:href", "Pictures/missing.png"))),
    fault("object-href-dangling", "the chart frame points at an object directory that does "
          "not exist", (links.OBJECT,),
          _xml("content.xml", _set(".//draw:object", "xlink:href", "./Object 9"))),
    fault("formula-unprefixed", "a formula is written without its namespace prefix (=SUM…)",
          (links.PREFIX,), _edit("content.xml", _regex(rb'table:formula="of:=',
                                                        b'table:formula="='))),
    fault("formula-prefix-undeclared", "a formula uses a prefix (msoxl:) the part never "
          "declares", (links.PREFIX_BOUND,),
          _edit("content.xml", _regex(rb'table:formula="of:=', b'table:formula="msoxl:='))),
    fault("generator-missing", "meta.xml is written without meta:generator",
          (links.GENERATOR,), _xml("meta.xml", _drop_generator)),
    fault("settings-wrong-root", "settings.xml is written with the root of meta.xml",
          (links.ROOTS,),
          _edit("settings.xml", lambda text: re.sub(rb"office:document-settings",
                                                    b"office:document-meta", text))),
    fault("media-type-not-body", "a text document is labelled a spreadsheet in both the "
          "mimetype file and the manifest", (links.BODY,),
          _retype(b"application/vnd.oasis.opendocument.spreadsheet")),
    # Part 2 §3.4, §4.16: password encryption (on a document LibreOffice saved encrypted).
    fault("encrypted-mimetype", "the mimetype file is listed as encrypted",
          (decrypting.PLAIN,), _edit(MANIFEST, _encrypted_mimetype)),
    fault("encryption-key-size-wrong", "the key derivation declares a 16-byte key (the "
          "Blowfish-era size) for files encrypted with AES-256-CBC", (decrypting.ALGORITHMS,),
          _edit(MANIFEST, _regex(rb'(<manifest:key-derivation [^>]*manifest:key-size=")32"',
                                 rb'\g<1>16"'))),
    fault("encryption-size-missing", "encrypted files are listed without manifest:size",
          (decrypting.SIZE,),
          _edit(MANIFEST, lambda t: re.sub(rb' manifest:size="[0-9]+"', b"",
                                           _regex(rb' manifest:size="[0-9]+"', b"")(t)))),
    fault("encryption-checksum-wrong", "the checksum of an encrypted file is of other data",
          (decrypting.DECRYPTS,),
          _edit(MANIFEST, _regex(rb'manifest:checksum="[^"]*"',
                                 b'manifest:checksum="' + b"A" * 43 + b'="'))),
    # Flat XML (Part 3 §3.1.2).
    fault("flat-no-mimetype", "a flat XML document is written without office:mimetype",
          (flat.ROOT,), _flat_without_mimetype),
]
