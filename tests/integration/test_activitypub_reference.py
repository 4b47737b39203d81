"""The ActivityPub suite against the real bovine-herd: every requirement that does not pass is
a documented known deviation of the manifest (with its spec reference)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir, project_root
from conformance.suite.discovery import discover_suites

# Optional features bovine-herd does not offer: their checks must come out inapplicable.
INAPPLICABLE_ON_BOVINE = {"activitypub.actor.shared-inbox": "inapplicable"}


def test_bovine_herd_fails_only_where_documented(tmp_path: Path) -> None:
    suite = discover_suites()["activitypub"]
    loaded = resolve_manifest("bovine-herd", bundled_candidates_dir())
    subprocess.run(
        [sys.executable, "-m", "pytest", str(suite.directory), "--candidate", str(loaded.path),
         "--campaign", "reference", "--output-root", str(tmp_path), "--rootdir",
         str(project_root()), "-p", "no:cacheprovider", "-q", "--seed", "1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    report = json.loads((tmp_path / "reference" / "bovine-herd" / "report.json").read_text())
    # A known deviation whose requirement now passes (or does not apply) is stale: the
    # manifest would excuse a failure that no longer happens.
    assert report["stale_deviations"] == []
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    documented = {d.requirement for d in loaded.manifest.known_deviations}
    assert all(d.reference for d in loaded.manifest.known_deviations)
    inapplicable = {r: o for r, o in outcomes.items() if r in INAPPLICABLE_ON_BOVINE}
    assert inapplicable == INAPPLICABLE_ON_BOVINE
    # ...and only through the signal the standard defines (no sharedInbox advertised).
    signals = {c["signal"] for c in report["checks"] if c["outcome"] == "inapplicable"}
    assert signals == {"endpoints.sharedInbox not advertised (ActivityPub §4.1, optional)"}
    not_passing = {r: o for r, o in outcomes.items()
                   if o != "passed" and r not in INAPPLICABLE_ON_BOVINE}
    assert set(not_passing) == documented, not_passing
    assert set(not_passing.values()) == {"failed"}
    assert len(outcomes) >= 35
