"""The label policy in code (the text is docs/label-policy.md; keep the two in step).

Three jobs, all pure functions so they can be tested rule by rule:
- ``recompute``: derive every outcome, count and verdict of a report again from its check
  results, so nobody has to believe what a report says about itself;
- ``decide``: whether a signed report earns a label for each of its profiles;
- ``status_at``: a label's status at any date, folded from its append-only event history.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from conformance.errors import ConformanceError, InputError
from conformance.outcomes import Outcome, aggregate, meets
from conformance.report.model import Report, RequirementResult
from conformance.tomlfile import describe_validation_error, read_toml

Action = Literal["award", "suspend", "reinstate", "withdraw", "campaign-failed"]
Status = Literal["none", "awarded", "suspended", "withdrawn", "expired"]


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


# --- recomputing a report ------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileFacts:
    standard: str
    profile: str
    version: str
    verdict: Literal["pass", "fail"]
    counts: dict[str, dict[str, int]]
    failed_must: list[str]
    unmet_must: list[str]
    inapplicable_must: list[str]
    passed_must: list[str]
    warnings: list[str]
    deviations: list[str]


@dataclass(frozen=True)
class Recomputed:
    profiles: list[ProfileFacts]
    verdict: Literal["pass", "fail"]
    outcomes: dict[str, Outcome]
    mismatches: list[str] = field(default_factory=list)


def recompute(report: Report) -> Recomputed:
    """Every outcome and verdict again from the check results; list where the report differs."""
    mismatches: list[str] = []
    covering: dict[str, list[str]] = defaultdict(list)
    check_outcomes: dict[str, list[Outcome]] = defaultdict(list)
    for check in report.checks:
        for requirement_id in check.requirements:
            covering[requirement_id].append(check.nodeid)
            check_outcomes[requirement_id].append(check.outcome)
    outcomes: dict[str, Outcome] = {}
    for requirement in report.requirements:
        outcome = aggregate(check_outcomes.get(requirement.id, []))
        outcomes[requirement.id] = outcome
        if requirement.outcome != outcome:
            mismatches.append(
                f"requirement {requirement.id}: report says {requirement.outcome.value}, "
                f"its checks give {outcome.value}"
            )
        if requirement.checks != covering.get(requirement.id, []):
            mismatches.append(f"requirement {requirement.id}: list of covering checks differs")
    profiles = [
        _profile_facts(p.standard, p.profile, p.version, report.requirements, outcomes)
        for p in report.profiles
    ]
    for claimed, facts in zip(report.profiles, profiles, strict=True):
        for name in ("verdict", "counts", "failed_must", "unmet_must", "warnings"):
            if getattr(claimed, name) != getattr(facts, name):
                mismatches.append(
                    f"profile {claimed.profile}: claimed {name} {getattr(claimed, name)!r} "
                    f"but the outcomes give {getattr(facts, name)!r}"
                )
    verdict: Literal["pass", "fail"] = (
        "pass" if profiles and all(p.verdict == "pass" for p in profiles) else "fail"
    )
    if report.verdict != verdict:
        mismatches.append(f"report claims verdict {report.verdict!r}; outcomes give {verdict!r}")
    by_outcome = {o.value: 0 for o in Outcome}
    for outcome in outcomes.values():
        by_outcome[outcome.value] += 1
    if report.summary.by_outcome != by_outcome or report.summary.requirements != len(outcomes):
        mismatches.append("summary counts differ from the requirement outcomes")
    if report.summary.checks != len(report.checks):
        mismatches.append("summary check count differs from the checks listed")
    return Recomputed(profiles, verdict, outcomes, mismatches)


def _profile_facts(
    standard: str,
    profile: str,
    version: str,
    requirements: list[RequirementResult],
    outcomes: dict[str, Outcome],
) -> ProfileFacts:
    members = [r for r in requirements if r.standard == standard and profile in r.profiles]
    counts: dict[str, dict[str, int]] = {}
    for r in members:
        level = counts.setdefault(r.level, {})
        level[outcomes[r.id].value] = level.get(outcomes[r.id].value, 0) + 1
    must = [r for r in members if r.level == "MUST"]

    def having(*wanted: Outcome) -> list[str]:
        return [r.id for r in must if outcomes[r.id] in wanted]

    # The core's rule: every MUST passed or inapplicable, and at least one MUST exists. Known
    # deviations play no part: they are shown, never counted as passes.
    passes = bool(must) and all(meets(outcomes[r.id]) for r in must)
    return ProfileFacts(
        standard=standard,
        profile=profile,
        version=version,
        verdict="pass" if passes else "fail",
        counts=counts,
        failed_must=having(Outcome.FAILED),
        unmet_must=having(Outcome.UNTESTED, Outcome.CANT_TELL),
        inapplicable_must=having(Outcome.INAPPLICABLE),
        passed_must=having(Outcome.PASSED),
        warnings=[
            r.id for r in members if r.level == "SHOULD" and outcomes[r.id] == Outcome.FAILED
        ],
        deviations=[r.id for r in members if r.known_deviation is not None],
    )


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
    recomputed: Recomputed | None = None,
) -> list[Decision]:
    """``signer_role`` is the role the trust list gives the signing key (None: not trusted)."""
    facts = recomputed or recompute(report)
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


# --- a label's status from its history -----------------------------------------------------


@dataclass(frozen=True)
class LabelEvent:
    label_id: str
    action: Action
    at: datetime
    actor: str
    reason: str
    report_digest: str | None = None
    valid_until: datetime | None = None
    grace_until: datetime | None = None
    sequence: int = 0


@dataclass(frozen=True)
class LabelState:
    status: Status
    reason: str = ""
    since: datetime | None = None
    valid_until: datetime | None = None
    grace_until: datetime | None = None
    report_digest: str | None = None


ALLOWED_FROM: dict[str, tuple[Status, ...]] = {
    # An award on a current label renews it on a newer report.
    "award": ("none", "awarded", "suspended", "withdrawn", "expired"),
    "suspend": ("awarded",),
    "reinstate": ("suspended",),
    "withdraw": ("awarded", "suspended"),
    "campaign-failed": ("awarded", "suspended"),
}


def check_transition(state: LabelState, action: Action) -> None:
    if state.status not in ALLOWED_FROM[action]:
        raise PolicyError(
            f"cannot {action} a label that is {state.status}"
            + ("" if state.status != "none" else " (no such label)")
        )


def apply(state: LabelState, event: LabelEvent) -> LabelState:
    """The state after one recorded event (events are validated before they are recorded)."""
    state = settle(state, event.at)
    check_transition(state, event.action)
    if event.action == "award":
        return LabelState(
            "awarded", event.reason, event.at, event.valid_until, None, event.report_digest
        )
    if event.action == "reinstate":
        return LabelState(
            "awarded", event.reason, event.at, state.valid_until, None, state.report_digest
        )
    if event.action == "suspend" or (event.action == "campaign-failed" and event.grace_until):
        return LabelState(
            "suspended",
            event.reason,
            event.at,
            state.valid_until,
            event.grace_until,
            state.report_digest,
        )
    return LabelState(
        "withdrawn", event.reason, event.at, state.valid_until, None, state.report_digest
    )


def settle(state: LabelState, moment: datetime) -> LabelState:
    """What time alone does: a grace period runs out, a validity period ends."""
    if state.status == "suspended" and state.grace_until and moment >= state.grace_until:
        state = LabelState(
            "withdrawn",
            "a failed MUST was not remedied within the grace period",
            state.grace_until,
            state.valid_until,
            None,
            state.report_digest,
        )
    if (
        state.status in ("awarded", "suspended")
        and state.valid_until
        and (moment >= state.valid_until)
    ):
        state = LabelState(
            "expired",
            "validity period ended",
            state.valid_until,
            state.valid_until,
            None,
            state.report_digest,
        )
    return state


def status_at(events: list[LabelEvent], moment: datetime) -> LabelState:
    """A label's status at ``moment``, from its events in the order they were recorded."""
    state = LabelState("none")
    for event in events:
        if event.at > moment:
            break
        state = apply(state, event)
    return settle(state, moment)


def failed_campaign_event(
    label_id: str, at: datetime, actor: str, report_digest: str, policy: LabelPolicy
) -> LabelEvent:
    suspend = policy.on_failed_campaign == "suspend"
    grace = at + timedelta(days=policy.grace_days) if suspend else None
    return LabelEvent(
        label_id=label_id,
        action="campaign-failed",
        at=at,
        actor=actor,
        reason="a later official campaign failed a MUST requirement",
        report_digest=report_digest,
        grace_until=grace,
    )
