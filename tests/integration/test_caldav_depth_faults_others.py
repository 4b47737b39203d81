"""The depth faults proven in front of Cyrus and DAViCal (``suites/caldav/faults_depth.py``):
the caldav-scheduling requirements, and core rules neither Radicale nor Xandikos keeps
(valid-calendar-data, the unauthenticated principal, supported-report-set on calendar object
resources). Each server starts once for its list."""

from __future__ import annotations

import pytest

from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir
from conformance.outcomes import Outcome
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import FaultResult, run_fault_catalogue
from suites.caldav.faults_depth import DEPTH_PROVEN_AGAINST

Run = tuple[dict[str, Outcome], list[FaultResult]]


# Cyrus and DAViCal here (the scheduling faults, and rules neither Radicale nor Xandikos
# keeps); Radicale and Xandikos in test_caldav_depth_faults.py.
CANDIDATES = ["cyrus", "davical"]


@pytest.fixture(scope="module", params=CANDIDATES)
def depth_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    candidate = str(request.param)
    suite = discover_suites()["caldav"]
    loaded = resolve_manifest(candidate, bundled_candidates_dir())
    return run_fault_catalogue(loaded, suite, DEPTH_PROVEN_AGAINST[candidate],
                               tmp_path_factory.mktemp(f"depth-faults-{candidate}"))


def test_clean_run_through_the_proxy_passes(depth_run: Run) -> None:
    clean, _ = depth_run
    assert {r: str(o) for r, o in clean.items() if o != Outcome.PASSED} == {}


def test_every_depth_fault_is_caught(depth_run: Run) -> None:
    _, results = depth_run
    missed = {
        r.fault.name: (r.problem, {k: str(v) for k, v in r.outcomes.items()})
        for r in results
        if not r.caught
    }
    assert missed == {}
