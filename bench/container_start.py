"""Benchmark: containers vs processes for the reference candidates.

Prints start-to-ready time per reference image (median of --repeat starts) and the campaign
wall time of the candidate's suites in container mode vs process mode (target: container
within 2x), for every container manifest under fixtures/candidates/containers.

    .venv/bin/python bench/container_start.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conformance.candidate.launchers import launcher_of
from conformance.candidate.manifest import load_manifest
from conformance.locations import bundled_candidates_dir

PROJECT = Path(__file__).resolve().parents[1]


def start_to_ready(manifest: Path, repeat: int) -> float:
    loaded = load_manifest(manifest)
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as output:
            launcher = launcher_of(loaded, Path(output))
            began = time.perf_counter()
            launcher.start()
            times.append(time.perf_counter() - began)
            launcher.stop()
    return statistics.median(times)


def campaign_wall(manifest: Path) -> float:
    suites = [str(PROJECT / "suites" / s) for s in load_manifest(manifest).manifest.claims]
    with tempfile.TemporaryDirectory() as output:
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", *suites, "--candidate",
             str(manifest), "--output-root", output, "-q", "-p", "no:cacheprovider"],
            cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| candidate | process start s | container start s | process campaign s | "
          "container campaign s | container/process |")
    print("|---|---|---|---|---|---|")
    for container in sorted((bundled_candidates_dir() / "containers").glob("*.toml")):
        name = container.stem
        process = bundled_candidates_dir() / f"{name}.toml"
        starts = [start_to_ready(m, args.repeat) for m in (process, container)]
        walls = [campaign_wall(m) for m in (process, container)]
        print(f"| {name} | {starts[0]:.2f} | {starts[1]:.2f} | {walls[0]:.2f} | {walls[1]:.2f} "
              f"| {walls[1] / walls[0]:.2f}x |")


if __name__ == "__main__":
    main()
