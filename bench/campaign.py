"""Benchmark: one standard's campaign per reference candidate.

Prints, per candidate, the wall time of the whole pytest process, the run as the report
times it, how much of it was spent starting the candidate and waiting on its HTTP answers,
what is left for the harness, and the harness's peak memory. Medians over --repeat runs.
The candidates are the bundled manifests (fixtures/candidates/*.toml) that claim the standard,
or those given with --candidate. With --faults, also the wall time of
``conformance faults run <standard>`` (a proxy per fault, one pytest run per fault).

    .venv/bin/python bench/campaign.py --standard caldav|matrix|activitypub|oidc \
        [--repeat 3] [--candidate ID ...] [--faults [--fault-candidate ID]]
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
import tomllib
from dataclasses import dataclass
from pathlib import Path

from conformance.locations import bundled_candidates_dir

PROJECT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Standard:
    """What a standard's table says besides the measurements."""

    name: str
    target: str | None = None
    # Seconds the suite's checks wait on purpose; the harness share is also given without it.
    deliberate_wait: float = 0.0


STANDARDS = {
    "caldav": Standard("CalDAV", "target: Radicale under 30 s, harness under 10 % of wall time"),
    "matrix": Standard(
        "Matrix", "target: the whole suite under 90 s, harness under 10 % of wall time"
    ),
    "activitypub": Standard(
        "ActivityPub",
        "target: under 60 s; harness s includes waiting for the candidate's asynchronous "
        "deliveries",
    ),
    # test_max_age_forces_reauthentication waits 2.1 s so that max_age has run out.
    "oidc": Standard("OpenID Connect", "target: under 60 s", deliberate_wait=2.1),
}


def claiming(standard: str) -> list[str]:
    """The ids of the bundled candidates whose manifest claims ``standard``."""
    found = []
    for path in sorted(bundled_candidates_dir().glob("*.toml")):
        with path.open("rb") as file:
            manifest = tomllib.load(file)
        if standard in manifest.get("claims", {}):
            found.append(str(manifest.get("id", path.stem)))
    return found


def fault_candidate(standard: str, candidates: list[str]) -> str:
    """The candidate a fault catalogue is written against: the one with misconfigured variants
    (fixtures/candidates/variants/<id>/) if any, else the first."""
    variants = bundled_candidates_dir() / "variants"
    return next((c for c in candidates if (variants / c).is_dir()), candidates[0])


def environment() -> dict[str, str]:
    # Measure what a user sees: with bytecode caching (some sandboxes turn it off, which makes
    # pytest re-compile and re-write assertions in every module on every run).
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def one_run(standard: str, candidate: str, root: Path) -> dict[str, float]:
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", str(PROJECT / "suites" / standard), "--candidate",
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
    wait = STANDARDS.get(standard, Standard(standard)).deliberate_wait
    share = (
        {"harness % (without the wait)": 100 * (harness - wait) / run}
        if wait
        else {"harness %": 100 * harness / run}
    )
    return {
        "process wall s": wall,
        "run s": run,
        "launch+stop s": launch,
        "candidate HTTP s": measured["http_seconds"],
        "harness s": harness,
        **share,
        "peak RSS MiB": measured["harness_peak_rss_kib"] / 1024,
        "checks": float(report["summary"]["checks"]),
    }


def fault_run(standard: str, candidate: str, root: Path) -> tuple[float, int]:
    """Wall time and exit status of the fault catalogue against ``candidate``."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "faults", "run", standard, "--candidate",
         candidate, "--work-dir", str(root)],
        cwd=PROJECT, env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - began, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--standard", required=True,
                        help="the suite to run (caldav, matrix, activitypub, oidc, …)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--candidate", action="append", default=[],
                        help="only this candidate (repeatable; default: every bundled "
                        "candidate claiming the standard)")
    parser.add_argument("--faults", action="store_true", help="also time the fault catalogue")
    parser.add_argument("--fault-candidate",
                        help="the candidate for --faults (default: the one with variants, "
                        "else the first)")
    args = parser.parse_args()
    standard = args.standard
    if not (PROJECT / "suites" / standard / "catalogue.toml").is_file():
        parser.error(f"--standard {standard}: no suite at suites/{standard}")
    candidates = args.candidate or claiming(standard)
    if not candidates:
        parser.error(f"no bundled candidate claims {standard}; name one with --candidate")
    rows = {}
    faults = None
    with tempfile.TemporaryDirectory() as temporary:
        for candidate in candidates:
            runs = [one_run(standard, candidate, Path(temporary) / f"{candidate}-{i}")
                    for i in range(args.repeat)]
            rows[candidate] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        if args.faults:
            against = args.fault_candidate or fault_candidate(standard, candidates)
            faults = (against, *fault_run(standard, against, Path(temporary) / "faults"))
    about = STANDARDS.get(standard, Standard(standard))
    target = f" ({about.target})" if about.target else ""
    print(f"{about.name} campaign, median of {args.repeat} runs{target}")
    columns = list(next(iter(rows.values())))
    print("| candidate | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for candidate, row in rows.items():
        cells = [f"{row[c]:.0f}" if c == "checks" else f"{row[c]:.2f}" for c in columns]
        print(f"| {candidate} | " + " | ".join(cells) + " |")
    if faults is not None:
        against, seconds, status = faults
        verdict = "" if status == 0 else f", exit status {status}"
        print(f"\nfault catalogue (conformance faults run {standard} --candidate {against}): "
              f"{seconds:.1f} s wall{verdict}")


if __name__ == "__main__":
    main()
