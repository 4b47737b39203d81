"""Benchmark: the OpenID Connect campaign against oidc-provider, and optionally its fault
catalogue.

Prints the wall time of the whole pytest process, the run as the report times it, how much
of it was spent starting the provider and waiting on its HTTP answers, what is left for the
harness (which includes the 2.1 s the max_age check must wait on purpose), and the
harness's peak memory. Medians over --repeat runs. With --faults, also the wall time of
``conformance faults run oidc`` (one provider, a proxy per fault, one pytest run per fault).

    .venv/bin/python bench/oidc_campaign.py [--repeat 3] [--faults]
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
CANDIDATE = "oidc-provider"
DELIBERATE_WAIT_SECONDS = 2.1  # test_max_age_forces_reauthentication


def environment() -> dict[str, str]:
    # Measure what a user sees: with bytecode caching.
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def one_run(root: Path) -> dict[str, float]:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", str(PROJECT / "suites" / "oidc"), "--candidate",
         CANDIDATE, "--output-root", str(root), "--campaign", "bench", "-q", "-p",
         "no:cacheprovider"],
        cwd=PROJECT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - began
    report = json.loads((root / "bench" / CANDIDATE / "report.json").read_text())
    measured = report["run"]["measurements"]
    run = report["run"]["duration_seconds"]
    launch = measured["launch_seconds"] + measured["stop_seconds"]
    harness = run - launch - measured["http_seconds"]
    return {
        "process wall s": wall,
        "run s": run,
        "launch+stop s": launch,
        "candidate HTTP s": measured["http_seconds"],
        "harness s": harness,
        "harness % (without the wait)": 100 * (harness - DELIBERATE_WAIT_SECONDS) / run,
        "peak RSS MiB": measured["harness_peak_rss_kib"] / 1024,
        "checks": float(report["summary"]["checks"]),
    }


def fault_run(root: Path) -> float:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "conformance.cli", "faults", "run", "oidc", "--candidate",
         CANDIDATE, "--work-dir", str(root)],
        cwd=PROJECT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--faults", action="store_true", help="also time the fault catalogue")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        runs = [one_run(Path(temporary) / f"run-{i}") for i in range(args.repeat)]
        faults = fault_run(Path(temporary) / "faults") if args.faults else None
    row = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(f"OpenID Connect campaign against {CANDIDATE}, median of {args.repeat} runs "
          "(target: under 60 s)")
    print("| candidate | " + " | ".join(row) + " |")
    print("|---" * (len(row) + 1) + "|")
    cells = [f"{v:.0f}" if k == "checks" else f"{v:.2f}" for k, v in row.items()]
    print(f"| {CANDIDATE} | " + " | ".join(cells) + " |")
    if faults is not None:
        print(f"\nfault catalogue (conformance faults run oidc): {faults:.1f} s wall")


if __name__ == "__main__":
    main()
