"""From journal entries to a report: a pure function, so a crashed run can be rebuilt."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from conformance.check.observations import observed_in
from conformance.outcomes import Outcome, aggregate, meets
from conformance.report.model import (
    ArtefactInfo,
    CampaignInfo,
    CandidateInfo,
    CheckResult,
    HarnessInfo,
    ProfileInfo,
    ProfileVerdict,
    Report,
    RequirementInfo,
    RequirementResult,
    RunEvent,
    RunInfo,
    SuiteInfo,
    Summary,
)


def build_report(entries: list[dict[str, Any]]) -> Report:
    header = entries[0]
    checks = [CheckResult.model_validate(e["check"]) for e in entries if e["type"] == "check"]
    events = [RunEvent.model_validate(e["event"]) for e in entries if e["type"] == "event"]
    end = next((e for e in reversed(entries) if e["type"] == "end"), None)

    candidate = CandidateInfo.model_validate(
        {**header["candidate"], "observed": observed_in(entries)}
    )
    requirements = [RequirementInfo.model_validate(r) for r in header["requirements"]]
    profiles = [ProfileInfo.model_validate(p) for p in header["profiles"]]

    by_requirement: dict[str, list[CheckResult]] = defaultdict(list)
    for check in checks:
        for requirement_id in check.requirements:
            by_requirement[requirement_id].append(check)

    depends: dict[str, list[str]] = defaultdict(list)
    for setting in candidate.test_mode:
        for requirement_id in setting.requirements:
            depends[requirement_id].append(setting.name)

    results = []
    for info in requirements:
        covering = by_requirement.get(info.id, [])
        outcome = aggregate(check.outcome for check in covering)
        results.append(
            RequirementResult(
                **info.model_dump(),
                outcome=outcome,
                checks=[check.nodeid for check in covering],
                findings=[c for c in covering if c.outcome in (Outcome.FAILED, Outcome.CANT_TELL)],
                known_deviation=candidate.known_deviations.get(info.id),
                test_mode=depends.get(info.id, []),
            )
        )

    verdicts = [_profile_verdict(profile, results) for profile in profiles]
    started = header["started"]
    finished = end["finished"] if end else (events[-1].at if events else None)
    run = RunInfo(
        started=started,
        finished=finished,
        duration_seconds=_seconds_between(started, finished),
        complete=bool(end and end.get("complete")),
        stop_reason=end.get("stop_reason") if end else "run ended without a closing record",
        seeds=header.get("seeds", {}),
        selected_requirements=header.get("selected_requirements"),
        start_parameters=(end or {}).get("start_parameters", header.get("start_parameters", {})),
        events=events,
        measurements=(end or {}).get("measurements", {}),
    )
    # Artefact digests resolved at launch (a container image's) replace the declared ones.
    if end and end.get("artefacts"):
        resolved = [ArtefactInfo.model_validate(a) for a in end["artefacts"]]
        candidate = candidate.model_copy(update={"artefacts": resolved})

    by_outcome: dict[str, int] = {outcome.value: 0 for outcome in Outcome}
    for result in results:
        by_outcome[result.outcome.value] += 1
    return Report(
        harness=HarnessInfo.model_validate(header["harness"]),
        campaign=CampaignInfo.model_validate(header["campaign"]),
        candidate=candidate,
        suites=[SuiteInfo.model_validate(s) for s in header["suites"]],
        run=run,
        profiles=verdicts,
        requirements=results,
        checks=checks,
        summary=Summary(requirements=len(results), by_outcome=by_outcome, checks=len(checks)),
        verdict="pass" if verdicts and all(v.verdict == "pass" for v in verdicts) else "fail",
    )


def _profile_verdict(profile: ProfileInfo, results: list[RequirementResult]) -> ProfileVerdict:
    members = [r for r in results if r.standard == profile.standard and profile.id in r.profiles]
    counts: dict[str, dict[str, int]] = {}
    for result in members:
        level = counts.setdefault(result.level, {})
        level[result.outcome.value] = level.get(result.outcome.value, 0) + 1
    must = [r for r in members if r.level == "MUST"]
    failed_must = [r.id for r in must if r.outcome == Outcome.FAILED]
    unmet_must = [r.id for r in must if r.outcome in (Outcome.UNTESTED, Outcome.CANT_TELL)]
    warnings = [r.id for r in members if r.level == "SHOULD" and r.outcome == Outcome.FAILED]
    # Known deviations are shown, never counted as passes.
    passes = bool(must) and all(meets(r.outcome) for r in must)
    return ProfileVerdict(
        standard=profile.standard,
        profile=profile.id,
        version=profile.version,
        verdict="pass" if passes else "fail",
        counts=counts,
        failed_must=failed_must,
        unmet_must=unmet_must,
        warnings=warnings,
    )


def _seconds_between(start: str, end: str | None) -> float | None:
    if end is None:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 3)
