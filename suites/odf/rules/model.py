"""What the rules look at: the parsed parts of a package's document and of each of its
sub-documents, the manifest's entries, and a way to peek at stored files.

Trees are parsed once here (within the package's limits) and shared by every rule; a part
that does not parse is left out, since ``odf.document.wellformed`` already reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from lxml import etree

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "chart": "urn:oasis:names:tc:opendocument:xmlns:chart:1.0",
    "number": "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
    "config": "urn:oasis:names:tc:opendocument:xmlns:config:1.0",
    "manifest": "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0",
    "xlink": "http://www.w3.org/1999/xlink",
    "xml": "http://www.w3.org/XML/1998/namespace",
    "math": "http://www.w3.org/1998/Math/MathML",
}
PARTS = ("content.xml", "styles.xml", "meta.xml", "settings.xml")


@cache
def q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


@dataclass(frozen=True)
class Finding:
    requirement: str
    part: str
    message: str
    line: int | None = None


@dataclass
class Document:
    """The root document (prefix "") or a sub-document ("Object 1/")."""

    prefix: str
    trees: dict[str, Any] = field(default_factory=dict)  # part name -> root element

    def part(self, name: str) -> str:
        return self.prefix + name

    def roots(self) -> list[tuple[str, Any]]:
        return [(self.part(name), root) for name, root in self.trees.items()]


@dataclass
class ManifestEntry:
    path: str
    media_type: str
    version: str | None
    line: int | None
    encrypted: bool


@dataclass
class Subject:
    """Everything the rules see of one package (or of one flat XML document)."""

    documents: list[Document]
    manifest: list[ManifestEntry]
    files: list[str]
    version: str | None
    media_type: str | None
    head: Callable[[str], bytes | None]  # the first bytes of a stored file, None if unreadable
    flat: bool = False
    directories: set[str] = field(default_factory=set)  # ZIP directory entries ("a/b/")
    # Requirement -> why it does not apply to this document (nothing of it to look at).
    absent: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    @property
    def root(self) -> Document:
        return self.documents[0]

    def add(self, requirement: str, part: str, message: str, element: Any = None) -> None:
        line = element.sourceline if isinstance(element, etree._Element) else None
        self.findings.append(Finding(requirement, part, message, line))

    def examined(self, requirement: str, count: int, what: str) -> None:
        """A rule that found nothing of its kind does not pass: it does not apply."""
        if count == 0:
            self.absent.setdefault(requirement, f"the document has no {what}")
