"""The in-toto Statement v1 that a signed report is: subject = artefact digests,
predicate = the whole report model, plus when it was signed."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from conformance.errors import InputError
from conformance.jsonfile import loads_bounded
from conformance.report.model import Report

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
PREDICATE_TYPE = "https://eos-conformance.eu/attestation/conformance-report/v1"
SHA256_DIGEST = re.compile(r"^sha256:([0-9a-f]{64})$")


class StatementError(ValueError):
    """A signed payload that is not a conformance statement this harness understands."""


def subjects(report: Report) -> list[dict[str, Any]]:
    entries = []
    for artefact in report.candidate.artefacts:
        match = SHA256_DIGEST.match(artefact.digest or "")
        if not match:
            raise InputError(
                f"artefact {artefact.name!r} has no sha256 digest ({artefact.digest!r}); "
                "a report about an unidentified artefact cannot be signed"
            )
        entries.append({"name": artefact.name, "digest": {"sha256": match.group(1)}})
    if not entries:
        raise InputError("the report names no artefact; there is nothing to sign a statement about")
    return entries


def statement_bytes(report: Report, signed_at: datetime) -> bytes:
    statement = {
        "_type": STATEMENT_TYPE,
        "subject": subjects(report),
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "signed_at": signed_at.isoformat(timespec="seconds"),
            "report": report.model_dump(mode="json"),
        },
    }
    # Compact and key-sorted: the same report signed twice at one time gives the same bytes.
    return json.dumps(statement, sort_keys=True, separators=(",", ":")).encode("utf-8")


def payload_digest(payload: bytes) -> str:
    """A signed report's identity in the label registry: the digest of its signed bytes."""
    return "sha256:" + hashlib.sha256(payload).hexdigest()


class ParsedStatement:
    def __init__(self, subjects: list[tuple[str, str]], signed_at: datetime, report: Report):
        self.subjects = subjects  # (name, "sha256:<hex>")
        self.signed_at = signed_at
        self.report = report


def parse_statement(payload: bytes) -> ParsedStatement:
    try:
        document = loads_bounded(payload)
    except (UnicodeDecodeError, ValueError) as error:
        raise StatementError(f"signed payload is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise StatementError("signed payload is not a JSON object")
    if document.get("_type") != STATEMENT_TYPE:
        raise StatementError(f"unsupported statement _type {document.get('_type')!r}")
    if document.get("predicateType") != PREDICATE_TYPE:
        raise StatementError(f"unsupported predicateType {document.get('predicateType')!r}")
    parsed_subjects = []
    raw_subjects = document.get("subject")
    if not isinstance(raw_subjects, list) or not raw_subjects:
        raise StatementError("statement has no subject")
    for entry in raw_subjects:
        digest = entry.get("digest") if isinstance(entry, dict) else None
        sha = digest.get("sha256") if isinstance(digest, dict) else None
        if not isinstance(sha, str) or not SHA256_DIGEST.match("sha256:" + sha):
            raise StatementError(f"statement subject without a sha256 digest: {entry!r}")
        parsed_subjects.append((str(entry.get("name", "")), "sha256:" + sha))
    predicate = document.get("predicate")
    if not isinstance(predicate, dict):
        raise StatementError("statement has no predicate object")
    try:
        signed_at = datetime.fromisoformat(str(predicate.get("signed_at")))
    except ValueError:
        raise StatementError("predicate.signed_at is not an ISO 8601 time") from None
    if signed_at.tzinfo is None:
        raise StatementError("predicate.signed_at has no time zone")
    try:
        report = Report.model_validate(predicate.get("report"))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StatementError(
            f"predicate.report is not a valid report ({error.error_count()} problem(s); "
            f"first: {where}: {first['msg']})"
        ) from None
    return ParsedStatement(parsed_subjects, signed_at, report)
