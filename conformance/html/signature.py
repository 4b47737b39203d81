"""The signature status a page shows, found by verifying the files, never by believing them.

A page about a signed report shows the signed content (what the signature covers); a report
that is unsigned or does not verify is shown from report.json, under a banner that says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from conformance.errors import ConformanceError, InputError
from conformance.registry.snapshot import Snapshot, read_snapshot
from conformance.report.files import REPORT_FILE
from conformance.report.model import Report
from conformance.trust import dsse
from conformance.trust.policy import LabelPolicy, load_policy
from conformance.trust.sign import ENVELOPE_FILE
from conformance.trust.statement import StatementError, parse_statement
from conformance.trust.trust_list import TRUST_LIST_ENV, TrustList, load_trust_list
from conformance.trust.verify import Verification, verify_file

State = Literal["verified", "unsigned", "not-verified"]


@dataclass
class SignatureView:
    state: State
    headline: str
    checked_at: datetime
    trust_source: str
    verification: Verification | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return {
            "verified": "Signature verified",
            "unsigned": "Unsigned",
            "not-verified": "Signature NOT verified",
        }[self.state]


@dataclass
class Inputs:
    """What verification needs besides the report: who is trusted, the label registry."""

    trust: TrustList | None = None
    snapshot: Snapshot | None = None
    snapshot_reasons: list[str] = field(default_factory=list)
    policy: LabelPolicy = field(default_factory=lambda: load_policy(None))
    problems: list[str] = field(default_factory=list)


def load_inputs(
    trust_path: Path | None, snapshot_path: Path | None, at: datetime, strict: bool = True
) -> Inputs:
    """Trust list and snapshot; with ``strict`` a bad file is an input error, else a problem."""
    inputs = Inputs()
    try:
        inputs.trust = load_trust_list(trust_path) if trust_path else None
    except ConformanceError as error:
        if strict:
            raise
        inputs.problems.append(f"trust list unusable: {error}")
    if snapshot_path is not None:
        try:
            data = snapshot_path.read_bytes()
        except OSError as error:
            raise InputError(f"--registry {snapshot_path}: {error.strerror}") from None
        inputs.snapshot, inputs.snapshot_reasons = read_snapshot(data, inputs.trust, at)
        if inputs.snapshot is None:
            inputs.snapshot_reasons.append(
                "label status unknown: the registry snapshot is unusable"
            )
    return inputs


def inputs_from_environment(at: datetime) -> Inputs:
    """For the page written at the end of a run: the trust list in $CONFORMANCE_TRUST_LIST."""
    value = os.environ.get(TRUST_LIST_ENV)
    return load_inputs(Path(value) if value else None, None, at, strict=False)


def report_path(path: Path) -> Path:
    """REPORT as the user gave it (directory, report.json or report.dsse.json) → report.json."""
    if path.is_dir():
        return path / REPORT_FILE
    if path.name == ENVELOPE_FILE:
        return path.with_name(REPORT_FILE)
    return path


def examine(
    path: Path, inputs: Inputs, at: datetime | None = None, shown: Report | None = None
) -> tuple[Report, SignatureView]:
    """The report to show for PATH and its verified signature status."""
    at = at or datetime.now(UTC)
    trust_source = str(inputs.trust.path) if inputs.trust else "none given"
    json_path = report_path(path)
    envelope_path = json_path.with_name(ENVELOPE_FILE)
    if not envelope_path.exists():
        report = shown or _read_report(json_path)
        view = SignatureView(
            "unsigned",
            f"no {ENVELOPE_FILE} beside the report, so nothing vouches for its content.",
            at,
            trust_source,
            problems=list(inputs.problems),
        )
        return report, view
    result = verify_file(
        envelope_path,
        inputs.trust,
        at,
        inputs.policy,
        inputs.snapshot,
        inputs.snapshot_reasons,
    )
    signed = _signed_report(envelope_path)
    if result.authentic and signed is not None:
        signers = ", ".join(
            f"{s.holder} ({s.role})" for s in result.signers if s.holder is not None
        )
        view = SignatureView(
            "verified",
            f"signed by {signers} on {(result.signed_at or '')[:10]}, "
            "and the content is unaltered.",
            at,
            trust_source,
            result,
            list(inputs.problems),
        )
        return signed, view
    shown = (
        shown if shown is not None else (_read_report(json_path) if json_path.exists() else signed)
    )
    if shown is None:
        raise InputError(f"{envelope_path}: neither a readable report.json nor a signed report")
    headline = "do not rely on this report's content (reasons below)."
    if inputs.trust is None:
        headline = (
            f"the report is signed ({ENVELOPE_FILE}), but no trust list was given when this "
            f"page was written, so the signer is unknown: set ${TRUST_LIST_ENV} or run "
            "conformance report html --trust FILE."
        )
    view = SignatureView(
        "not-verified",
        headline,
        at,
        trust_source,
        result,
        list(inputs.problems),
    )
    return shown, view


def _read_report(path: Path) -> Report:
    try:
        return Report.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"report {path}: file not found") from None
    except OSError as error:
        raise InputError(f"report {path}: {error.strerror}") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(
            f"report {path}: not a valid report.json ({error.error_count()} problem(s), "
            f"first: {where}: {first['msg']})"
        ) from None


def _signed_report(envelope_path: Path) -> Report | None:
    try:
        return parse_statement(dsse.decode(envelope_path.read_bytes()).payload).report
    except (OSError, dsse.EnvelopeError, StatementError):
        return None
