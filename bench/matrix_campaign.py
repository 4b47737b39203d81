"""Benchmark: the Matrix campaign against Synapse.

Prints, per candidate, the wall time of the whole pytest process, the run as the report
times it, how much of it was spent starting the candidate and waiting on its HTTP answers,
what is left for the harness, and the harness's peak memory. Medians over --repeat runs.

    .venv/bin/python bench/matrix_campaign.py [--repeat 3] [--candidate synapse ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


def one_run(candidate: str, root: Path) -> dict[str, float]:
    # Measure what a user sees: with bytecode caching (some sandboxes turn it off, which makes
    # pytest re-compile and re-write assertions in every module on every run).
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    began = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(PROJECT / "suites" / "matrix"),
            "--candidate",
            candidate,
            "--output-root",
            str(root),
            "--campaign",
            "bench",
            "-q",
            "-p",
            "no:cacheprovider",
        ],
        cwd=PROJECT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - began
    report = json.loads((root / "bench" / candidate / "report.json").read_text())
    measured = report["run"]["measurements"]
    run = report["run"]["duration_seconds"]
    candidate_time = (
        measured["launch_seconds"] + measured["stop_seconds"] + measured["http_seconds"]
    )
    harness = run - candidate_time
    return {
        "process wall s": wall,
        "run s": run,
        "launch+stop s": measured["launch_seconds"] + measured["stop_seconds"],
        "candidate HTTP s": measured["http_seconds"],
        "harness s": harness,
        "harness %": 100 * harness / run,
        "peak RSS MiB": measured["harness_peak_rss_kib"] / 1024,
        "checks": float(report["summary"]["checks"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--candidate", action="append", default=[])
    args = parser.parse_args()
    candidates = args.candidate or ["synapse"]
    rows = {}
    with tempfile.TemporaryDirectory() as temporary:
        for candidate in candidates:
            runs = [
                one_run(candidate, Path(temporary) / f"{candidate}-{i}") for i in range(args.repeat)
            ]
            rows[candidate] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    columns = list(next(iter(rows.values())))
    print(
        f"Matrix campaign, median of {args.repeat} runs (target: the whole suite under 90 s, "
        "harness under 10 % of wall time)"
    )
    print("| candidate | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for candidate, row in rows.items():
        cells = [f"{row[c]:.0f}" if c == "checks" else f"{row[c]:.2f}" for c in columns]
        print(f"| {candidate} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
