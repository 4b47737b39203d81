"""The label policy, rule by rule, each with its negative case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance.registry.lifecycle import LabelEvent, failed_campaign_event, status_at
from conformance.report.judge import rejudge
from conformance.trust.policy import Decision, LabelPolicy, PolicyError, add_months, decide
from tests.helpers import Req
from tests.unit.signing_support import SIGNED_AT, make_report

POLICY = LabelPolicy()
ALL_PASSED = {"demo.m1": "passed", "demo.m2": "passed", "demo.s1": "passed"}


def decision(
    outcomes: dict[str, str] | None = None, role: str | None = "auditor", **kw: Any
) -> Decision:
    report = make_report(outcomes or ALL_PASSED, **kw)
    (only,) = decide(report, role, SIGNED_AT, POLICY)
    return only


def test_official_campaign_all_musts_passed_by_auditor_is_awarded() -> None:
    awarded = decision()
    assert awarded.award and awarded.reasons == []
    assert awarded.valid_until == datetime(2028, 1, 1, 10, 0, 6, tzinfo=UTC)


def test_self_assessment_never_awards() -> None:
    denied = decision(kind="self-assessment")
    assert not denied.award
    assert any("self-assessment never awards" in r for r in denied.reasons)


@pytest.mark.parametrize("role", ["vendor", None])
def test_only_an_auditor_key_awards(role: str | None) -> None:
    denied = decision(role=role)
    assert not denied.award
    assert any("only an accredited auditor's key" in r for r in denied.reasons)


def test_failed_must_denies() -> None:
    denied = decision({**ALL_PASSED, "demo.m2": "failed"})
    assert not denied.award and denied.failed_must
    assert any("failed: demo.m2" in r for r in denied.reasons)


@pytest.mark.parametrize("outcome", ["untested", "cantTell"])
def test_untested_or_undecided_must_denies(outcome: str) -> None:
    denied = decision({**ALL_PASSED, "demo.m2": outcome})
    assert not denied.award and not denied.failed_must
    assert any("untested or undecided: demo.m2" in r for r in denied.reasons)


def test_inapplicable_must_is_met_but_listed() -> None:
    awarded = decision({**ALL_PASSED, "demo.m2": "inapplicable"})
    assert awarded.award
    assert awarded.inapplicable_must == ["demo.m2"]


def test_all_musts_inapplicable_is_denied() -> None:
    denied = decision({"demo.m1": "inapplicable", "demo.m2": "inapplicable", "demo.s1": "passed"})
    assert not denied.award
    assert "no MUST requirement of the profile passed" in denied.reasons


def test_should_failure_is_a_warning_not_a_denial() -> None:
    awarded = decision({**ALL_PASSED, "demo.s1": "failed"})
    assert awarded.award
    assert awarded.warnings == ["demo.s1"]
    clean = decision()
    assert clean.warnings == []


def test_known_deviation_never_turns_a_failed_must_into_a_pass() -> None:
    deviation = {"demo.m2": {"reason": "by design", "reference": "ticket 1"}}
    denied = decision({**ALL_PASSED, "demo.m2": "failed"}, known_deviations=deviation)
    assert not denied.award and denied.deviations == ["demo.m2"]
    # A deviation on a passed requirement is shown and changes nothing.
    assert decision(known_deviations=deviation).award


def test_incomplete_run_is_denied() -> None:
    denied = decision(complete=False)
    assert any("did not complete" in r for r in denied.reasons)


def test_contradictory_report_is_denied() -> None:
    report = make_report(ALL_PASSED)
    lying = report.model_copy(update={"summary": report.summary.model_copy(update={"checks": 9})})
    (denied,) = decide(lying, "auditor", SIGNED_AT, POLICY)
    assert "the report's stated results differ from its own check results" in denied.reasons


def test_validity_period_is_configurable() -> None:
    report = make_report(ALL_PASSED)
    (short,) = decide(report, "auditor", SIGNED_AT, LabelPolicy(validity_months=6))
    assert short.valid_until == datetime(2026, 7, 1, 10, 0, 6, tzinfo=UTC)
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)


OUTCOMES = st.sampled_from(["passed", "failed", "cantTell", "inapplicable", "untested"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["MUST", "SHOULD", "MAY"]), OUTCOMES), max_size=6))
def test_recomputation_agrees_with_the_report_builder(
    levels_and_outcomes: list[tuple[str, str]],
) -> None:
    requirements = [Req(f"demo.r{i}", level=lvl) for i, (lvl, _) in enumerate(levels_and_outcomes)]
    outcomes = {f"demo.r{i}": o for i, (_, o) in enumerate(levels_and_outcomes)}
    report = make_report(outcomes, requirements=requirements or [Req("demo.x")])
    again = rejudge(report)
    assert again.mismatches == []
    assert again.verdict == report.verdict
    assert [p.verdict for p in again.profiles] == [p.verdict for p in report.profiles]


# --- status over time ----------------------------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)
UNTIL = T0 + timedelta(days=730)


def event(action: str, days: float, **kw: object) -> LabelEvent:
    return LabelEvent("demo/demo/core", action, T0 + timedelta(days=days), "auditor", "why", **kw)  # type: ignore[arg-type]


AWARD = event("award", 0, report_digest="sha256:a", valid_until=UNTIL)


def test_status_follows_suspend_reinstate_withdraw() -> None:
    history = [AWARD, event("suspend", 10), event("reinstate", 20), event("withdraw", 30)]
    assert status_at(history, T0 - timedelta(days=1)).status == "none"
    assert status_at(history, T0 + timedelta(days=5)).status == "awarded"
    assert status_at(history, T0 + timedelta(days=15)).status == "suspended"
    assert status_at(history, T0 + timedelta(days=25)).status == "awarded"
    assert status_at(history, T0 + timedelta(days=35)).status == "withdrawn"


def test_expiry_is_automatic() -> None:
    assert status_at([AWARD], UNTIL - timedelta(seconds=1)).status == "awarded"
    expired = status_at([AWARD], UNTIL)
    assert (expired.status, expired.reason) == ("expired", "validity period ended")
    renewed = [
        AWARD,
        event("award", 700, report_digest="sha256:b", valid_until=UNTIL + timedelta(days=700)),
    ]
    assert status_at(renewed, UNTIL + timedelta(days=1)).status == "awarded"


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ([event("suspend", 0)], "cannot suspend a label that is none"),
        ([AWARD, event("reinstate", 1)], "cannot reinstate a label that is awarded"),
        ([AWARD, event("withdraw", 1), event("suspend", 2)], "that is withdrawn"),
        ([AWARD, event("withdraw", 1), event("reinstate", 2)], "that is withdrawn"),
        ([AWARD, event("suspend", 800)], "that is expired"),
    ],
)
def test_impossible_transitions_are_refused(history: list[LabelEvent], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        status_at(history, T0 + timedelta(days=900))


def test_failed_campaign_withdraws_by_default() -> None:
    failed = failed_campaign_event("demo/demo/core", T0 + timedelta(days=100), "a", "d", POLICY)
    assert failed.grace_until is None
    assert status_at([AWARD, failed], T0 + timedelta(days=101)).status == "withdrawn"


def test_failed_campaign_can_suspend_with_a_grace_period() -> None:
    policy = LabelPolicy(on_failed_campaign="suspend", grace_days=30)
    failed = failed_campaign_event("demo/demo/core", T0 + timedelta(days=100), "a", "d", policy)
    history = [AWARD, failed]
    assert status_at(history, T0 + timedelta(days=110)).status == "suspended"
    after = status_at(history, T0 + timedelta(days=131))
    assert after.status == "withdrawn" and "grace period" in after.reason
    # Remedied in time: a new passing official campaign renews the label.
    fixed = [*history, event("award", 120, report_digest="sha256:c", valid_until=UNTIL)]
    assert status_at(fixed, T0 + timedelta(days=131)).status == "awarded"
    # Or an auditor reinstates it by hand within the grace period.
    reinstated = [*history, event("reinstate", 125)]
    assert status_at(reinstated, T0 + timedelta(days=200)).status == "awarded"
