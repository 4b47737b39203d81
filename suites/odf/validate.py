"""Document conformance of one ODF package: package rules, XML well-formedness, RelaxNG
validity against the declared version's schema, strict and extended classes.

Every problem names the requirement it breaks (an id of ``catalogue.toml``), the part, and
the line and column where the parser or validator saw it.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from suites.odf import flat, rules, signatures
from suites.odf.decrypting import ENCRYPTION_REQUIREMENTS, decrypt_parts
from suites.odf.foreign import strip_foreign
from suites.odf.limits import DEFAULT_LIMITS, SIGNATURE_SHARE, LimitExceeded, Limits
from suites.odf.package import Package, PackageError
from suites.odf.rules.collect import from_package, manifest_entries
from suites.odf.schemas import VERSIONS, SchemaSource, compiled, namespaces_of

MANIFEST = "META-INF/manifest.xml"
MIMETYPE = "mimetype"
MANIFEST_NS = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
DOCUMENT_PARTS = ("content.xml", "styles.xml", "meta.xml", "settings.xml")
WELLFORMED_SIGNATURES = "odf.package.signatures-wellformed"
VERIFIED_SIGNATURES = "odf.package.signatures-verify"
# Every requirement this validator judges, in catalogue order.
REQUIREMENTS = (
    "odf.package.zip",
    "odf.package.compression",
    "odf.package.unique-names",
    "odf.package.manifest-present",
    "odf.package.manifest-wellformed",
    "odf.package.manifest-valid",
    "odf.package.manifest-root",
    "odf.package.manifest-lists-files",
    "odf.package.manifest-entries-exist",
    "odf.package.mimetype-present",
    "odf.package.mimetype-first",
    "odf.package.mimetype-stored",
    "odf.package.mimetype-no-extra",
    "odf.package.mimetype-matches",
    WELLFORMED_SIGNATURES,
    VERIFIED_SIGNATURES,
    "odf.document.content-present",
    "odf.document.wellformed",
    "odf.document.version",
    "odf.document.schema-extended",
    "odf.document.schema-strict",
    # The rules RelaxNG cannot express (suites/odf/rules), each its own requirement.
    *rules.REQUIREMENTS,
    *ENCRYPTION_REQUIREMENTS,
    flat.ROOT,
)
ALLOWED_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
# What cannot be judged when a part is refused for a limit (Validation.refused).
NEEDS_MANIFEST = (
    "odf.package.manifest-wellformed",
    "odf.package.manifest-valid",
    "odf.package.manifest-root",
    "odf.package.manifest-lists-files",
    "odf.package.manifest-entries-exist",
    "odf.package.mimetype-matches",
    "odf.document.version",
)
NEEDS_PARTS = (
    "odf.document.wellformed",
    "odf.document.version",
    "odf.document.schema-extended",
    "odf.document.schema-strict",
)
ODF_MEDIA_PREFIX = "application/vnd.oasis.opendocument."
DUPLICATE_ID = re.compile(r"^ID \S+ already defined")


@dataclass
class Problem:
    requirement: str
    part: str
    message: str
    line: int | None = None
    column: int | None = None
    xpath: str | None = None  # the element the validator complained about

    def where(self) -> str:
        place = self.part if self.line is None else f"{self.part}:{self.line}:{self.column or 0}"
        return f"{place} {self.xpath}" if self.xpath else place

    def __str__(self) -> str:
        return f"{self.where()}: {self.message} [{self.requirement}]"


@dataclass
class Validation:
    document: str
    version: str | None = None
    media_type: str | None = None
    parts: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Found only by strict validation: the document is extended, not strict, conforming.
    strict_problems: list[Problem] = field(default_factory=list)
    foreign: dict[str, list[str]] = field(default_factory=dict)
    # Requirements the validator could not judge on this package, and why (never a pass).
    undecided: dict[str, str] = field(default_factory=dict)
    signature_files: list[str] = field(default_factory=list)
    # Parts (or the whole package) not read because they pass a limit: a ZIP bomb, or a
    # document too large to check within the limits. Their requirements are undecided.
    refused: list[str] = field(default_factory=list)
    # Rules that found nothing of their kind in this document (requirement -> what).
    absent: dict[str, str] = field(default_factory=dict)

    @property
    def conforming(self) -> bool:
        return not self.problems and not self.refused

    @property
    def conformance_class(self) -> str:
        if self.problems:
            return "not conforming"  # a violation found is a verdict, refused parts or not
        if self.refused:
            return "not checkable"
        return "strict" if not self.strict_problems else "extended"

    def broken(self) -> set[str]:
        return {p.requirement for p in self.problems} | {
            p.requirement for p in self.strict_problems
        }

    def problems_for(self, requirement: str) -> list[Problem]:
        return [p for p in self.problems + self.strict_problems if p.requirement == requirement]

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "version": self.version,
            "media_type": self.media_type,
            "conformance_class": self.conformance_class,
            "parts": self.parts,
            "problems": [asdict(p) for p in self.problems],
            "strict_problems": [asdict(p) for p in self.strict_problems],
            "foreign": self.foreign,
            "undecided": self.undecided,
            "signature_files": self.signature_files,
            "refused": self.refused,
            "absent": self.absent,
        }

    def refuse(self, error: LimitExceeded, requirements: Iterable[str]) -> None:
        message = str(error)
        if message not in self.refused:
            self.refused.append(message)
        for requirement in requirements:
            self.undecided.setdefault(requirement, message)


def validate_file(path: Path, source: SchemaSource, limits: Limits = DEFAULT_LIMITS,
                  password: str | None = None) -> Validation:
    """Read from the file as needed (never all of it at once). ``password`` opens a
    password-encrypted package; a flat XML document (.fodt …) is validated as one."""
    try:
        with path.open("rb") as handle:
            if flat.is_flat(handle):
                return flat.validate_flat(handle, str(path), source, limits)
            return _validate(handle, str(path), source, limits, password)
    except OSError as error:
        result = Validation(str(path))
        result.problems.append(
            Problem("odf.package.zip", "(file)", f"cannot read the file: {error.strerror}")
        )
        return result


def validate_bytes(data: bytes, name: str, source: SchemaSource,
                   limits: Limits = DEFAULT_LIMITS, password: str | None = None) -> Validation:
    if flat.is_flat(data):
        return flat.validate_flat(data, name, source, limits)
    return _validate(data, name, source, limits, password)


def _validate(data: bytes | IO[bytes], name: str, source: SchemaSource,
              limits: Limits, password: str | None = None) -> Validation:
    result = Validation(name)
    result.absent[flat.ROOT] = "the document is a package, not a flat XML document"
    try:
        package = Package(data, name, limits)
    except PackageError as error:
        result.problems.append(Problem("odf.package.zip", "(package)", str(error)))
        return result
    except LimitExceeded as error:
        result.refuse(error, REQUIREMENTS)  # nothing of the package was looked at
        return result
    _check_zip(package, result)
    manifest = _check_manifest(package, result, source)
    _check_mimetype(package, result, manifest)
    encrypted = decrypt_parts(package, manifest.version if manifest is not None else None,
                              password)
    result.problems.extend(Problem(*finding) for finding in encrypted.findings)
    result.strict_problems.extend(Problem(*finding) for finding in encrypted.extended_only)
    result.undecided.update(encrypted.undecided)
    if encrypted.undecided:  # its parts are not checked: no verdict on them
        reason = next(iter(encrypted.undecided.values()))
        result.refused.append(f"encrypted parts not checked: {reason}")
    result.absent.update(encrypted.absent)
    declared = _check_parts(package, result, source, manifest)
    result.signature_files = [n for n in package.files() if signatures.is_signature_file(n)]
    _check_signatures(package, result, source, declared)
    _check_rules(package, result, source, manifest, declared)
    return result


def _check_rules(package: Package, result: Validation, source: SchemaSource,
                 manifest: Manifest | None, declared: str | None) -> None:
    """The rules the schemas cannot express, and the schema validity of sub-documents."""
    entries = manifest.elements if manifest is not None else []
    skip = set(package.opaque)
    subject = from_package(package, entries, declared, result.media_type, skip)
    rules.check(subject)
    # A rule left undecided (encrypted parts not read) reports nothing it saw on the rest.
    result.problems.extend(Problem(f.requirement, f.part, f.message, f.line)
                           for f in subject.findings if f.requirement not in result.undecided)
    result.absent.update(subject.absent)
    if declared is None:
        return
    namespaces = namespaces_of(source, declared)
    schema = compiled(source, declared, "schema")
    for document in subject.documents[1:]:
        for name in document.trees:
            part = document.part(name)
            if document.trees[name].tag != f"{{{OFFICE_NS}}}document-content" and \
                    not document.trees[name].tag.startswith(f"{{{OFFICE_NS}}}"):
                continue  # a formula object's MathML: not the ODF schema's
            result.parts.append(part)
            _validate_part(package, part, schema, namespaces, result)


def _check_zip(package: Package, result: Validation) -> None:
    for entry in package.entries:
        if entry.compress_type not in ALLOWED_COMPRESSION:
            result.problems.append(
                Problem(
                    "odf.package.compression",
                    entry.name,
                    f"compressed with ZIP method {entry.compress_type}; only STORED (0) "
                    "and DEFLATED (8) are allowed",
                )
            )
    for name in package.duplicates():
        result.problems.append(
            Problem("odf.package.unique-names", name, "the ZIP archive holds this name twice")
        )
    if result.problems:
        return  # an unsupported method or a twin name: inflating proves nothing more
    for entry in package.entries:
        try:
            package.check_crc(entry.index)
        except PackageError as error:
            result.problems.append(Problem("odf.package.zip", entry.name, str(error)))
        except LimitExceeded as error:
            result.refuse(error, ("odf.package.zip",))
            if error.limit == "max_total_bytes":
                return  # every later entry would be refused too


@dataclass
class Manifest:
    version: str | None
    entries: dict[str, str]  # full-path -> media-type
    elements: list[Any] = field(default_factory=list)  # rules.ManifestEntry, in order
    # Its root is manifest:manifest, so it is validated once the version is known (parsed
    # again then: no tree is kept while the next part is parsed).
    validate: bool = True


def _parse(package: Package, part: str, requirement: str, result: Validation,
           needs: Iterable[str], share: int = 1) -> Any:
    """The part's tree, or None with the problem (or the refusal of ``needs``) recorded."""
    try:
        return package.parse(part, share)
    except etree.XMLSyntaxError as error:
        line, column = error.position if error.position and error.position[0] else (None, None)
        if requirement == "odf.document.wellformed" and DUPLICATE_ID.search(error.msg or ""):
            # libxml2 stops at a repeated xml:id: an [XML-ID] error, not a well-formedness
            # one; the part cannot be read, so what needed its tree is undecided.
            result.problems.append(Problem(rules.links.XML_ID, part, error.msg, line, column))
            for need in (*needs, *rules.REQUIREMENTS):
                if need not in ("odf.document.wellformed", rules.links.XML_ID):
                    result.undecided.setdefault(need, f"{part} cannot be parsed: {error.msg}")
            return None
        result.problems.append(
            Problem(requirement, part, f"not well-formed XML: {error.msg}", line, column)
        )
    except PackageError as error:
        result.problems.append(Problem("odf.package.zip", part, str(error)))
    except LimitExceeded as error:
        result.refuse(error, needs)
    return None


def _again(package: Package, part: str) -> Any:
    """A part parsed before without a problem, parsed again (None if it no longer parses,
    which the first parse has then recorded)."""
    try:
        return package.parse(part)
    except (etree.XMLSyntaxError, PackageError, LimitExceeded):
        return None


def _check_manifest(package: Package, result: Validation, source: SchemaSource) -> Manifest | None:
    if package.entry(MANIFEST) is None:
        result.problems.append(
            Problem("odf.package.manifest-present", MANIFEST, "the package has no manifest")
        )
        return None
    tree = _parse(package, MANIFEST, "odf.package.manifest-wellformed", result, NEEDS_MANIFEST)
    if tree is None:
        return None
    result.parts.append(MANIFEST)
    root = tree.getroot()
    version = root.get(f"{{{MANIFEST_NS}}}version")
    entries: dict[str, str] = {}
    for entry in root.iter(f"{{{MANIFEST_NS}}}file-entry"):
        path = entry.get(f"{{{MANIFEST_NS}}}full-path")
        if path is not None:
            entries[path] = entry.get(f"{{{MANIFEST_NS}}}media-type") or ""
    manifest = Manifest(version, entries, manifest_entries(root))
    if root.tag != f"{{{MANIFEST_NS}}}manifest":
        result.problems.append(
            Problem(
                "odf.package.manifest-valid", MANIFEST,
                f"root element is {root.tag}, not manifest:manifest in namespace {MANIFEST_NS}",
                root.sourceline, 0,
            )
        )
        manifest.validate = False
        return manifest
    _check_manifest_listing(package, manifest, result)
    return manifest


def _check_manifest_listing(package: Package, manifest: Manifest, result: Validation) -> None:
    files = set(package.files())
    # Part 2 §3.2: the "/" entry "should" exist, and "shall exist if the package contains
    # a file mimetype" — the MUST judged here.
    if "/" not in manifest.entries and MIMETYPE in files:
        result.problems.append(
            Problem("odf.package.manifest-root", MANIFEST,
                    'the package has a mimetype file but no manifest:file-entry with '
                    'manifest:full-path="/" gives the media type')
        )
    for name in package.files():
        if name == MIMETYPE or name.startswith("META-INF/"):
            continue
        if name not in manifest.entries:
            result.problems.append(
                Problem("odf.package.manifest-lists-files", name,
                        f"stored in the package but not listed in {MANIFEST}")
            )
    for path in manifest.entries:
        if path == "/" or path.endswith("/"):
            continue
        if path not in files:
            result.problems.append(
                Problem("odf.package.manifest-entries-exist", MANIFEST,
                        f"lists {path!r}, which the package does not contain")
            )


def _check_mimetype(package: Package, result: Validation, manifest: Manifest | None) -> None:
    entry = package.entry(MIMETYPE)
    if entry is None:
        result.problems.append(
            Problem("odf.package.mimetype-present", MIMETYPE, "the package has no mimetype file")
        )
        return
    if entry.index != 0:
        result.problems.append(
            Problem("odf.package.mimetype-first", MIMETYPE,
                    f"is entry {entry.index + 1} of the ZIP archive, not the first")
        )
    if entry.compress_type != zipfile.ZIP_STORED:
        result.problems.append(
            Problem("odf.package.mimetype-stored", MIMETYPE,
                    f"is compressed (ZIP method {entry.compress_type}), not STORED")
        )
    if entry.local_extra:
        result.problems.append(
            Problem("odf.package.mimetype-no-extra", MIMETYPE,
                    f"its local header has a {len(entry.local_extra)}-byte extra field")
        )
    try:
        value = package.read(MIMETYPE).decode("ascii")
    except LimitExceeded as error:
        result.refuse(error, ("odf.package.mimetype-matches",))
        return
    except (PackageError, UnicodeDecodeError) as error:
        result.problems.append(Problem("odf.package.mimetype-matches", MIMETYPE,
                                       f"unreadable or not ASCII: {error}"))
        return
    result.media_type = value
    root_type = manifest.entries.get("/") if manifest is not None else None
    if root_type is not None and value != root_type:
        result.problems.append(
            Problem("odf.package.mimetype-matches", MIMETYPE,
                    f"holds {value!r}, but the manifest's root media type is {root_type!r}")
        )
    elif not value.startswith(ODF_MEDIA_PREFIX):
        result.problems.append(
            Problem("odf.package.mimetype-matches", MIMETYPE,
                    f"holds {value!r}, not an OpenDocument media type")
        )


def _check_parts(
    package: Package, result: Validation, source: SchemaSource, manifest: Manifest | None
) -> str | None:
    """Well-formedness, versions and schema validity of the document's parts; returns the
    version the document declares (None when it declares no supported one)."""
    present = [p for p in DOCUMENT_PARTS if package.entry(p) is not None]
    if any(p in package.opaque for p in present):
        for requirement in (*NEEDS_PARTS, *rules.REQUIREMENTS):
            result.undecided.setdefault(requirement, "encrypted parts could not be decrypted "
                                        "(no password given, or decryption failed)")
    if "content.xml" not in present:
        result.problems.append(
            Problem("odf.document.content-present", "content.xml",
                    "the package has no content.xml")
        )
    present = [p for p in present if p not in package.opaque]
    # One tree at a time (memory): each part is parsed for its version here, and parsed
    # again to be validated; the helpers return before the next part is parsed.
    versions: dict[str, str | None] = {}
    for part in present:
        readable, version = _version_of(package, part, result)
        if readable:
            versions[part] = version
            result.parts.append(part)
    declared = _check_versions(versions, manifest, result)
    if declared is None:
        if not versions:
            result.undecided.setdefault(
                "odf.document.version",
                "no XML part (content.xml, styles.xml, meta.xml, settings.xml) could be read")
        for requirement in ("odf.package.manifest-valid", "odf.document.schema-extended",
                            "odf.document.schema-strict"):
            result.undecided.setdefault(requirement,
                                        "the document declares no supported ODF version")
        return None
    if manifest is not None and manifest.validate:
        # Validated against the schema of the version the document declares: a manifest
        # without manifest:version is then invalid, as the 1.2+ manifest schemas require it.
        _validate_manifest(package, compiled(source, declared, "manifest-schema"), result)
    namespaces = namespaces_of(source, declared)
    schema = compiled(source, declared, "schema")
    for part in versions:
        _validate_part(package, part, schema, namespaces, result)
    return declared


def _version_of(package: Package, part: str, result: Validation) -> tuple[bool, str | None]:
    """Whether the part is well-formed, and the office:version of its root."""
    tree = _parse(package, part, "odf.document.wellformed", result, NEEDS_PARTS)
    if tree is None:
        return False, None
    return True, tree.getroot().get(f"{{{OFFICE_NS}}}version")


def _validate_manifest(package: Package, schema: etree.RelaxNG, result: Validation) -> None:
    tree = _again(package, MANIFEST)
    if tree is not None:
        _relaxng(tree, MANIFEST, "odf.package.manifest-valid", schema, result.problems)


def _validate_part(package: Package, part: str, schema: etree.RelaxNG,
                   namespaces: frozenset[str], result: Validation) -> None:
    """Strict, then (only if that fails) extended validity of one part."""
    tree = _again(package, part)
    if tree is not None:
        _strict_then_extended(tree, part, schema, namespaces, result)


def validate_tree(tree: Any, part: str, source: SchemaSource, version: str,
                  result: Validation) -> None:
    """A whole document in one tree (flat XML) against ``version``'s schema."""
    _strict_then_extended(tree, part, compiled(source, version, "schema"),
                          namespaces_of(source, version), result)


def _strict_then_extended(tree: Any, part: str, schema: etree.RelaxNG,
                          namespaces: frozenset[str], result: Validation) -> None:
    strict: list[Problem] = []
    _relaxng(tree, part, "odf.document.schema-strict", schema, strict)
    if not strict:
        return
    # In place, not on a copy: the tree is not used again, and a copy doubles the memory.
    removed = strip_foreign(tree.getroot(), namespaces)
    if removed:
        result.foreign[part] = removed
    extended: list[Problem] = []
    _relaxng(tree, part, "odf.document.schema-extended", schema, extended)
    result.problems.extend(extended)
    if not extended:
        result.strict_problems.extend(strict)


def _check_signatures(package: Package, result: Validation, source: SchemaSource,
                      declared: str | None) -> None:
    """Part 2 §2.2.1 D and §5: each signature file is well-formed, valid against the dsig
    schema and [xmldsig-core]; then every signature in it verifies against the package."""
    stored = set(package.files())

    # Verification copies what it reads: signature files and signed parts get a share of
    # the limits (limits.SIGNATURE_SHARE), so all the copies together stay within them.
    def read(path: str) -> bytes | None:
        try:
            return package.read(path, SIGNATURE_SHARE) if path in stored else None
        except PackageError:
            return None

    def parse(path: str) -> Any:
        try:
            return package.parse(path, SIGNATURE_SHARE).getroot() if path in stored else None
        except PackageError:
            return None  # as read(): signxml reports the reference it cannot resolve

    for name in result.signature_files:
        tree = _parse(package, name, WELLFORMED_SIGNATURES, result,
                      (WELLFORMED_SIGNATURES, VERIFIED_SIGNATURES), SIGNATURE_SHARE)
        if tree is None:
            continue
        result.parts.append(name)
        found: list[Problem] = []
        if declared is None:
            result.undecided[WELLFORMED_SIGNATURES] = (
                "the document declares no supported ODF version, so no dsig schema applies")
        else:
            _relaxng(tree, name, WELLFORMED_SIGNATURES,
                     compiled(source, declared, "dsig-schema"), found)
        found += [Problem(WELLFORMED_SIGNATURES, name, f.message, f.line, None, f.xpath)
                  for f in signatures.structure_findings(tree.getroot())]
        result.problems.extend(found)
        if found or declared is None:
            result.undecided.setdefault(VERIFIED_SIGNATURES,
                                        f"{name} is not a well-formed signature file")
            continue
        try:
            verification = signatures.verify(tree.getroot(), read, parse,
                                             package.limits.max_xml_nodes // SIGNATURE_SHARE)
        except LimitExceeded as error:  # a signed part too large to digest
            result.refuse(error, (VERIFIED_SIGNATURES,))
            continue
        result.problems.extend(Problem(VERIFIED_SIGNATURES, name, f.message, f.line, None,
                                       f.xpath) for f in verification.problems)
        if verification.undecided:
            result.undecided[VERIFIED_SIGNATURES] = "; ".join(verification.undecided)


def _check_versions(
    versions: dict[str, str | None], manifest: Manifest | None, result: Validation
) -> str | None:
    """The one ODF version the document declares, or None (with problems) if it has none."""
    declared = {v for v in versions.values()}
    if manifest is not None:
        declared.add(manifest.version)
    known = sorted(v for v in declared if v is not None)
    if not versions:
        return None
    for part, value in versions.items():
        if value is None:
            result.problems.append(
                Problem("odf.document.version", part,
                        "the root element has no office:version (required since ODF 1.2)")
            )
        elif value not in VERSIONS:
            result.problems.append(
                Problem("odf.document.version", part,
                        f"office:version {value!r} is not one of {', '.join(VERSIONS)}")
            )
    if manifest is not None and manifest.version is None:
        result.problems.append(
            Problem("odf.document.version", MANIFEST, "manifest:manifest has no manifest:version")
        )
    if len(known) > 1:
        result.problems.append(
            Problem("odf.document.version", "(package)",
                    "parts declare different versions: "
                    + ", ".join(f"{part}={value}" for part, value in versions.items())
                    + (f", manifest={manifest.version}" if manifest is not None else ""))
        )
    usable = [v for v in known if v in VERSIONS]
    if not usable:
        return None
    result.version = usable[-1] if len(usable) == 1 else versions.get("content.xml") or usable[-1]
    return result.version if result.version in VERSIONS else None


def _relaxng(
    tree: Any, part: str, requirement: str, schema: etree.RelaxNG, into: list[Problem]
) -> None:
    if schema.validate(tree):
        return
    for entry in schema.error_log:
        into.append(
            Problem(requirement, part, entry.message, entry.line, entry.column, entry.path)
        )
