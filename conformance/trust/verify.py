"""Verifying a signed report for a buyer: everything recomputed from the signed bytes.

Nothing the file says about its own validity is believed: the signature is checked against
the trust list, the signer's role and validity period come from the trust list, outcomes and
verdicts are recomputed from the check results, and the label's status comes from the policy
and, when given, a signed registry snapshot. Every problem found is listed, not just the first.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError

from conformance.registry.snapshot import Snapshot
from conformance.report.files import REPORT_FILE
from conformance.report.judge import rejudge
from conformance.report.model import ProfileVerdict, Report
from conformance.trust import dsse
from conformance.trust.policy import LabelPolicy, decide
from conformance.trust.sign import ENVELOPE_FILE, MAX_REPORT_BYTES
from conformance.trust.statement import (
    PAYLOAD_TYPE,
    ParsedStatement,
    StatementError,
    parse_statement,
    payload_digest,
)
from conformance.trust.trust_list import TrustedKey, TrustList

# A signer's clock may run a little ahead of the verifier's.
CLOCK_SKEW = timedelta(minutes=5)
MAX_LISTED_MISMATCHES = 20
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
NO_REGISTRY_NOTE = (
    "label status not checked against a registry snapshot; a withdrawal or suspension "
    "would not show (pass --registry)"
)


class SignerView(BaseModel):
    key_id: str
    holder: str | None
    role: str | None
    signature_valid: bool
    valid_at_signing: bool
    valid_today: bool


class LabelView(BaseModel):
    profile: str
    status: str
    detail: str
    valid_until: str | None = None
    source: Literal["policy", "registry", "none"]


class Verification(BaseModel):
    ok: bool = False
    file: str
    checked_at: str
    reasons: list[str] = []
    notes: list[str] = []
    report_digest: str | None = None
    signed_at: str | None = None
    signers: list[SignerView] = []
    campaign_kind: str | None = None
    campaign_id: str | None = None
    assessor: str | None = None
    product: str | None = None
    vendor: str | None = None
    version: str | None = None
    candidate: str | None = None
    # Settings the candidate ran with only for testing: name -> how many results depend on it.
    test_mode: dict[str, int] = {}
    subjects: list[tuple[str, str]] = []
    artifact: str | None = None
    profiles: list[ProfileVerdict] = []
    verdict: str | None = None
    labels: list[LabelView] = []
    # Signature, signer and content all hold (whatever the verdict and label say).
    authentic: bool = False


def locate(path: Path) -> tuple[Path, Path | None]:
    """The envelope to verify and the report.json beside it (if any) for REPORT."""
    if path.is_dir():
        path = path / REPORT_FILE
    if path.name == REPORT_FILE:
        return path.with_name(ENVELOPE_FILE), path
    sibling = path.with_name(REPORT_FILE)
    return path, sibling if path.name == ENVELOPE_FILE and sibling.exists() else None


def artifact_digest(value: str) -> str:
    """--artifact: a sha256:<hex> digest as given, or the SHA-256 of a file."""
    if DIGEST.match(value):
        return value
    digest = hashlib.sha256()
    with Path(value).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()


def verify_file(
    path: Path,
    trust: TrustList | None,
    at: datetime,
    policy: LabelPolicy,
    snapshot: Snapshot | None = None,
    snapshot_reasons: list[str] | None = None,
    artifact: str | None = None,
) -> Verification:
    envelope_path, beside = locate(path)
    try:
        data = envelope_path.read_bytes()
    except FileNotFoundError:
        return Verification(
            file=str(envelope_path),
            checked_at=at.isoformat(timespec="seconds"),
            reasons=[f"no signature: {envelope_path} not found (the report is unsigned)"],
        )
    except OSError as error:
        return Verification(
            file=str(envelope_path),
            checked_at=at.isoformat(timespec="seconds"),
            reasons=[f"cannot read {envelope_path}: {error.strerror}"],
        )
    result = verify_bytes(
        data, trust, at, policy, snapshot, snapshot_reasons, artifact, str(envelope_path)
    )
    if beside is not None and result.report_digest is not None:
        _compare_beside(beside, data, result)
    return result


def verify_bytes(
    data: bytes,
    trust: TrustList | None,
    at: datetime,
    policy: LabelPolicy,
    snapshot: Snapshot | None = None,
    snapshot_reasons: list[str] | None = None,
    artifact: str | None = None,
    name: str = "<envelope>",
) -> Verification:
    result = Verification(file=name, checked_at=at.isoformat(timespec="seconds"))
    reasons = result.reasons
    try:
        envelope = dsse.decode(data)
    except dsse.EnvelopeError as error:
        reasons.append(f"tampered, truncated or not a signed report: {error}")
        return result
    if envelope.payload_type != PAYLOAD_TYPE:
        reasons.append(
            f"unsupported payloadType {envelope.payload_type!r} (expected {PAYLOAD_TYPE!r})"
        )
        return result
    verified = _check_signatures(envelope, trust, result)
    if not verified:
        return result
    try:
        statement = parse_statement(envelope.payload)
    except StatementError as error:
        reasons.append(f"signed payload is not a conformance statement: {error}")
        return result
    result.report_digest = payload_digest(envelope.payload)
    _describe(statement, result)
    role = _check_signers(verified, statement, at, result)
    _check_content(statement, artifact, result)
    result.authentic = not reasons
    if result.verdict != "pass":
        reasons.append("verdict: fail (a MUST requirement failed, is untested or undecided)")
    reasons.extend(snapshot_reasons or [])
    _check_label(statement, role, at, policy, snapshot, result)
    result.ok = not reasons
    return result


def _check_signatures(
    envelope: dsse.Envelope, trust: TrustList | None, result: Verification
) -> list[TrustedKey]:
    if trust is None:
        result.reasons.append("no trust list given (--trust): the signer cannot be identified")
        return []
    verified: list[TrustedKey] = []
    for signature in envelope.signatures:
        key = trust.keys.get(signature.keyid)
        if key is None:
            result.reasons.append(
                f"signed by unknown key {signature.keyid!r} (not in trust list {trust.path})"
            )
            result.signers.append(
                SignerView(
                    key_id=signature.keyid,
                    holder=None,
                    role=None,
                    signature_valid=False,
                    valid_at_signing=False,
                    valid_today=False,
                )
            )
            continue
        holds = dsse.signature_holds(envelope, signature, key.public_key)
        if holds:
            verified.append(key)
        else:
            result.reasons.append(
                f"bad signature from key {key.id} ({key.holder}): "
                "the signed content was altered or the signature is not this key's"
            )
        result.signers.append(
            SignerView(
                key_id=key.id,
                holder=key.holder,
                role=key.role,
                signature_valid=holds,
                valid_at_signing=False,
                valid_today=False,
            )
        )
    return verified if len(verified) == len(envelope.signatures) else []


def _describe(statement: ParsedStatement, result: Verification) -> None:
    report = statement.report
    result.signed_at = statement.signed_at.isoformat(timespec="seconds")
    result.campaign_kind = report.campaign.kind
    result.campaign_id = report.campaign.id
    result.assessor = report.campaign.assessor
    result.product = report.candidate.product
    result.vendor = report.candidate.vendor
    result.version = report.candidate.version
    result.candidate = report.candidate.id
    result.test_mode = {t.name: len(t.requirements) for t in report.candidate.test_mode}
    result.subjects = statement.subjects


def _check_signers(
    verified: list[TrustedKey], statement: ParsedStatement, at: datetime, result: Verification
) -> str | None:
    signed_at = statement.signed_at
    if signed_at > at + CLOCK_SKEW:
        result.reasons.append(f"signed in the future ({result.signed_at})")
    roles = set()
    for key in verified:
        view = next(s for s in result.signers if s.key_id == key.id)
        view.valid_at_signing = key.valid_at(signed_at)
        view.valid_today = key.valid_at(at)
        window = f"valid {key.valid_from.date()} to {key.valid_until.date()}"
        if not view.valid_at_signing:
            result.reasons.append(
                f"key {key.id} ({key.holder}) was not valid when the report was signed "
                f"({result.signed_at}; {window})"
            )
        elif not view.valid_today:
            result.reasons.append(f"key {key.id} ({key.holder}) is no longer valid ({window})")
        else:
            roles.add(key.role)
    role = "auditor" if "auditor" in roles else ("vendor" if roles else None)
    if statement.report.campaign.kind == "official" and role != "auditor":
        result.reasons.append(
            "an official campaign must be signed by an accredited auditor's key; "
            f"this one is signed by {'a ' + role if role else 'no trusted'} key"
        )
    return role


def _check_content(statement: ParsedStatement, artifact: str | None, result: Verification) -> None:
    report = statement.report
    declared = sorted((a.name, a.digest or "") for a in report.candidate.artefacts)
    if sorted(statement.subjects) != declared:
        result.reasons.append("the statement's subject differs from the report's artefacts")
    recomputed = rejudge(report)
    for mismatch in recomputed.mismatches[:MAX_LISTED_MISMATCHES]:
        result.reasons.append(f"report contradicts its own results: {mismatch}")
    if len(recomputed.mismatches) > MAX_LISTED_MISMATCHES:
        extra = len(recomputed.mismatches) - MAX_LISTED_MISMATCHES
        result.reasons.append(f"… and {extra} more contradiction(s)")
    result.profiles = [p.as_verdict() for p in recomputed.profiles]
    result.verdict = recomputed.verdict
    if artifact is not None:
        result.artifact = artifact
        if artifact not in {digest for _, digest in statement.subjects}:
            result.reasons.append(
                f"digest mismatch: the artefact given ({artifact}) is not one this report is "
                f"about ({', '.join(d for _, d in statement.subjects)})"
            )


def _check_label(
    statement: ParsedStatement,
    role: str | None,
    at: datetime,
    policy: LabelPolicy,
    snapshot: Snapshot | None,
    result: Verification,
) -> None:
    report = statement.report
    if report.campaign.kind != "official":
        result.labels = [
            LabelView(
                profile=p.profile,
                status="none",
                detail="self-assessment: carries no label",
                source="none",
            )
            for p in report.profiles
        ]
        return
    decisions = decide(report, role, statement.signed_at, policy)
    for decision in decisions:
        if snapshot is not None:
            entry = snapshot.find(result.report_digest or "", report.candidate.id, decision)
            if entry is None:
                view = LabelView(
                    profile=decision.profile,
                    status="not registered",
                    detail=f"no label for this report in registry snapshot #{snapshot.serial}",
                    source="registry",
                )
            else:
                state = entry.status_at(at)
                until = (
                    state.valid_until.isoformat(timespec="seconds") if state.valid_until else None
                )
                view = LabelView(
                    profile=decision.profile,
                    status=state.status,
                    detail=f"{entry.label_id}: {state.reason}"
                    + (
                        ""
                        if state.report_digest == result.report_digest
                        else f" (label now rests on report {state.report_digest})"
                    ),
                    valid_until=until,
                    source="registry",
                )
            if view.status != "awarded":
                result.reasons.append(f"label for {decision.profile}: {view.status}")
        elif decision.award and decision.valid_until is not None:
            expired = at >= decision.valid_until
            view = LabelView(
                profile=decision.profile,
                status="expired" if expired else "eligible",
                detail="meets the label policy; not checked against a registry (--registry)",
                valid_until=decision.valid_until.isoformat(timespec="seconds"),
                source="policy",
            )
            if expired:
                result.reasons.append(f"label for {decision.profile}: validity period ended")
            elif NO_REGISTRY_NOTE not in result.notes:
                result.notes.append(NO_REGISTRY_NOTE)
        else:
            view = LabelView(
                profile=decision.profile,
                status="denied",
                detail="; ".join(decision.reasons),
                source="policy",
            )
            result.reasons.append(f"no label for {decision.profile}: {view.detail}")
        result.labels.append(view)


def _compare_beside(beside: Path, envelope_data: bytes, result: Verification) -> None:
    """A report.json next to the envelope must say what was signed."""
    try:
        if beside.stat().st_size > MAX_REPORT_BYTES:
            raise OSError("too large")
        shown = Report.model_validate_json(beside.read_bytes())
    except (OSError, ValidationError):
        result.reasons.append(f"{beside} is unreadable or not a valid report")
        result.ok = result.authentic = False
        return
    signed = parse_statement(dsse.decode(envelope_data).payload).report
    if shown != signed:
        result.reasons.append(f"{beside} differs from the signed report (edited after signing)")
        result.ok = result.authentic = False
