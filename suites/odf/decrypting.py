"""The encryption requirements of one package (ODF 1.3 Part 2 §3.4, §4.16), and its
encrypted parts decrypted for the rest of the validation (``Package.decrypted``).

Without a password (or where a part does not decrypt) the parts stay opaque: the checks
that needed them are undecided, never passed on the ciphertext."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from suites.odf import encryption
from suites.odf.limits import LimitExceeded
from suites.odf.package import Package, PackageError

PLAIN = "odf.package.encryption-plain-parts"
ALGORITHMS = "odf.package.encryption-algorithms"
SIZE = "odf.package.encryption-size"
DECRYPTS = "odf.package.encryption-decrypts"
ENCRYPTION_REQUIREMENTS = (PLAIN, ALGORITHMS, SIZE, DECRYPTS)
STRICT = "odf.document.schema-strict"
MANIFEST = "META-INF/manifest.xml"
NS = encryption.MANIFEST_NS
NOT_ENCRYPTED = ("the manifest has no manifest:encryption-data: the package is not "
                 "encrypted (encryption is optional, ODF 1.3 Part 2 §3.4)")


NO_PASSWORD = "the package is encrypted and no password was given (--password)"


@dataclass
class Outcome:
    findings: list[tuple[str, str, str]] = field(default_factory=list)
    undecided: dict[str, str] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)
    # Alternative algorithms: allowed, but only in an extended conforming package (§4.16.1).
    extended_only: list[tuple[str, str, str]] = field(default_factory=list)


def _encrypted_entries(package: Package) -> list[Any]:
    try:
        root = package.parse(MANIFEST).getroot()
    except (etree.XMLSyntaxError, PackageError, LimitExceeded):
        return []  # reported by the manifest checks
    return [e for e in root.iter(f"{{{NS}}}file-entry")
            if e.find(f"{{{NS}}}encryption-data") is not None]


def decrypt_parts(package: Package, version: str | None, password: str | None) -> Outcome:
    outcome = Outcome()
    entries = _encrypted_entries(package) if package.entry(MANIFEST) is not None else []
    if not entries:
        outcome.absent.update(dict.fromkeys(ENCRYPTION_REQUIREMENTS, NOT_ENCRYPTED))
        return outcome
    stored = set(package.files())
    for entry in entries:
        path = str(entry.get(f"{{{NS}}}full-path"))
        data = entry.find(f"{{{NS}}}encryption-data")
        if path == "mimetype" or path.startswith("META-INF/"):
            outcome.findings.append((PLAIN, MANIFEST, f"{path} is listed as encrypted; the "
                                     "mimetype file and META-INF/ files are never encrypted"))
        size = entry.get(f"{{{NS}}}size")
        if size is None:
            outcome.findings.append((SIZE, MANIFEST, f"the encrypted file {path} has no "
                                     "manifest:size (its unencrypted size)"))
        try:
            info = encryption.parse(data)
        except (encryption.DecryptionError, ValueError) as error:
            outcome.findings.append((ALGORITHMS, MANIFEST, f"{path}: {error}"))
            package.opaque.add(path)
            continue
        for message in encryption.algorithm_findings(info, version or "1.4"):
            outcome.findings.append((ALGORITHMS, MANIFEST, f"{path}: {message}"))
        for message in encryption.alternative_algorithms(info, version or "1.4"):
            outcome.extended_only.append((STRICT, MANIFEST, f"{path}: {message}"))
        if path not in stored:
            continue  # manifest-entries-exist reports it
        if password is None:
            package.opaque.add(path)
            outcome.undecided[DECRYPTS] = NO_PASSWORD
            continue
        try:
            plain = encryption.decrypt(info, package.read(path), password,
                                       int(size) if size and size.isdigit() else None,
                                       package.limits.max_part_bytes)
        except (encryption.DecryptionError, PackageError, LimitExceeded, ValueError) as error:
            outcome.findings.append((DECRYPTS, path, f"does not decrypt with the password: "
                                     f"{error}"))
            package.opaque.add(path)
            continue
        package.decrypted[path] = plain
    return outcome
