"""Every fault of the CalDAV fault catalogue, injected in front of a real reference server, is
caught. Most run in front of Radicale; the faults for rules Radicale itself breaks run in front
of Xandikos, which keeps them (``suites/caldav/faults.py``: ``PROVEN_AGAINST``)."""

from __future__ import annotations

import pytest

from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir
from conformance.outcomes import Outcome
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import FaultResult, load_faults, run_fault_catalogue
from suites.caldav.faults import PROVEN_AGAINST
from suites.caldav.faults_depth import DEPTH_PROVEN_AGAINST

MINIMUM_FAULTS = 12
CANDIDATES = sorted(PROVEN_AGAINST)
Run = tuple[dict[str, Outcome], list[FaultResult]]


@pytest.fixture(scope="module", params=CANDIDATES)
def fault_run(request: pytest.FixtureRequest,
              tmp_path_factory: pytest.TempPathFactory) -> Run:
    candidate = str(request.param)
    suite = discover_suites()["caldav"]
    loaded = resolve_manifest(candidate, bundled_candidates_dir())
    return run_fault_catalogue(loaded, suite, PROVEN_AGAINST[candidate],
                               tmp_path_factory.mktemp(f"faults-{candidate}"))


def test_catalogue_is_large_enough() -> None:
    faults = load_faults(discover_suites()["caldav"])
    assert len(faults) >= MINIMUM_FAULTS
    assert len({f.name for f in faults}) == len(faults), "fault names must be unique"
    assert all(f.breaks for f in faults), "every fault names the requirements it must break"


def test_every_fault_is_proven_against_one_reference() -> None:
    declared = [f.name for f in load_faults(discover_suites()["caldav"])]
    # The depth faults are proven in test_caldav_depth_faults.py (DEPTH_PROVEN_AGAINST).
    lists = [*PROVEN_AGAINST.values(), *DEPTH_PROVEN_AGAINST.values()]
    proven = [f.name for faults in lists for f in faults]
    assert sorted(proven) == sorted(declared)


def test_clean_run_through_the_proxy_passes(fault_run: Run) -> None:
    clean, _ = fault_run
    not_passing = {r: o for r, o in clean.items() if o != Outcome.PASSED}
    assert not_passing == {}


def test_every_fault_is_caught(fault_run: Run) -> None:
    _, results = fault_run
    missed = {
        r.fault.name: (r.problem, {k: str(v) for k, v in r.outcomes.items()})
        for r in results
        if not r.caught
    }
    assert missed == {}
