"""From a run's events to its report: a pure fold, so a crashed run can be rebuilt from its
journal and gives the same report as the run itself."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from conformance.outcomes import Outcome
from conformance.report.events import (
    CheckFinished,
    ObservationMade,
    RunEnded,
    RunEventRecorded,
    RunEventType,
    RunStarted,
)
from conformance.report.judge import ProfileRef, judge, stale_deviations
from conformance.report.model import (
    CheckResult,
    Report,
    RequirementResult,
    RunEvent,
    RunInfo,
)


def build_report(events: Iterable[RunEventType]) -> Report:
    header: RunStarted | None = None
    checks: list[CheckResult] = []
    incidents: list[RunEvent] = []
    observed: dict[str, Any] = {}
    end: RunEnded | None = None
    for event in events:
        if isinstance(event, RunStarted):
            header = event
        elif isinstance(event, CheckFinished):
            checks.append(event.check)
        elif isinstance(event, RunEventRecorded):
            incidents.append(event.event)
        elif isinstance(event, ObservationMade):
            observed[event.observation.name] = event.observation.value
        elif isinstance(event, RunEnded):
            end = event
    if header is None:
        raise ValueError("a run's events begin with RunStarted")

    candidate = header.candidate.model_copy(update={"observed": observed})
    if end is not None and end.artefacts:
        candidate = candidate.model_copy(update={"artefacts": end.artefacts})
    judgement = judge(
        header.requirements,
        checks,
        [ProfileRef(p.standard, p.id, p.version) for p in header.profiles],
        candidate.known_deviations,
    )
    by_requirement: dict[str, list[CheckResult]] = defaultdict(list)
    for check in checks:
        for requirement_id in check.requirements:
            by_requirement[requirement_id].append(check)
    depends: dict[str, list[str]] = defaultdict(list)
    for setting in candidate.test_mode:
        for requirement_id in setting.requirements:
            depends[requirement_id].append(setting.name)
    results = []
    for info in header.requirements:
        covering = by_requirement.get(info.id, [])
        results.append(
            RequirementResult(
                **info.model_dump(),
                outcome=judgement.outcomes[info.id],
                checks=judgement.covering[info.id],
                findings=[c for c in covering if c.outcome in (Outcome.FAILED, Outcome.CANT_TELL)],
                known_deviation=candidate.known_deviations.get(info.id),
                test_mode=depends.get(info.id, []),
            )
        )
    finished = end.finished if end else (incidents[-1].at if incidents else None)
    run = RunInfo(
        started=header.started,
        finished=finished,
        duration_seconds=_seconds_between(header.started, finished),
        complete=bool(end and end.complete),
        stop_reason=end.stop_reason if end else "run ended without a closing record",
        seeds=header.seeds,
        selected_requirements=header.selected_requirements,
        start_parameters=end.start_parameters if end else header.start_parameters,
        events=incidents,
        measurements=end.measurements if end else {},
    )
    return Report(
        harness=header.harness,
        campaign=header.campaign,
        candidate=candidate,
        suites=header.suites,
        run=run,
        profiles=[p.as_verdict() for p in judgement.profiles],
        requirements=results,
        checks=checks,
        summary=judgement.summary,
        verdict=judgement.verdict,
        stale_deviations=stale_deviations(judgement.outcomes, candidate.known_deviations),
    )


def _seconds_between(start: str, end: str | None) -> float | None:
    if end is None:
        return None
    return round((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds(), 3)
