"""The federation faults (suites/matrix/faults_federation.py), each injected in front of one
shared real Synapse (or, for inbound faults, into the harness homeserver's reading of
Synapse's own requests), are caught; the clean run through the transparent proxy passes."""

from __future__ import annotations

import pytest

from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir
from conformance.outcomes import Outcome
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import FaultResult, run_fault_catalogue
from suites.matrix.faults_federation import FAULTS

Run = tuple[dict[str, Outcome], list[FaultResult]]


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    suite = discover_suites()["matrix"]
    loaded = resolve_manifest("synapse", bundled_candidates_dir())
    return run_fault_catalogue(loaded, suite, FAULTS, tmp_path_factory.mktemp("fed-faults"))


def test_federation_faults_are_named_once() -> None:
    assert len({f.name for f in FAULTS}) == len(FAULTS)
    assert all(f.breaks for f in FAULTS)


def test_clean_run_passes(fault_run: Run) -> None:
    clean, _ = fault_run
    assert {r: o for r, o in clean.items() if o != Outcome.PASSED} == {}


def test_every_federation_fault_is_caught(fault_run: Run) -> None:
    _, results = fault_run
    missed = {r.fault.name: (r.problem, {k: str(v) for k, v in r.outcomes.items()})
              for r in results if not r.caught}
    assert missed == {}
