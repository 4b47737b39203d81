"""From journal entries to a report: outcomes per requirement and the profile verdict."""

from __future__ import annotations

from typing import Any

from conformance.outcomes import Outcome
from conformance.report.console import render_summary
from conformance.report.model import Report
from tests.helpers import (
    FINISHED,
    STARTED,
    Req,
    check_entry,
    end_entry,
    event_entry,
    report_from,
    start_entry,
)

MUSTS = [Req("demo.m1"), Req("demo.m2")]


def build(requirements: list[Req], *checks: dict[str, Any], **header: Any) -> Report:
    return report_from([start_entry(requirements, **header), *checks, end_entry()])


def outcomes(report: Report) -> dict[str, Outcome]:
    return {r.id: r.outcome for r in report.requirements}


def test_all_musts_passed_is_a_pass() -> None:
    report = build(MUSTS, check_entry("t::a", ["demo.m1"], "passed"),
                   check_entry("t::b", ["demo.m2"], "passed"))
    assert outcomes(report) == {"demo.m1": Outcome.PASSED, "demo.m2": Outcome.PASSED}
    (verdict,) = report.profiles
    assert (verdict.profile, verdict.verdict) == ("core", "pass")
    assert verdict.counts == {"MUST": {"passed": 2}}
    assert report.verdict == "pass"
    assert report.summary.requirements == 2
    assert report.summary.checks == 2
    assert report.summary.by_outcome["passed"] == 2


def test_requirement_outcome_aggregates_its_checks() -> None:
    report = build(
        MUSTS,
        check_entry("t::a1", ["demo.m1"], "passed"),
        check_entry("t::a2", ["demo.m1"], "failed", "wrong status"),
        # One check may cover two requirements.
        check_entry("t::both", ["demo.m1", "demo.m2"], "passed"),
    )
    m1, m2 = report.requirements
    assert m1.outcome is Outcome.FAILED
    assert m1.checks == ["t::a1", "t::a2", "t::both"]
    assert [f.nodeid for f in m1.findings] == ["t::a2"]
    assert m1.findings[0].message == "wrong status"
    assert m2.outcome is Outcome.PASSED
    assert m2.findings == []
    assert report.profiles[0].failed_must == ["demo.m1"]
    assert report.verdict == "fail"


def test_inapplicable_must_does_not_block_the_profile() -> None:
    report = build(MUSTS, check_entry("t::a", ["demo.m1"], "passed"),
                   check_entry("t::b", ["demo.m2"], "inapplicable", "no tasks"))
    assert report.profiles[0].verdict == "pass"
    assert report.requirements[1].outcome is Outcome.INAPPLICABLE


def test_a_profile_whose_musts_are_all_inapplicable_does_not_pass() -> None:
    report = build(MUSTS, check_entry("t::a", ["demo.m1"], "inapplicable", "no tasks"),
                   check_entry("t::b", ["demo.m2"], "inapplicable", "no tasks"))
    (verdict,) = report.profiles
    assert verdict.verdict == "fail"
    assert (verdict.failed_must, verdict.unmet_must) == ([], [])
    assert report.verdict == "fail"


def test_untested_must_fails_the_profile() -> None:
    report = build(MUSTS, check_entry("t::a", ["demo.m1"], "passed"))
    assert outcomes(report)["demo.m2"] is Outcome.UNTESTED
    verdict = report.profiles[0]
    assert verdict.verdict == "fail"
    assert verdict.unmet_must == ["demo.m2"]
    assert verdict.failed_must == []
    assert report.verdict == "fail"


def test_cant_tell_must_fails_the_profile() -> None:
    report = build(MUSTS, check_entry("t::a", ["demo.m1"], "passed"),
                   check_entry("t::b", ["demo.m2"], "cantTell", "could not create a calendar"))
    verdict = report.profiles[0]
    assert verdict.verdict == "fail"
    assert verdict.unmet_must == ["demo.m2"]
    assert report.requirements[1].findings[0].message == "could not create a calendar"


def test_a_profile_with_no_musts_does_not_pass() -> None:
    report = build([Req("demo.s", "SHOULD")], check_entry("t::s", ["demo.s"], "passed"))
    assert report.profiles[0].verdict == "fail"


def test_failed_should_is_a_warning_not_a_failure() -> None:
    reqs = [*MUSTS, Req("demo.s", "SHOULD"), Req("demo.may", "MAY")]
    report = build(
        reqs,
        check_entry("t::a", ["demo.m1"], "passed"),
        check_entry("t::b", ["demo.m2"], "passed"),
        check_entry("t::s", ["demo.s"], "failed", "no ETag"),
        check_entry("t::may", ["demo.may"], "failed", "optional feature broken"),
    )
    verdict = report.profiles[0]
    assert verdict.verdict == "pass"
    assert verdict.warnings == ["demo.s"]
    assert verdict.failed_must == []
    assert verdict.counts["SHOULD"] == {"failed": 1}
    assert report.verdict == "pass"
    # The failure is still reported as a failure of that requirement.
    assert outcomes(report)["demo.s"] is Outcome.FAILED


def test_known_deviation_stays_failed_and_is_attached() -> None:
    deviation = {"demo.m2": {"reason": "upstream bug", "reference": "https://example.org/1"}}
    report = build(
        MUSTS,
        check_entry("t::a", ["demo.m1"], "passed"),
        check_entry("t::b", ["demo.m2"], "failed", "wrong"),
        known_deviations=deviation,
    )
    m1, m2 = report.requirements
    assert m2.outcome is Outcome.FAILED
    assert m2.known_deviation is not None and m2.known_deviation.reason == "upstream bug"
    assert m1.known_deviation is None
    assert report.profiles[0].verdict == "fail"
    assert report.profiles[0].failed_must == ["demo.m2"]


def test_profiles_only_count_their_own_requirements() -> None:
    reqs = [Req("demo.m1", profiles=("core",)), Req("demo.x", profiles=("extra",))]
    report = build(reqs, check_entry("t::a", ["demo.m1"], "passed"), profiles=("core", "extra"))
    by_profile = {v.profile: v for v in report.profiles}
    assert by_profile["core"].verdict == "pass"
    assert by_profile["extra"].verdict == "fail"
    assert by_profile["extra"].unmet_must == ["demo.x"]
    assert report.verdict == "fail"  # every claimed profile must pass


def test_run_info_of_a_complete_run() -> None:
    report = build(MUSTS, check_entry("t::a", ["demo.m1"], "passed"))
    run = report.run
    assert run.complete is True
    assert run.stop_reason is None
    assert (run.started, run.finished) == (STARTED, FINISHED)
    assert run.duration_seconds == 5.5
    assert run.seeds == {"hypothesis": 42}


def test_journal_without_end_entry_is_an_incomplete_run() -> None:
    entries = [
        start_entry(MUSTS),
        check_entry("t::a", ["demo.m1"], "passed"),
        event_entry("candidate-exited", "candidate died"),
    ]
    report = report_from(entries)
    assert report.run.complete is False
    assert report.run.stop_reason  # says why, never silent
    assert report.run.finished == "2026-01-01T10:00:03.000+00:00"  # the last thing seen
    assert [e.kind for e in report.run.events] == ["candidate-exited"]
    # What was recorded before the crash is kept.
    assert outcomes(report) == {"demo.m1": Outcome.PASSED, "demo.m2": Outcome.UNTESTED}
    assert report.verdict == "fail"


def test_end_entry_with_stop_reason() -> None:
    entries = [start_entry(MUSTS), end_entry(complete=False, stop_reason="interrupted")]
    report = report_from(entries)
    assert report.run.complete is False
    assert report.run.stop_reason == "interrupted"


def test_report_json_round_trips() -> None:
    deviation = {"demo.m2": {"reason": "upstream bug", "reference": "https://example.org/1"}}
    evidence = {"exchanges": [], "exchangeCount": 3, "notes": ["n"]}
    report = build(
        MUSTS,
        check_entry("t::a", ["demo.m1"], "passed"),
        check_entry("t::b", ["demo.m2"], "failed", "wrong", evidence=evidence),
        known_deviations=deviation,
    )
    again = Report.model_validate_json(report.model_dump_json())
    assert again == report
    assert again.requirements[1].findings[0].evidence["exchangeCount"] == 3


def test_a_deviation_whose_requirement_passes_is_stale() -> None:
    deviations = {
        "demo.m1": {"reason": "fails it", "reference": "§1"},
        "demo.m2": {"reason": "fails it", "reference": "§2"},
        "demo.s1": {"reason": "sometimes", "reference": "§3", "intermittent": True},
    }
    report = build(
        [*MUSTS, Req("demo.s1", "SHOULD")],
        check_entry("t::a", ["demo.m1"], "passed"),
        check_entry("t::b", ["demo.m2"], "failed", "still broken"),
        check_entry("t::c", ["demo.s1"], "passed"),
        known_deviations=deviations,
    )
    # demo.m2 still fails (not stale); demo.s1 passes but is declared intermittent.
    assert report.stale_deviations == ["demo.m1"]
    assert "stale known deviations" in render_summary(report, 200)
