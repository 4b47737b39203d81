"""Flat XML documents (.fodt, .fods, .fodp, .fodg): one XML file whose root office:document
holds what a package's parts hold (ODF 1.3 Part 3 §2.2.1, §3.1.2). Validated like a
package's parts (well-formed, office:version, strict and extended schema validity) plus the
rules (suites/odf/rules) that do not need a package."""

from __future__ import annotations

import io
from typing import IO, TYPE_CHECKING, Any

from lxml import etree

from suites.odf import rules
from suites.odf.limits import LimitExceeded, Limits
from suites.odf.package import parse_xml
from suites.odf.rules.model import Document, Subject, q
from suites.odf.schemas import VERSIONS, SchemaSource

if TYPE_CHECKING:
    from suites.odf.validate import Validation

ROOT = "odf.flat.root"
FLAT_PART = "(flat XML)"
CHUNK = 64 * 1024
MEDIA_PREFIX = "application/vnd.oasis.opendocument."


def is_flat(data: bytes | IO[bytes]) -> bool:
    """Not a ZIP archive, but XML: a flat document."""
    if isinstance(data, bytes):
        head = data[:256]
    else:
        data.seek(0)
        head = data.read(256)
        data.seek(0)
    return not head.startswith(b"PK") and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _chunks(handle: IO[bytes], limits: Limits, name: str) -> Any:
    total = 0
    while chunk := handle.read(CHUNK):
        total += len(chunk)
        if total > limits.max_part_bytes:
            raise LimitExceeded(name, "max_part_bytes", limits.max_part_bytes,
                                f"had read {total:,} bytes when stopped", "not read further")
        yield chunk


def validate_flat(data: bytes | IO[bytes], name: str, source: SchemaSource,
                  limits: Limits) -> Validation:
    from suites.odf import validate as v

    result = v.Validation(name)
    handle = io.BytesIO(data) if isinstance(data, bytes) else data
    handle.seek(0)
    for requirement in v.REQUIREMENTS:  # what a single XML file has none of
        if requirement.startswith("odf.package.") or requirement in rules.PACKAGE_ONLY:
            result.absent[requirement] = ("a flat XML document is one XML file, not a "
                                          "package (ODF 1.3 Part 3 §2.2.1)")
    try:
        tree = parse_xml(_chunks(handle, limits, FLAT_PART), FLAT_PART, limits.max_xml_nodes)
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position and error.position[0] else (None, None)
        result.problems.append(v.Problem("odf.document.wellformed", FLAT_PART,
                                         f"not well-formed XML: {error.msg}", line, column))
        return result
    except LimitExceeded as error:
        result.refuse(error, v.REQUIREMENTS)
        return result
    root = tree.getroot()
    result.parts.append(FLAT_PART)
    result.media_type = root.get(q("office:mimetype"))
    if root.tag != q("office:document"):
        result.problems.append(v.Problem(ROOT, FLAT_PART, f"the root element is {root.tag}, "
                                         "not office:document", root.sourceline))
    elif not (result.media_type or "").startswith(MEDIA_PREFIX):
        result.problems.append(v.Problem(ROOT, FLAT_PART, "office:document has no "
                                         "office:mimetype naming an OpenDocument media type",
                                         root.sourceline))
    version = root.get(q("office:version"))
    if version not in VERSIONS:
        result.problems.append(v.Problem("odf.document.version", FLAT_PART,
                                         f"office:version is {version!r}, not one of "
                                         f"{', '.join(VERSIONS)}", root.sourceline))
        for requirement in ("odf.document.schema-extended", "odf.document.schema-strict"):
            result.undecided[requirement] = "the document declares no supported ODF version"
    result.version = version if version in VERSIONS else None
    subject = Subject([Document("", {"document": root})], [], [], result.version,
                      result.media_type, lambda _: None, flat=True)
    rules.check(subject)
    result.problems.extend(v.Problem(f.requirement, FLAT_PART, f.message, f.line)
                           for f in subject.findings)
    for requirement, why in subject.absent.items():
        result.absent.setdefault(requirement, why)
    if result.version is not None:
        # Validated last: extended validation strips foreign markup from the tree in place.
        v.validate_tree(tree, FLAT_PART, source, result.version, result)
    return result
