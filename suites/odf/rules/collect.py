"""Builds the rules' ``Subject`` from a package: the parts of the document and of each
sub-document (a directory holding content.xml or styles.xml), parsed within the limits."""

from __future__ import annotations

from typing import Any

from lxml import etree

from suites.odf.limits import LimitExceeded
from suites.odf.package import Package, PackageError
from suites.odf.rules.model import NS, PARTS, Document, ManifestEntry, Subject, q

HEAD = 64


def manifest_entries(root: Any) -> list[ManifestEntry]:
    entries = []
    for element in root.iter(q("manifest:file-entry")):
        path = element.get(q("manifest:full-path"))
        if path is None:
            continue
        entries.append(ManifestEntry(
            path, element.get(q("manifest:media-type")) or "",
            element.get(q("manifest:version")), element.sourceline,
            element.find("manifest:encryption-data", NS) is not None))
    return entries


def subdocument_prefixes(files: list[str]) -> list[str]:
    prefixes = []
    for name in files:
        if "/" not in name or name.startswith("META-INF/"):
            continue
        directory, base = name.rsplit("/", 1)
        if base in ("content.xml", "styles.xml") and f"{directory}/" not in prefixes:
            prefixes.append(f"{directory}/")
    return prefixes


def from_package(package: Package, manifest: list[ManifestEntry], version: str | None,
                 media_type: str | None, skip: set[str]) -> Subject:
    """``skip``: parts not to parse (encrypted ones the caller could not decrypt)."""
    files = package.files()

    def head(name: str) -> bytes | None:
        try:
            for chunk in package.chunks(name):
                return chunk[:HEAD]
            return b""
        except (PackageError, LimitExceeded):
            return None

    documents = []
    for prefix in ["", *subdocument_prefixes(files)]:
        document = Document(prefix)
        for part in PARTS:
            name = prefix + part
            if name in files and name not in skip:
                root = _parse(package, name)
                if root is not None:
                    document.trees[part] = root
        documents.append(document)
    directories = {name for name in package.names if name.endswith("/")}
    return Subject(documents, manifest, files, version, media_type, head,
                   directories=directories)


def _parse(package: Package, name: str) -> Any:
    try:
        return package.parse(name).getroot()
    except (etree.XMLSyntaxError, PackageError, LimitExceeded):
        return None  # reported by the well-formedness check or the limits
