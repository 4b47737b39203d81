"""The Matrix fault catalogue reaches every area of the suite: each family of requirements
(matrix.sync, matrix.media, matrix.keys, …) has at least one requirement that a fault breaks
(proven caught in tests/integration/test_matrix_faults.py), and the faults the issue names
(wrong errcode, missing next_batch, dropped limited, a non-JSON error, wrong status on an
unknown endpoint) are there. Synapse passes every requirement, so no real server's failure
stands in for a fault here."""

from __future__ import annotations

from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import load_faults

MINIMUM_FAULTS = 12
NAMED_IN_THE_ISSUE = {
    "matrix.auth.unknown-token",  # a wrong errcode
    "matrix.sync.initial",  # missing next_batch
    "matrix.sync.limited",  # dropped limited
    "matrix.error.format",  # a non-JSON error body
    "matrix.error.unrecognized-404",  # wrong status on an unknown endpoint
}


def family(requirement_id: str) -> str:
    return ".".join(requirement_id.split(".")[:2])


def test_every_family_has_a_fault() -> None:
    suite = discover_suites()["matrix"]
    broken = {r for fault in load_faults(suite) for r in fault.breaks}
    families = {family(r) for r in suite.catalogue.by_id}
    assert sorted(families - {family(r) for r in broken}) == []


def test_the_faults_the_issue_names_are_there() -> None:
    faults = load_faults(discover_suites()["matrix"])
    assert len(faults) >= MINIMUM_FAULTS
    assert {r for fault in faults for r in fault.breaks} >= NAMED_IN_THE_ISSUE
