"""The verdict rule, in one place: from check results to requirement outcomes, profile
verdicts, counts and the report's verdict.

The report builder judges a run; verification, the label policy and every page judge the
signed check results again (``rejudge``) instead of believing what a report says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from conformance.outcomes import Outcome, aggregate, meets
from conformance.report.model import (
    CheckResult,
    KnownDeviation,
    ProfileVerdict,
    Report,
    RequirementInfo,
    Summary,
)

Verdict = Literal["pass", "fail"]


@dataclass(frozen=True)
class ProfileRef:
    standard: str
    profile: str
    version: str


@dataclass(frozen=True)
class ProfileJudgement:
    """One profile's verdict and the requirement ids behind it."""

    standard: str
    profile: str
    version: str
    verdict: Verdict
    counts: dict[str, dict[str, int]]
    failed_must: list[str]
    unmet_must: list[str]
    inapplicable_must: list[str]
    passed_must: list[str]
    warnings: list[str]
    deviations: list[str]

    def as_verdict(self) -> ProfileVerdict:
        """The part a report states (report format 1)."""
        return ProfileVerdict(
            standard=self.standard,
            profile=self.profile,
            version=self.version,
            verdict=self.verdict,
            counts=self.counts,
            failed_must=self.failed_must,
            unmet_must=self.unmet_must,
            warnings=self.warnings,
        )


@dataclass(frozen=True)
class Judgement:
    outcomes: dict[str, Outcome]
    covering: dict[str, list[str]]
    profiles: list[ProfileJudgement]
    summary: Summary
    verdict: Verdict
    mismatches: list[str] = field(default_factory=list)


def judge(
    requirements: Sequence[RequirementInfo],
    checks: Sequence[CheckResult],
    profiles: Iterable[ProfileRef],
    deviations: Iterable[str] = (),
) -> Judgement:
    """Judge check results: the most serious check outcome is the requirement's; a profile
    passes when every MUST passed or is inapplicable and at least one MUST passed. Known
    deviations are shown, never counted as passes."""
    covering: dict[str, list[str]] = defaultdict(list)
    check_outcomes: dict[str, list[Outcome]] = defaultdict(list)
    for check in checks:
        for requirement_id in check.requirements:
            covering[requirement_id].append(check.nodeid)
            check_outcomes[requirement_id].append(check.outcome)
    outcomes = {r.id: aggregate(check_outcomes.get(r.id, [])) for r in requirements}
    deviating = set(deviations)
    judged = [_profile(ref, requirements, outcomes, deviating) for ref in profiles]
    by_outcome = {outcome.value: 0 for outcome in Outcome}
    for outcome in outcomes.values():
        by_outcome[outcome.value] += 1
    verdict: Verdict = "pass" if judged and all(p.verdict == "pass" for p in judged) else "fail"
    return Judgement(
        outcomes=outcomes,
        covering={r.id: covering.get(r.id, []) for r in requirements},
        profiles=judged,
        summary=Summary(requirements=len(outcomes), by_outcome=by_outcome, checks=len(checks)),
        verdict=verdict,
    )


def _profile(
    ref: ProfileRef,
    requirements: Sequence[RequirementInfo],
    outcomes: dict[str, Outcome],
    deviating: set[str],
) -> ProfileJudgement:
    members = [r for r in requirements if r.standard == ref.standard and ref.profile in r.profiles]
    counts: dict[str, dict[str, int]] = {}
    for r in members:
        level = counts.setdefault(r.level, {})
        level[outcomes[r.id].value] = level.get(outcomes[r.id].value, 0) + 1
    must = [r for r in members if r.level == "MUST"]

    def having(*wanted: Outcome) -> list[str]:
        return [r.id for r in must if outcomes[r.id] in wanted]

    # Inapplicable MUSTs count as met, but a profile passes only on something actually shown.
    passes = all(meets(outcomes[r.id]) for r in must) and any(
        outcomes[r.id] == Outcome.PASSED for r in must
    )
    return ProfileJudgement(
        standard=ref.standard,
        profile=ref.profile,
        version=ref.version,
        verdict="pass" if passes else "fail",
        counts=counts,
        failed_must=having(Outcome.FAILED),
        unmet_must=having(Outcome.UNTESTED, Outcome.CANT_TELL),
        inapplicable_must=having(Outcome.INAPPLICABLE),
        passed_must=having(Outcome.PASSED),
        warnings=[
            r.id for r in members if r.level == "SHOULD" and outcomes[r.id] == Outcome.FAILED
        ],
        deviations=[r.id for r in members if r.id in deviating],
    )


def stale_deviations(
    outcomes: Mapping[str, Outcome], deviations: Mapping[str, KnownDeviation]
) -> list[str]:
    """Known deviations the product no longer shows (intermittent ones aside)."""
    return sorted(
        requirement_id
        for requirement_id, deviation in deviations.items()
        if not deviation.intermittent
        and requirement_id in outcomes
        and meets(outcomes[requirement_id])
    )


def rejudge(report: Report) -> Judgement:
    """Judge a report's check results again and list every place the report says otherwise."""
    judgement = judge(
        report.requirements,
        report.checks,
        [ProfileRef(p.standard, p.profile, p.version) for p in report.profiles],
        [r.id for r in report.requirements if r.known_deviation is not None],
    )
    mismatches: list[str] = []
    for requirement in report.requirements:
        outcome = judgement.outcomes[requirement.id]
        if requirement.outcome != outcome:
            mismatches.append(
                f"requirement {requirement.id}: report says {requirement.outcome.value}, "
                f"its checks give {outcome.value}"
            )
        if requirement.checks != judgement.covering[requirement.id]:
            mismatches.append(f"requirement {requirement.id}: list of covering checks differs")
    for stated, again in zip(report.profiles, judgement.profiles, strict=True):
        expected = again.as_verdict()
        for name in ("verdict", "counts", "failed_must", "unmet_must", "warnings"):
            if getattr(stated, name) != getattr(expected, name):
                mismatches.append(
                    f"profile {stated.profile}: claimed {name} {getattr(stated, name)!r} "
                    f"but the outcomes give {getattr(expected, name)!r}"
                )
    if report.verdict != judgement.verdict:
        mismatches.append(
            f"report claims verdict {report.verdict!r}; outcomes give {judgement.verdict!r}"
        )
    summary = judgement.summary
    if (
        report.summary.by_outcome != summary.by_outcome
        or report.summary.requirements != summary.requirements
    ):
        mismatches.append("summary counts differ from the requirement outcomes")
    if report.summary.checks != summary.checks:
        mismatches.append("summary check count differs from the checks listed")
    return Judgement(
        judgement.outcomes,
        judgement.covering,
        judgement.profiles,
        judgement.summary,
        judgement.verdict,
        mismatches,
    )
