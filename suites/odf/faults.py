"""The ODF fault catalogue: plausible document bugs, each naming the requirements it breaks.

A fault is a function from a valid package's bytes to damaged bytes (or to None: no file
written at all). Its ``stage`` says where it acts: ``saved`` faults damage what a producer
saved (a package or content bug of the producer), ``read`` faults damage the document a
consumer is about to read (the consumer misreads it: the export then lacks or mangles what
the document says). ``python -m suites.odf.damage`` puts a fault in front of a real product.

Package and document faults are shown caught by the validator (tests/unit/test_odf_validator.py)
and, like every other fault, by the suite's checks against real LibreOffice
(tests/integration/test_odf_faults.py). They extend the core's ``Fault`` so ``conformance
faults list`` shows them; there is no HTTP proxy to put them in, so ``conformance odf faults``
runs the validator's share.
"""

from __future__ import annotations

import io
import itertools
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from lxml import etree

from conformance.api import Exemption, Fault
from suites.odf import signatures
from suites.odf.content import NS
from suites.odf.faults_consumer import consumer_faults
from suites.odf.validate import REQUIREMENTS as VALIDATED

# Damaged bytes, or None: the product wrote no file at all.
Corruption = Callable[[bytes], bytes | None]
Rewrite = Callable[[bytes], bytes]
Stage = Literal["saved", "read"]


@dataclass(frozen=True)
class Stored:
    name: str
    data: bytes
    compress_type: int = zipfile.ZIP_DEFLATED
    extra: bytes = b""


def entries_of(data: bytes) -> list[Stored]:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return [Stored(i.filename, source.read(i), i.compress_type) for i in source.infolist()]


def package_of(entries: list[Stored]) -> bytes:
    out = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are written on purpose
        with zipfile.ZipFile(out, "w") as target:
            for entry in entries:
                info = zipfile.ZipInfo(entry.name, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = entry.compress_type
                info.extra = entry.extra
                target.writestr(info, entry.data)
    return out.getvalue()


def _edit(name: str, change: Callable[[bytes], bytes]) -> Rewrite:
    def corrupt(data: bytes) -> bytes:
        entries = entries_of(data)
        if all(e.name != name for e in entries):
            raise ValueError(f"fault cannot apply: the package has no {name}")
        return package_of(
            [Stored(e.name, change(e.data), e.compress_type, e.extra) if e.name == name else e
             for e in entries]
        )
    return corrupt


def _entries(change: Callable[[list[Stored]], list[Stored]]) -> Rewrite:
    return lambda data: package_of(change(entries_of(data)))


def _replace(old: bytes, new: bytes, count: int = 1) -> Callable[[bytes], bytes]:
    def change(text: bytes) -> bytes:
        if old not in text:
            raise ValueError(f"fault cannot apply: {old!r} not found")
        return text.replace(old, new, count)
    return change


def _regex(pattern: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def change(text: bytes) -> bytes:
        changed, count = re.subn(pattern, new, text, count=1)
        if not count:
            raise ValueError(f"fault cannot apply: {pattern!r} not found")
        return changed
    return change


def _stored_mimetype(entries: list[Stored], **changes: object) -> list[Stored]:
    return [Stored(e.name, e.data, **changes) if e.name == "mimetype" else e  # type: ignore[arg-type]
            for e in entries]


def _manifest_entry(path: bytes) -> bytes:
    return (b'<manifest:file-entry manifest:full-path="' + path
            + b'" manifest:media-type="image/png"/>')


def _other_version(text: bytes) -> bytes:
    found = re.search(rb'office:version="([0-9.]+)"', text)
    if found is None:
        raise ValueError("fault cannot apply: no office:version")
    other = b"1.3" if found.group(1) != b"1.3" else b"1.2"
    return text[: found.start(1)] + other + text[found.end(1) :]


def _xml(part: str, change: Callable[[etree._Element], bool]) -> Rewrite:
    """Edit one XML part as a tree; ``change`` says whether it found what it changes."""
    def edit(text: bytes) -> bytes:
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        root = etree.fromstring(text, parser)
        if not change(root):
            raise ValueError(f"fault cannot apply to {part}: nothing to change")
        return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return _edit(part, edit)


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _texts(root: etree._Element) -> list[etree._Element]:
    """The body's text paragraphs outside lists and tables, in document order."""
    return [p for p in root.iterfind(".//office:body//text:p", NS)
            if "".join(p.itertext()).strip()
            and not any(a.tag in (_q("text:list"), _q("table:table")) for a in p.iterancestors())]


def _swap_paragraphs(root: etree._Element) -> bool:
    paragraphs = _texts(root)
    for first, second in itertools.pairwise(paragraphs):
        if first.getnext() is second:
            first.addprevious(second)  # moves the second before the first
            return True
    return False


def _truncate_paragraphs(root: etree._Element) -> bool:
    cut = False
    for paragraph in _texts(root):
        text = "".join(paragraph.itertext())
        if len(text) > 24:
            for child in list(paragraph):
                paragraph.remove(child)
            paragraph.text = text[:24]
            cut = True
    return cut


def _flatten_headings(root: etree._Element) -> bool:
    changed = False
    for heading in root.iterfind(".//office:body//text:h", NS):
        changed |= heading.get(_q("text:outline-level"), "1") != "1"
        heading.set(_q("text:outline-level"), "1")
    return changed


def _remove(element: etree._Element) -> None:
    """Remove ``element`` but keep the text that follows it (lxml removes a tail with it)."""
    parent = element.getparent()
    if element.tail:
        before = element.getprevious()
        if before is not None:
            before.tail = (before.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _flatten_lists(root: etree._Element) -> bool:
    lists = [e for e in root.iterfind(".//office:body//text:list", NS)
             if e.getparent() is not None and e.getparent().tag != _q("text:list-item")]
    for listing in lists:
        for paragraph in listing.iterfind(".//text:p", NS):
            listing.addprevious(paragraph)
        listing.getparent().remove(listing)
    return bool(lists)


def _drop_last_rows(root: etree._Element) -> bool:
    dropped = False
    for table in root.iterfind(".//office:body//table:table", NS):
        rows = [r for r in table.iter(_q("table:table-row"))
                if "".join(r.itertext()).strip()]
        if len(rows) > 1:
            _remove(rows[-1])
            dropped = True
    return dropped


def _reverse_cells(root: etree._Element) -> bool:
    reversed_any = False
    for row in root.iterfind(".//office:body//table:table-row", NS):
        cells = [c for c in row if c.tag == _q("table:table-cell")]
        if len(cells) > 1 and len({"".join(c.itertext()) for c in cells}) > 1:
            for cell in cells:
                row.remove(cell)
            row.extend(reversed(cells))
            reversed_any = True
    return reversed_any


def _drop_spans(root: etree._Element) -> bool:
    spans = root.findall(".//office:body//text:span", NS)
    for span in spans:
        _remove(span)
    return bool(spans)


def _drop_keyword(root: etree._Element) -> bool:
    keywords = root.findall(".//meta:keyword", NS)
    for keyword in keywords:
        _remove(keyword)
    return bool(keywords)


def _latin1_only(root: etree._Element) -> bool:
    """What a producer writing an 8-bit legacy encoding keeps of the text: '?' for every
    character beyond Latin-1 (names and attribute values are left alone)."""
    changed = False
    for element in root.iter():
        for side in ("text", "tail"):
            value = getattr(element, side)
            if value:
                lossy = re.sub("[^\\x00-\\xff]", "?", value)
                if lossy != value:
                    setattr(element, side, lossy)
                    changed = True
    return changed


def _lossy_text(data: bytes) -> bytes:
    data = _xml("content.xml", _latin1_only)(data)
    try:
        return _xml("meta.xml", _latin1_only)(data)
    except ValueError:  # nothing beyond Latin-1 in the metadata
        return data


def _pictures(entries: list[Stored]) -> list[Stored]:
    found = [e for e in entries if e.name.startswith("Pictures/") and e.data]
    if not found:
        raise ValueError("fault cannot apply: the package stores no picture")
    return found


def _drop_pictures(data: bytes) -> bytes:
    names = {e.name for e in _pictures(entries_of(data))}
    kept = package_of([e for e in entries_of(data) if e.name not in names])
    for name in names:
        kept = _edit(MANIFEST, _regex(
            rb'<manifest:file-entry [^>]*full-path="' + re.escape(name.encode())
            + rb'"[^>]*/>', b""))(kept)
    return kept


def _empty_pictures(data: bytes) -> bytes:
    names = {e.name for e in _pictures(entries_of(data))}
    return package_of([Stored(e.name, b"", e.compress_type, e.extra) if e.name in names else e
                       for e in entries_of(data)])


def _declared_version(entries: list[Stored]) -> str:
    for entry in entries:
        if entry.name == "content.xml":
            found = re.search(rb'office:version="([0-9.]+)"', entry.data)
            if found:
                return found.group(1).decode()
    return "1.2"


def sign(data: bytes) -> bytes:
    """The package signed (every file but mimetype) with a key made for this call only."""
    entries = [e for e in entries_of(data) if not signatures.is_signature_file(e.name)]
    files = {e.name: e.data for e in entries if e.name != "mimetype" and not e.name.endswith("/")}
    xml_files = {n for n in files if n.endswith((".xml", ".rdf"))}
    key, certificate = signatures.throwaway_signer()
    signature = signatures.signature_file(files, xml_files, key, certificate,
                                          datetime.now(UTC), _declared_version(entries))
    return package_of([*entries, Stored(signatures.DOCUMENT_SIGNATURES, signature)])


def _signed_then(change: Rewrite) -> Rewrite:
    return lambda data: change(sign(data))


def _without_keyinfo(text: bytes) -> bytes:
    return _regex(rb"<KeyInfo>.*?</KeyInfo>", b"")(text)


@dataclass(frozen=True)
class DocumentFault(Fault):
    corrupt: Corruption = field(default=lambda data: data)
    stage: Stage = "saved"

    @property
    def validated(self) -> bool:
        """True when the validator alone judges what this fault breaks."""
        return self.stage == "saved" and set(self.breaks) <= set(VALIDATED)


def fault(
    name: str, description: str, breaks: tuple[str, ...], corrupt: Corruption,
    stage: Stage = "saved",
) -> DocumentFault:
    return DocumentFault(name=name, description=description, breaks=breaks, corrupt=corrupt,
                         stage=stage)


MANIFEST = "META-INF/manifest.xml"
FAULTS: list[DocumentFault] = [
    fault("not-a-zip", "the file is cut in half, so no ZIP central directory is found",
          ("odf.package.zip",), lambda data: data[: len(data) // 2]),
    fault("bzip2-entry", "styles.xml compressed with bzip2 (ZIP method 12)",
          ("odf.package.compression",),
          _entries(lambda es: [Stored(e.name, e.data, zipfile.ZIP_BZIP2)
                               if e.name == "styles.xml" else e for e in es])),
    fault("duplicate-entry", "content.xml stored twice in the ZIP archive",
          ("odf.package.unique-names",),
          _entries(lambda es: [*es, next(e for e in es if e.name == "content.xml")])),
    fault("mimetype-compressed", "the mimetype file is deflated instead of stored",
          ("odf.package.mimetype-stored",),
          _entries(lambda es: _stored_mimetype(es, compress_type=zipfile.ZIP_DEFLATED))),
    fault("mimetype-not-first", "the mimetype file is the last ZIP entry",
          ("odf.package.mimetype-first",),
          _entries(lambda es: [e for e in es if e.name != "mimetype"]
                   + [e for e in es if e.name == "mimetype"])),
    fault("mimetype-extra-field", "the mimetype entry's header carries an extra field",
          ("odf.package.mimetype-no-extra",),
          _entries(lambda es: _stored_mimetype(es, compress_type=zipfile.ZIP_STORED,
                                               extra=b"\xfe\xca\x04\x00abcd"))),
    fault("mimetype-wrong-value", "the mimetype file names the spreadsheet type in a text document",
          ("odf.package.mimetype-matches",),
          _edit("mimetype", lambda _: b"application/vnd.oasis.opendocument.spreadsheet")),
    fault("mimetype-missing", "the package has no mimetype file",
          ("odf.package.mimetype-present",),
          _entries(lambda es: [e for e in es if e.name != "mimetype"])),
    fault("manifest-missing", "META-INF/manifest.xml is not in the package",
          ("odf.package.manifest-present",),
          _entries(lambda es: [e for e in es if e.name != MANIFEST])),
    fault("manifest-malformed", "META-INF/manifest.xml is cut off mid-element",
          ("odf.package.manifest-wellformed",),
          _edit(MANIFEST, lambda text: text[: len(text) * 2 // 3])),
    fault("manifest-invalid", "the manifest holds an element the manifest schema does not define",
          ("odf.package.manifest-valid",),
          _edit(MANIFEST, _replace(b"</manifest:manifest>",
                                   b"<manifest:bogus/></manifest:manifest>"))),
    fault("manifest-missing-entry", "the embedded picture is not listed in the manifest",
          ("odf.package.manifest-lists-files",),
          _edit(MANIFEST, _regex(rb"<manifest:file-entry [^>]*Pictures/[^>]*/>", b""))),
    fault("manifest-extra-entry", "the manifest lists a picture the package does not contain",
          ("odf.package.manifest-entries-exist",),
          _edit(MANIFEST, _replace(b"</manifest:manifest>",
                                   _manifest_entry(b"Pictures/ghost.png")
                                   + b"</manifest:manifest>"))),
    fault("manifest-no-root", 'the manifest has no file-entry for "/"',
          ("odf.package.manifest-root",),
          _edit(MANIFEST, _regex(rb'<manifest:file-entry [^>]*full-path="/"[^>]*/>', b""))),
    fault("content-missing", "content.xml is not in the package (nor in the manifest)",
          ("odf.document.content-present",),
          lambda data: _edit(MANIFEST, _regex(
              rb'<manifest:file-entry [^>]*full-path="content.xml"[^>]*/>', b""))(
              _entries(lambda es: [e for e in es if e.name != "content.xml"])(data))),
    fault("content-broken-xml", "content.xml has an unclosed element",
          ("odf.document.wellformed",),
          _edit("content.xml", _replace(b"</office:text>", b"<text:p></office:text>"))),
    fault("content-invalid-element",
          "office:text holds a text:chapter-title element ODF does not define",
          ("odf.document.schema-extended",),
          _edit("content.xml", _replace(b"</office:text>",
                                        b"<text:chapter-title>x</text:chapter-title></office:text>"))),
    fault("content-wrong-namespace", "the office namespace of content.xml is misspelt",
          ("odf.document.schema-extended",),
          _edit("content.xml", _replace(b"xmlns:office:1.0", b"xmlns:office:1.1"))),
    fault("content-foreign-markup",
          "a paragraph holds a foreign element and attribute (valid only as extended)",
          ("odf.document.schema-strict",),
          _edit("content.xml", _replace(
              b"<office:text>",
              b'<office:text><text:p xmlns:x="urn:example:extension" x:mark="1">'
              b"<x:note>kept text</x:note></text:p>"))),
    fault("wrong-version", 'content.xml declares office:version="1.5"',
          ("odf.document.version",),
          _edit("content.xml", _regex(rb'office:version="[0-9.]+"', b'office:version="1.5"'))),
    fault("version-mismatch", "styles.xml declares a version different from the other parts",
          ("odf.document.version",),
          _edit("styles.xml", lambda text: _other_version(text))),
    fault("signature-invalid", "META-INF/documentsignatures.xml is not a valid signature file",
          ("odf.package.signatures-wellformed",),
          _entries(lambda es: [*es, Stored(
              "META-INF/documentsignatures.xml",
              b'<?xml version="1.0"?><document-signatures '
              b'xmlns="urn:oasis:names:tc:opendocument:xmlns:digitalsignature:1.0">'
              b"<nonsense/></document-signatures>")])),
    # The dsig schema allows any markup inside ds:Signature: only §5.3 and XML-DSig catch this.
    fault("signature-without-keyinfo",
          "the document is signed, but the ds:Signature carries no ds:KeyInfo (§5.3)",
          ("odf.package.signatures-wellformed",),
          _signed_then(_edit(signatures.DOCUMENT_SIGNATURES, _without_keyinfo))),
    fault("signed-then-edited",
          "styles.xml is written again (re-indented) after the document was signed",
          ("odf.package.signatures-verify",),
          _signed_then(_edit("styles.xml", _replace(
              b"</office:document-styles>", b"\n</office:document-styles>")))),
    # Content a producer loses or changes while saving (Part 3 §2.3, content chapters).
    fault("save-writes-nothing", "the producer reports success but writes no document",
          ("odf.producer.roundtrip",), lambda data: None),
    fault("paragraphs-swapped", "two adjacent body paragraphs are saved in swapped order",
          ("odf.producer.text-preserved",), _xml("content.xml", _swap_paragraphs)),
    fault("paragraphs-truncated", "paragraph text is cut after 24 characters",
          ("odf.producer.text-preserved",), _xml("content.xml", _truncate_paragraphs)),
    fault("headings-flattened", "every heading is saved with outline level 1",
          ("odf.producer.headings-preserved",), _xml("content.xml", _flatten_headings)),
    fault("list-flattened", "list items are saved as ordinary paragraphs",
          ("odf.producer.lists-preserved",), _xml("content.xml", _flatten_lists)),
    fault("table-row-dropped", "the last row of every table is lost",
          ("odf.producer.table-cells-preserved",), _xml("content.xml", _drop_last_rows)),
    fault("keyword-dropped", "meta:keyword is not written to meta.xml",
          ("odf.producer.metadata-preserved",), _xml("meta.xml", _drop_keyword)),
    fault("picture-dropped",
          "the picture is neither stored nor listed, though draw:image still refers to it",
          ("odf.producer.images-preserved",), _drop_pictures),
    fault("picture-emptied", "the picture is stored as an empty file",
          ("odf.producer.images-preserved",), _empty_pictures),
    fault("text-latin1", "text beyond Latin-1 is saved as '?' (a legacy 8-bit encoding)",
          ("odf.producer.unicode-preserved",), _lossy_text),
    # Consumers that misread what the document says (Part 3 §2.4): the export shows it wrong.
    fault("span-text-unread", "text inside text:span is not shown",
          ("odf.consumer.reads-text",), _xml("content.xml", _drop_spans), "read"),
    fault("paragraphs-misordered", "two adjacent paragraphs are shown in swapped order",
          ("odf.consumer.reads-text",), _xml("content.xml", _swap_paragraphs), "read"),
    fault("table-row-unread", "the last row of a table is not shown",
          ("odf.consumer.reads-tables",), _xml("content.xml", _drop_last_rows), "read"),
    fault("table-cells-mirrored", "each row's cells are shown right to left",
          ("odf.consumer.reads-tables",), _xml("content.xml", _reverse_cells), "read"),
    fault("unicode-unread", "characters beyond Latin-1 are shown as '?'",
          ("odf.consumer.reads-unicode",), _lossy_text, "read"),
]
# ---- Consumer faults (suites/odf/faults_consumer.py): consumers misreading the consumer corpus.
FAULTS += consumer_faults(fault)
# ---- Producer rule faults (suites/odf/faults_producer.py, imported here: it builds on the
# helpers above): rules RelaxNG cannot express, on every document type.
from suites.odf.faults_producer import producer_faults  # noqa: E402

FAULTS += producer_faults()
# Not a fault: a producer that signs what it saved, the baseline signature faults differ from.
SIGNED = fault("signed", "the saved document is signed with a throwaway key (no damage)", (),
               sign)


def by_name(name: str) -> DocumentFault:
    for item in [*FAULTS, SIGNED]:
        if item.name == name:
            return item
    raise KeyError(name)


# MUST/SHOULD requirements no fault breaks, and why (tests/unit/test_fault_coverage.py).
EXEMPTIONS: dict[str, Exemption] = {}
