"""Every fault of the Matrix fault catalogue, injected in front of a real Synapse, is caught."""

from __future__ import annotations

import pytest

from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir
from conformance.outcomes import Outcome
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import FaultResult, load_faults, run_fault_catalogue
from suites.matrix.faults_e2ee import FAULTS as E2EE_FAULTS
from suites.matrix.faults_federation import FAULTS as FEDERATION_FAULTS

MINIMUM_FAULTS = 12


@pytest.fixture(scope="module")
def fault_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, Outcome], list[FaultResult]]:
    suite = discover_suites()["matrix"]
    loaded = resolve_manifest("synapse", bundled_candidates_dir())
    # The federation faults run in test_matrix_federation.py, beside the harness homeserver.
    federation = {f.name for f in FEDERATION_FAULTS}
    faults = [f for f in load_faults(suite) if f.name not in federation]
    return run_fault_catalogue(loaded, suite, faults, tmp_path_factory.mktemp("faults"))


def test_catalogue_is_large_enough() -> None:
    faults = load_faults(discover_suites()["matrix"])
    assert len(faults) >= MINIMUM_FAULTS
    assert len({f.name for f in faults}) == len(faults), "fault names must be unique"
    assert all(f.breaks for f in faults), "every fault names the requirements it must break"


def test_clean_run_through_the_proxy_passes(
    fault_run: tuple[dict[str, Outcome], list[FaultResult]],
) -> None:
    clean, _ = fault_run
    not_passing = {r: o for r, o in clean.items() if o != Outcome.PASSED}
    assert not_passing == {}


def test_every_fault_is_caught(fault_run: tuple[dict[str, Outcome], list[FaultResult]]) -> None:
    _, results = fault_run
    missed = {
        r.fault.name: (r.problem, {k: str(v) for k, v in r.outcomes.items()})
        for r in results
        if not r.caught
    }
    assert missed == {}


def test_end_to_end_encryption_faults_are_each_caught(
    fault_run: tuple[dict[str, Outcome], list[FaultResult]],
) -> None:
    # faults_e2ee.py joins the one campaign above (same Synapse start); each of its faults
    # must have run there and been caught.
    _, results = fault_run
    caught = {r.fault.name: r.caught for r in results}
    assert {f.name: caught.get(f.name) for f in E2EE_FAULTS} == {
        f.name: True for f in E2EE_FAULTS
    }
