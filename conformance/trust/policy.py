"""The label policy in code (the text is docs/label-policy.md; keep the two in step).

``decide`` says whether a signed report earns a label for each of its profiles, from the
report's check results judged again (``conformance.report.judge``), never from what the
report says about itself. A label's life after the award (suspension, withdrawal, expiry)
is the registry's: ``conformance.registry.lifecycle``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from conformance.errors import ConformanceError, InputError
from conformance.report.judge import Judgement, rejudge
from conformance.report.model import Report
from conformance.tomlfile import describe_validation_error, read_toml


class LabelPolicy(BaseModel):
    """Settings of the policy; defaults are the policy document's."""

    model_config = ConfigDict(extra="forbid")
    validity_months: int = Field(default=24, ge=1, le=120)
    on_failed_campaign: Literal["withdraw", "suspend"] = "withdraw"
    grace_days: int = Field(default=30, ge=0, le=365)


def load_policy(path: Path | None) -> LabelPolicy:
    if path is None:
        return LabelPolicy()
    try:
        return LabelPolicy.model_validate(read_toml(path, "label policy"))
    except ValidationError as error:
        raise InputError(describe_validation_error(path, "label policy", error)) from None


class PolicyError(ConformanceError):
    """A label action the policy does not allow (exit code 1)."""

    exit_code = 1


# --- deciding a label ----------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """Whether one profile of a report earns a label; ``reasons`` say why not."""

    standard: str
    profile: str
    version: str
    award: bool
    reasons: list[str]
    warnings: list[str]
    inapplicable_must: list[str]
    deviations: list[str]
    failed_must: bool
    valid_until: datetime | None


def decide(
    report: Report,
    signer_role: str | None,
    signed_at: datetime,
    policy: LabelPolicy,
    recomputed: Judgement | None = None,
) -> list[Decision]:
    """``signer_role`` is the role the trust list gives the signing key (None: not trusted)."""
    facts = recomputed or rejudge(report)
    common: list[str] = []
    if report.campaign.kind != "official":
        common.append("a self-assessment never awards a label; an official campaign is needed")
    if signer_role != "auditor":
        shown = "an untrusted key" if signer_role is None else f"a {signer_role} key"
        common.append(f"signed by {shown}; only an accredited auditor's key awards a label")
    if facts.mismatches:
        common.append("the report's stated results differ from its own check results")
    if not report.run.complete:
        common.append(f"the run did not complete ({report.run.stop_reason or 'no reason given'})")
    decisions = []
    for profile in facts.profiles:
        reasons = list(common)
        if profile.failed_must:
            reasons.append(f"MUST requirement(s) failed: {', '.join(profile.failed_must)}")
        if profile.unmet_must:
            reasons.append(
                f"MUST requirement(s) untested or undecided: {', '.join(profile.unmet_must)}"
            )
        if not profile.passed_must:
            # Inapplicable MUSTs count as met, but a label needs something actually shown.
            reasons.append("no MUST requirement of the profile passed")
        award = not reasons
        decisions.append(
            Decision(
                standard=profile.standard,
                profile=profile.profile,
                version=profile.version,
                award=award,
                reasons=reasons,
                warnings=profile.warnings,
                inapplicable_must=profile.inapplicable_must,
                deviations=profile.deviations,
                failed_must=bool(profile.failed_must),
                valid_until=add_months(signed_at, policy.validity_months) if award else None,
            )
        )
    return decisions


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)
