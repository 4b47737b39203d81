"""Benchmark and calibration: our CalDAV suite against caldav-server-tester, server by server.

For each CalDAV reference server (every bundled manifest claiming caldav), runs our suite
(`pytest suites/caldav --candidate X`, which starts a fresh server itself) and then PyPI's
`caldav-server-tester` (the python caldav library's own server checker, AGPL, so run as a
subprocess only) against a fresh start of the same manifest. Prints two tables:

1. verdicts per second: our requirement verdicts over our wall time (pytest and server start
   included) and over the suite's own run time (report.json), vs the features it observed
   over its wall time (server start excluded), with the machine's load average (shared, so
   the figures move with it);
2. where the two disagree on a feature both look at: it says broken and we pass, or the
   reverse. The suite README says why for each.

    .venv/bin/python bench/caldav_calibration.py [--server radicale --server cyrus ...]
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

from conformance.candidate.launchers import launcher_of
from conformance.candidate.manifest import load_manifest
from conformance.locations import bundled_candidates_dir

PROJECT = Path(__file__).resolve().parents[1]
TESTER = Path(sys.executable).parent / "caldav-server-tester"

# caldav-server-tester features (caldav.compatibility_hints) and the requirements of ours
# that decide the same question. Features with no counterpart are only counted.
COUNTERPARTS: dict[str, tuple[str, ...]] = {
    "create-calendar": ("caldav.mkcalendar.created",),
    "create-calendar.with-supported-component-types": ("caldav.put.supported-calendar-component",),
    "delete-calendar": ("caldav.delete.collection-members",),
    "freebusy-query": ("caldav.freebusy.vfreebusy",),
    "get-current-user-principal": ("caldav.principal.current-user-principal",),
    "propfind": ("caldav.propfind.depth-0",),
    "save-load.event": ("caldav.put.round-trip",),
    "save-load.todo": ("caldav.put.round-trip",),
    "save-load.event.recurrences.exception": ("caldav.recur.override-stored",),
    "save-load.event.timezone": ("caldav.tz.tzid-kept",),
    "save.etag": ("caldav.etag.get-header",),
    "save.if-none-match": ("caldav.conditional.if-none-match-star-existing",),
    "save.no-uid-conflict": ("caldav.put.no-uid-conflict",),
    "search.is-not-defined": ("caldav.query.is-not-defined",),
    "search.recurrences.expanded.event": ("caldav.expand.instances",),
    "search.recurrences.includes-implicit.event": ("caldav.query.time-range-recurring",),
    "search.text.case-insensitive": ("caldav.query.text-match-caseless",),
    "search.text.case-sensitive": ("caldav.query.collation-octet",),
    "search.time-range.event": ("caldav.query.time-range-vevent",),
    "search.time-range.todo": ("caldav.query.time-range-vtodo",),
    "sync-token": ("caldav.sync.changed-members",),
    "sync-token.delete": ("caldav.sync.removed-members",),
    "sync-token.invalid-token": ("caldav.sync.invalid-token",),
    "sync-token.limit": ("caldav.sync.limit-honoured",),
    "well-known": ("caldav.discovery.well-known-redirect",),
}
BROKEN = {"unsupported", "broken", "ungraceful", "fragile"}


def caldav_servers() -> list[str]:
    names = []
    for path in sorted(bundled_candidates_dir().glob("*.toml")):
        with path.open("rb") as handle:
            if "caldav" in tomllib.load(handle).get("claims", {}):
                names.append(path.stem)
    return names


def run_ours(server: str) -> tuple[dict[str, str], float, float]:
    """Requirement id -> outcome, the wall time of the whole suite run, and the run time
    the report gives (the checks, after the server is up)."""
    with tempfile.TemporaryDirectory() as output:
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", str(PROJECT / "suites" / "caldav"), "--candidate",
             server, "--output-root", output, "-q", "-p", "no:cacheprovider"],
            cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - began
        report = json.loads((Path(output) / "adhoc" / server / "report.json").read_text())
    outcomes = {r["id"]: r["outcome"] for r in report["requirements"]}
    return outcomes, wall, float(report["run"]["duration_seconds"])


def run_theirs(server: str) -> tuple[dict[str, Any], float, float]:
    """Feature -> observed state, the tester's wall time on an already running server, and
    how long that server took to start."""
    loaded = load_manifest(bundled_candidates_dir() / f"{server}.toml")
    with tempfile.TemporaryDirectory() as output:
        launcher = launcher_of(loaded, Path(output))
        started = time.perf_counter()
        running = launcher.start()
        start = time.perf_counter() - started
        try:
            # The connection goes in CALDAV_* variables, the only way to pass auth_type: the
            # library sends credentials only after a 401 otherwise, and Cyrus answers
            # anonymous requests instead of challenging (see the suite README).
            environment = {k: v for k, v in os.environ.items() if not k.startswith("CALDAV_")}
            environment["CALDAV_URL"] = running.base_url
            account = loaded.manifest.accounts.get("primary")
            if account is not None and account.password:
                environment.update(CALDAV_USERNAME=account.username,
                                   CALDAV_PASSWORD=account.password, CALDAV_AUTH_TYPE="basic")
            began = time.perf_counter()
            answer = subprocess.run([str(TESTER), "--format", "hints"], capture_output=True,
                                    text=True, timeout=900, check=False, env=environment,
                                    cwd=output)
            wall = time.perf_counter() - began
        finally:
            launcher.stop()
    if answer.returncode != 0 or not answer.stdout.strip():
        raise SystemExit(f"caldav-server-tester failed on {server}: {answer.stderr[-2000:]}")
    return ast.literal_eval(answer.stdout), wall, start


def their_verdict(state: dict[str, Any]) -> str | None:
    support = state.get("support")
    if support == "full":
        return "works"
    return "broken" if support in BROKEN else None


def our_verdict(outcomes: dict[str, str], requirements: tuple[str, ...]) -> str | None:
    known = [outcomes[r] for r in requirements if r in outcomes]
    if "failed" in known:
        return "broken"
    return "works" if known and all(o == "passed" for o in known) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", action="append", help="manifest id (default: all CalDAV)")
    args = parser.parse_args()
    servers = args.server or caldav_servers()
    timings, disagreements = [], []
    for server in servers:
        ours, our_wall, our_run = run_ours(server)
        theirs, their_wall, start = run_theirs(server)
        decided = [o for o in ours.values() if o in ("passed", "failed", "inapplicable")]
        timings.append((server, start, len(decided), our_wall, our_run, len(theirs), their_wall,
                        os.getloadavg()[0]))
        for feature, requirements in COUNTERPARTS.items():
            said = their_verdict(theirs.get(feature, {}))
            found = our_verdict(ours, requirements)
            if said and found and said != found:
                outcome = ", ".join(f"{r} {ours.get(r, '-')}" for r in requirements)
                disagreements.append((server, feature, theirs[feature], outcome))
    print("| server | start s | our verdicts | our wall s | ours per s | our run s | ours per s "
          "(run) | its features | its wall s | its per s | load |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for server, start, verdicts, wall, run, features, their, load in timings:
        print(f"| {server} | {start:.1f} | {verdicts} | {wall:.1f} | {verdicts / wall:.1f} "
              f"| {run:.1f} | {verdicts / run:.1f} | {features} | {their:.1f} "
              f"| {features / their:.1f} | {load:.1f} |")
    print()
    print("| server | its feature | it observed | our requirement and outcome |")
    print("|---|---|---|---|")
    for server, feature, state, outcome in disagreements:
        described = state.get("support", "") + (f" ({state['behaviour']})"
                                                if state.get("behaviour") else "")
        print(f"| {server} | {feature} | {described[:140]} | {outcome} |")


if __name__ == "__main__":
    main()
