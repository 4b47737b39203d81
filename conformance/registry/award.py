"""Turning a signed report into label events: the policy decides, the registry records."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from conformance.registry.lifecycle import failed_campaign_event
from conformance.registry.store import LabelKey, Registry
from conformance.trust import dsse
from conformance.trust.policy import LabelPolicy, PolicyError, decide
from conformance.trust.statement import parse_statement
from conformance.trust.trust_list import TrustList
from conformance.trust.verify import Verification, verify_bytes


@dataclass
class ProfileResult:
    profile: str
    label_id: str
    action: str  # "awarded", "campaign-failed" or "denied"
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    valid_until: datetime | None = None


def record_report(
    registry: Registry,
    data: bytes,
    trust: TrustList,
    policy: LabelPolicy,
    actor: str,
    at: datetime,
) -> tuple[Verification, list[ProfileResult]]:
    checked = verify_bytes(data, trust, at, policy)
    if not checked.authentic:
        raise PolicyError(
            "the report does not verify, so it can neither award nor withdraw a label:\n  "
            + "\n  ".join(checked.reasons)
        )
    statement = parse_statement(dsse.decode(data).payload)
    report = statement.report
    trusted_roles = {s.role for s in checked.signers if s.valid_at_signing and s.valid_today}
    role = "auditor" if "auditor" in trusted_roles else next(iter(trusted_roles), None)
    digest = checked.report_digest or ""
    results = []
    for decision in decide(report, role, statement.signed_at, policy):
        key = LabelKey(
            report.candidate.id,
            report.candidate.product,
            report.candidate.vendor,
            decision.standard,
            decision.profile,
        )
        result = ProfileResult(decision.profile, key.label_id, "denied", decision.reasons)
        result.warnings = decision.warnings
        if decision.award:
            summary = (
                f"official campaign {report.campaign.id!r} by {report.campaign.assessor}, "
                f"{report.candidate.product} {report.candidate.version or ''}".rstrip()
            )
            if decision.warnings:
                summary += f"; SHOULD warnings: {', '.join(decision.warnings)}"
            registry.record(
                key,
                "award",
                actor,
                summary,
                report_digest=digest,
                valid_until=decision.valid_until,
                at=at,
            )
            result.action, result.valid_until = "awarded", decision.valid_until
        elif decision.failed_must and report.campaign.kind == "official" and role == "auditor":
            failed = failed_campaign_event(key.label_id, at, actor, digest, policy)
            try:
                registry.record(
                    key,
                    "campaign-failed",
                    actor,
                    failed.reason,
                    report_digest=digest,
                    grace_until=failed.grace_until,
                    at=at,
                )
                result.action = "campaign-failed"
            except PolicyError:
                pass  # no current label to withdraw: simply denied
        results.append(result)
    return checked, results
