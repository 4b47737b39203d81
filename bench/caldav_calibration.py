"""Benchmark and calibration: our CalDAV suite against caldav-server-tester, server by server.

For each CalDAV reference server (every bundled manifest claiming caldav), runs our suite
(`pytest suites/caldav --candidate X`, which starts a fresh server itself) and then PyPI's
`caldav-server-tester` (the python caldav library's own server checker, AGPL, so run as a
subprocess only) against a fresh start of the same manifest. Prints two tables:

1. verdicts per second: our requirement verdicts over our wall time (server start included)
   vs the features it observed over its wall time (server start excluded);
2. where the two disagree on a feature both look at: it says broken and we pass, or the
   reverse. The suite README says why for each.

    .venv/bin/python bench/caldav_calibration.py [--server radicale --server cyrus ...]
"""

from __future__ import annotations

import argparse
import ast
import json
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


def run_ours(server: str) -> tuple[dict[str, str], float]:
    """Requirement id -> outcome, and the wall time of the whole suite run."""
    with tempfile.TemporaryDirectory() as output:
        began = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pytest", str(PROJECT / "suites" / "caldav"), "--candidate",
             server, "--output-root", output, "-q", "-p", "no:cacheprovider"],
            cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        wall = time.perf_counter() - began
        report = json.loads((Path(output) / "adhoc" / server / "report.json").read_text())
    return {r["id"]: r["outcome"] for r in report["requirements"]}, wall


def run_theirs(server: str) -> tuple[dict[str, Any], float]:
    """Feature -> observed state, and the tester's wall time on an already running server."""
    loaded = load_manifest(bundled_candidates_dir() / f"{server}.toml")
    with tempfile.TemporaryDirectory() as output:
        launcher = launcher_of(loaded, Path(output))
        running = launcher.start()
        try:
            command = [str(TESTER), "--caldav-url", running.base_url, "--format", "hints"]
            account = loaded.manifest.accounts.get("primary")
            if account is not None and account.password:
                command += ["--caldav-username", account.username,
                            "--caldav-password", account.password]
            began = time.perf_counter()
            answer = subprocess.run(command, capture_output=True, text=True, timeout=900,
                                    check=False)
            wall = time.perf_counter() - began
        finally:
            launcher.stop()
    if answer.returncode != 0 or not answer.stdout.strip():
        raise SystemExit(f"caldav-server-tester failed on {server}: {answer.stderr[-2000:]}")
    return ast.literal_eval(answer.stdout), wall


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
        ours, our_wall = run_ours(server)
        theirs, their_wall = run_theirs(server)
        decided = [o for o in ours.values() if o in ("passed", "failed", "inapplicable")]
        timings.append((server, len(decided), our_wall, len(theirs), their_wall))
        for feature, requirements in COUNTERPARTS.items():
            said = their_verdict(theirs.get(feature, {}))
            found = our_verdict(ours, requirements)
            if said and found and said != found:
                outcome = ", ".join(f"{r} {ours.get(r, '-')}" for r in requirements)
                disagreements.append((server, feature, theirs[feature], outcome))
    print("| server | our verdicts | our wall s | ours per s | its features | its wall s "
          "| its per s |")
    print("|---|---|---|---|---|---|---|")
    for server, verdicts, wall, features, their in timings:
        print(f"| {server} | {verdicts} | {wall:.1f} | {verdicts / wall:.1f} | {features} "
              f"| {their:.1f} | {features / their:.1f} |")
    print()
    print("| server | its feature | it observed | our requirement and outcome |")
    print("|---|---|---|---|")
    for server, feature, state, outcome in disagreements:
        described = state.get("support", "") + (f" ({state['behaviour']})"
                                                if state.get("behaviour") else "")
        print(f"| {server} | {feature} | {described[:140]} | {outcome} |")


if __name__ == "__main__":
    main()
