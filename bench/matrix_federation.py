"""Benchmark: the Matrix federation checks (profile matrix-federation) against a real Synapse.

Starts Synapse once (process mode), then runs every ``suites/matrix/checks/test_federation_*``
module in one pytest session against it and prints, per area of requirements, the checks'
summed time, and the session's wall time (target: within 60 s on 2 cores).
The harness homeserver starts inside that session, on loopback.

    .venv/bin/python bench/matrix_federation.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree

import tomli_w

from conformance.candidate.launchers import launcher_of
from conformance.candidate.manifest import resolve_manifest
from conformance.locations import bundled_candidates_dir

PROJECT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 60.0


def main() -> None:
    checks = sorted((PROJECT / "suites" / "matrix" / "checks").glob("test_federation_*.py"))
    loaded = resolve_manifest("synapse", bundled_candidates_dir())
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        launcher = launcher_of(loaded, root / "candidate")
        began = time.perf_counter()
        running = launcher.start()
        started = time.perf_counter() - began
        try:
            # The running Synapse, reached as an endpoint (as the fault runner reaches it).
            data = loaded.manifest.model_dump(exclude_none=True)
            data["launch"] = {"kind": "endpoint", "values": dict(launcher.template_values)}
            data["endpoints"] = dict(running.endpoints)
            manifest = root / "synapse-endpoint.toml"
            manifest.write_bytes(tomli_w.dumps(data).encode())
            began = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "pytest", *map(str, checks), "--candidate", str(manifest),
                 "--output-root", str(root / "out"), "--campaign", "bench", "-q",
                 "-p", "no:cacheprovider", "-p", "no:xdist"],
                cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
            wall = time.perf_counter() - began
        finally:
            launcher.stop()
        report = json.loads((root / "out" / "bench" / loaded.manifest.id / "report.json")
                            .read_text())
        junit = ElementTree.parse(root / "out" / "bench" / loaded.manifest.id / "junit.xml")
    # Seconds per area of requirements (matrix.federation.<area>.*), from the JUnit report.
    per_area: dict[str, float] = defaultdict(float)
    for case in junit.iter("testcase"):
        name = str(case.get("name", ""))
        if name.startswith("matrix.federation."):
            per_area[name.split(".")[2]] += float(case.get("time") or 0.0)
    outcomes: dict[str, int] = defaultdict(int)
    for requirement in report["requirements"]:
        if requirement["id"].startswith("matrix.federation."):
            outcomes[requirement["outcome"]] += 1
    print(f"{'requirement area':<36} {'checks (s)':>10}")
    for area, seconds in sorted(per_area.items()):
        print(f"{area:<36} {seconds:>10.1f}")
    print(f"{'Synapse start':<36} {started:>10.1f}")
    verdict = "within" if wall <= TARGET_SECONDS else "OVER"
    print(f"{'federation session, wall':<36} {wall:>10.1f}  ({verdict} {TARGET_SECONDS:.0f} s)")
    print("requirements: " + ", ".join(f"{n} {o}" for o, n in sorted(outcomes.items())))


if __name__ == "__main__":
    main()
