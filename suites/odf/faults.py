"""The ODF fault catalogue: corrupted documents, each naming the requirements it breaks.

A fault is a function from a valid package's bytes to damaged bytes. The harness's tests
apply each to a valid document and show the validator reports exactly those requirements
(tests/unit/test_odf_validator.py, tests/integration/test_odf_faults.py), and wrap a real
producer with ``python -m suites.odf.damage FAULT`` so the suite's checks catch damaged
output from it. They extend the core's ``Fault`` so ``conformance faults list`` shows them;
there is no HTTP proxy to put them in, so ``conformance odf faults`` runs them.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from conformance.api import Exemption, Fault

Corruption = Callable[[bytes], bytes]


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


def _edit(name: str, change: Callable[[bytes], bytes]) -> Corruption:
    def corrupt(data: bytes) -> bytes:
        entries = entries_of(data)
        return package_of(
            [Stored(e.name, change(e.data), e.compress_type, e.extra) if e.name == name else e
             for e in entries]
        )
    return corrupt


def _entries(change: Callable[[list[Stored]], list[Stored]]) -> Corruption:
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


@dataclass(frozen=True)
class DocumentFault(Fault):
    corrupt: Corruption = field(default=lambda data: data)


def fault(
    name: str, description: str, breaks: tuple[str, ...], corrupt: Corruption
) -> DocumentFault:
    return DocumentFault(name=name, description=description, breaks=breaks, corrupt=corrupt)


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
          ("odf.package.signatures-valid",),
          _entries(lambda es: [*es, Stored(
              "META-INF/documentsignatures.xml",
              b'<?xml version="1.0"?><document-signatures '
              b'xmlns="urn:oasis:names:tc:opendocument:xmlns:digitalsignature:1.0">'
              b"<nonsense/></document-signatures>")])),
]


def by_name(name: str) -> DocumentFault:
    for item in FAULTS:
        if item.name == name:
            return item
    raise KeyError(name)


# MUST/SHOULD requirements no fault breaks, and why (tests/unit/test_fault_coverage.py).
EXEMPTIONS: dict[str, Exemption] = {}
