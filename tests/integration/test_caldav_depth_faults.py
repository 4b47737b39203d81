"""The faults of the CalDAV depth requirements (``suites/caldav/faults_depth.py``: recurrence,
expansion, time zones, protected properties, COPY/MOVE, ACL, sync limits), each injected in
front of a real reference server, are caught. Each server starts once for its list; the
faults for rules Radicale breaks itself run in front of Xandikos, which keeps them."""

from __future__ import annotations

import pytest

from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir
from conformance.outcomes import Outcome
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import FaultResult, run_fault_catalogue
from suites.caldav.faults_depth import DEPTH_PROVEN_AGAINST

Run = tuple[dict[str, Outcome], list[FaultResult]]


# Radicale and Xandikos here; Cyrus and DAViCal in test_caldav_depth_faults_others.py, so
# that CI's two workers (--dist loadfile) run the two halves side by side.
CANDIDATES = ["radicale", "xandikos"]


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


def test_every_depth_fault_has_its_server() -> None:
    from tests.integration.test_caldav_depth_faults_others import CANDIDATES as OTHERS
    assert sorted([*CANDIDATES, *OTHERS]) == sorted(DEPTH_PROVEN_AGAINST)
