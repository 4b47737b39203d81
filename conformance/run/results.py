"""How one check's pytest phases become a check result with its outcome and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conformance.check.evidence import EvidenceLog, excerpt
from conformance.check.verdicts import CantTell, CheckFailure, NotApplicable
from conformance.outcomes import Outcome
from conformance.report.model import CheckResult

VALUE_LIMIT = 500


@dataclass
class Phase:
    report: pytest.TestReport
    error: BaseException | None


def _leaves(error: BaseException) -> list[BaseException]:
    # Hypothesis may raise several distinct failures at once as an exception group.
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in _leaves(inner)]
    return [error]


def _shown(value: Any) -> str | None:
    return None if value is None else excerpt(repr(value), VALUE_LIMIT)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _classify(
    error: BaseException | None, report: pytest.TestReport
) -> tuple[Outcome, str, Any, Any]:
    leaves = _leaves(error) if error is not None else []
    failures = [e for e in leaves if isinstance(e, AssertionError)]
    if failures:
        failure = failures[0]
        if isinstance(failure, CheckFailure):
            return Outcome.FAILED, failure.message, failure.expected, failure.actual
        text = str(failure) or report.longreprtext.strip().splitlines()[-1]
        return Outcome.FAILED, text, None, None
    undecided = [e for e in leaves if isinstance(e, CantTell)]
    if undecided:
        return Outcome.CANT_TELL, str(undecided[0]), None, None
    if leaves:
        first = leaves[0]
        return (
            Outcome.CANT_TELL,
            f"check could not complete: {type(first).__name__}: {first}",
            None,
            None,
        )
    return Outcome.CANT_TELL, report.longreprtext.strip()[-VALUE_LIMIT:], None, None


def _skipped(phase: Phase) -> tuple[Outcome, str, str | None]:
    """A skip is inapplicable only when the check named the signal that showed it."""
    if isinstance(phase.error, NotApplicable):
        return Outcome.INAPPLICABLE, phase.error.reason, phase.error.signal
    reason = _skip_reason(phase.report)
    return (
        Outcome.CANT_TELL,
        f"skipped without a signal that the requirement does not apply: {reason}",
        None,
    )


def check_result_from_phases(
    nodeid: str, requirements: list[str], phases: dict[str, Phase], evidence: EvidenceLog
) -> CheckResult:
    setup, call, teardown = phases.get("setup"), phases.get("call"), phases.get("teardown")
    duration = sum(phase.report.duration for phase in phases.values())
    expected = actual = signal = None
    if setup is not None and setup.report.skipped:
        outcome, message, signal = _skipped(setup)
    elif setup is not None and setup.report.failed:
        outcome, message, expected, actual = _classify(setup.error, setup.report)
        # A check whose preconditions could not be set up did not decide anything.
        outcome, message = Outcome.CANT_TELL, f"setup failed: {message}"
    elif call is None:
        outcome, message = Outcome.UNTESTED, "the check did not run"
    elif call.report.passed:
        outcome, message = Outcome.PASSED, ""
    elif call.report.skipped:
        outcome, message, signal = _skipped(call)
    else:
        outcome, message, expected, actual = _classify(call.error, call.report)
    if teardown is not None and teardown.report.failed:
        evidence.note(f"teardown failed: {teardown.error!r}")
    # Every verdict carries the exchanges behind it, passes too (bounded, secrets redacted).
    return CheckResult(
        nodeid=nodeid,
        requirements=requirements,
        outcome=outcome,
        duration_seconds=round(duration, 4),
        message=excerpt(message, 2000),
        expected=_shown(expected),
        actual=_shown(actual),
        signal=signal,
        evidence=evidence.to_dict(),
    )
