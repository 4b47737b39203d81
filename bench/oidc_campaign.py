"""Benchmark: the OpenID Connect campaign against each reference provider (oidc-provider,
LemonLDAP::NG), and optionally oidc-provider's fault catalogue.

Prints the wall time of the whole pytest process, the run as the report times it, how much
of it was spent starting the provider and waiting on its HTTP answers, what is left for the
harness (which includes the 2.1 s the max_age check must wait on purpose), and the
harness's peak memory. Medians over --repeat runs. With --faults, also the wall time of
``conformance faults run oidc`` (one provider, a proxy per fault, one pytest run per fault).

    .venv/bin/python bench/oidc_campaign.py [--repeat 3] [--faults] [--candidate ID ...]
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
CANDIDATES = ("oidc-provider", "lemonldap-ng")
FAULT_CANDIDATE = "oidc-provider"  # the catalogue is written against it and its variants
DELIBERATE_WAIT_SECONDS = 2.1  # test_max_age_forces_reauthentication


def environment() -> dict[str, str]:
    # Measure what a user sees: with bytecode caching.
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def one_run(root: Path, candidate: str) -> dict[str, float]:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", str(PROJECT / "suites" / "oidc"), "--candidate",
         candidate, "--output-root", str(root), "--campaign", "bench", "-q", "-p",
         "no:cacheprovider"],
        cwd=PROJECT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        check=False,
    )
    wall = time.perf_counter() - began
    report = json.loads((root / "bench" / candidate / "report.json").read_text())
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
        [sys.executable, "-m", "conformance.cli.main", "faults", "run", "oidc", "--candidate",
         FAULT_CANDIDATE, "--work-dir", str(root)],
        cwd=PROJECT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--faults", action="store_true", help="also time the fault catalogue")
    parser.add_argument("--candidate", action="append", choices=CANDIDATES,
                        help="only this provider (repeatable; default: all)")
    args = parser.parse_args()
    rows = {}
    with tempfile.TemporaryDirectory() as temporary:
        for candidate in args.candidate or CANDIDATES:
            runs = [one_run(Path(temporary) / f"{candidate}-{i}", candidate)
                    for i in range(args.repeat)]
            rows[candidate] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        faults = fault_run(Path(temporary) / "faults") if args.faults else None
    print(f"OpenID Connect campaign, median of {args.repeat} runs (target: under 60 s)")
    columns = next(iter(rows.values()))
    print("| candidate | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for candidate, row in rows.items():
        cells = [f"{v:.0f}" if k == "checks" else f"{v:.2f}" for k, v in row.items()]
        print(f"| {candidate} | " + " | ".join(cells) + " |")
    if faults is not None:
        print(f"\nfault catalogue (conformance faults run oidc --candidate {FAULT_CANDIDATE}): "
              f"{faults:.1f} s wall")


if __name__ == "__main__":
    main()
