"""Proving a suite's checks can fail: run them through each fault of its fault catalogue.

The real candidate is started once; for every fault a proxy in front of it breaks one rule,
and the checks of the requirements that fault must break run against the proxy. A fault is
caught when each of those requirements comes out ``failed``. A transparent proxy run first
shows that the same requirements pass when nothing is broken, so a catch is not an accident.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from conformance.candidate.launchers import launcher_of
from conformance.candidate.launchers.base import free_loopback_port
from conformance.candidate.manifest import LoadedManifest, load_manifest
from conformance.errors import InputError
from conformance.locations import project_root
from conformance.outcomes import Outcome
from conformance.report.files import REPORT_FILE
from conformance.report.model import Report
from conformance.suite.catalogue import Suite
from conformance.suite.contract import resolve
from conformance.suite.faults import ACTIVE_FAULT_ENV, NO_FAULT, Fault, FaultProxy

FAULT_RUN_SEED = 20261122


@dataclass
class FaultResult:
    fault: Fault
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    problem: str | None = None

    @property
    def caught(self) -> bool:
        return (
            self.problem is None
            and bool(self.outcomes)
            and all(outcome == Outcome.FAILED for outcome in self.outcomes.values())
        )


def load_faults(suite: Suite) -> list[Fault]:
    """A suite's fault catalogue, where its declaration says it is."""
    reference = suite.declaration.faults
    if reference is None:
        raise InputError(f"suite {suite.standard} declares no fault catalogue")
    faults: list[Fault] = list(resolve(suite, reference, "fault catalogue"))
    names = [fault.name for fault in faults]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise InputError(f"suite {suite.standard}: fault name(s) used twice: {', '.join(twice)}")
    for fault in faults:
        unknown = [r for r in fault.breaks if r not in suite.catalogue.by_id]
        if unknown:
            raise InputError(
                f"fault {fault.name!r} of suite {suite.standard} names unknown "
                f"requirement(s) {', '.join(unknown)}"
            )
    return faults


def proxied_manifest(
    loaded: LoadedManifest,
    proxy_url: str,
    directory: Path,
    name: str,
    endpoints: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Path:
    """The candidate's manifest, but reached as an endpoint through the proxy. Its other
    endpoints (``endpoints``: as the running candidate expanded them) still lead to it, and
    commands the suite runs on it get the running launcher's placeholder ``values``."""
    data: dict[str, Any] = loaded.manifest.model_dump(exclude_none=True)
    data["launch"] = {"kind": "endpoint", "values": dict(values or {})}
    # The copy lives elsewhere: file paths of artefacts must still lead to the same files.
    for artefact in data["artefacts"]:
        for key in ("path", "npm_lockfile"):
            if key in artefact:
                artefact[key] = str((loaded.path.parent / artefact[key]).resolve())
    data["endpoints"] = dict(endpoints or data["endpoints"], base=proxy_url)
    path = directory / f"{name}.toml"
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


def variant_manifest_path(loaded: LoadedManifest, variant: str) -> Path:
    """Where a candidate keeps a misconfigured variant of itself for a fault: beside its
    manifest, ``variants/<candidate id>/<variant>.toml`` (usually ``extends`` the manifest)."""
    return loaded.path.parent / "variants" / loaded.manifest.id / f"{variant}.toml"


def run_variant(
    loaded: LoadedManifest, suite: Suite, fault: Fault, work_dir: Path
) -> tuple[Report | None, str | None]:
    """Run the fault's checks against the candidate's misconfigured variant (the pytest run
    starts and stops it, as it would any candidate)."""
    assert fault.variant is not None
    path = variant_manifest_path(loaded, fault.variant)
    if not path.is_file():
        return None, f"the candidate has no variant {fault.variant!r} ({path} does not exist)"
    variant = load_manifest(path)
    report = run_checks(
        path, variant.manifest.id, suite, list(fault.breaks), work_dir, f"fault-{fault.name}",
        fault.name,
    )
    return report, None


def run_checks(
    manifest: Path,
    candidate_id: str,
    suite: Suite,
    requirements: list[str],
    output_root: Path,
    campaign: str,
    fault: str = NO_FAULT.name,
) -> Report | None:
    command = [
        sys.executable,
        "-m",
        "pytest",
        str(suite.directory),
        "--candidate",
        str(manifest),
        "--campaign",
        campaign,
        "--output-root",
        str(output_root),
        "--rootdir",
        str(project_root()),
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-q",
        "--no-header",
        "--tb=no",
        "-o",
        "console_output_style=classic",
    ]
    for requirement in requirements:
        command += ["--requirement", requirement]
    # A fixed seed makes every fault run reproducible, property-based checks included.
    command += ["--seed", str(FAULT_RUN_SEED)]
    environment = dict(os.environ, **{ACTIVE_FAULT_ENV: fault})
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=environment
    )
    path = output_root / campaign / candidate_id / REPORT_FILE
    return Report.model_validate_json(path.read_bytes()) if path.exists() else None


def outcomes_of(report: Report | None, requirements: list[str]) -> dict[str, Outcome]:
    if report is None:
        return {}
    by_id = {r.id: r.outcome for r in report.requirements}
    return {r: by_id.get(r, Outcome.UNTESTED) for r in requirements}


def run_fault_catalogue(
    loaded: LoadedManifest, suite: Suite, faults: list[Fault], work_dir: Path
) -> tuple[dict[str, Outcome], list[FaultResult]]:
    """Returns the clean outcomes through a transparent proxy, and each fault's result."""
    work_dir.mkdir(parents=True, exist_ok=True)
    # Every proxy listens on the same port, which the candidate is told is its public one.
    proxy_port = free_loopback_port()
    launcher = launcher_of(loaded, work_dir / "candidate", public_port=proxy_port)
    running = launcher.start()
    try:
        everything = sorted({r for fault in faults for r in fault.breaks})
        # The proxy stands for the whole origin: a base below it (say /dav/) stays the
        # base behind the proxy, so absolute hrefs the candidate answers still resolve.
        parts = urlsplit(running.base_url)
        upstream, base_path = f"{parts.scheme}://{parts.netloc}", parts.path.lstrip("/")
        with FaultProxy(upstream, NO_FAULT, proxy_port) as proxy:
            manifest = proxied_manifest(
                loaded, proxy.url + base_path, work_dir, "clean", running.endpoints,
                launcher.template_values,
            )
            clean = outcomes_of(
                run_checks(manifest, loaded.manifest.id, suite, everything, work_dir, "clean"),
                everything,
            )
        results = []
        for fault in faults:
            result = FaultResult(fault)
            not_passing = [r for r in fault.breaks if clean.get(r) != Outcome.PASSED]
            if not_passing:
                result.problem = (
                    "does not pass without the fault, so the fault proves nothing: "
                    + ", ".join(not_passing)
                )
            if fault.variant is not None:
                report, problem = run_variant(loaded, suite, fault, work_dir)
                result.outcomes = outcomes_of(report, list(fault.breaks))
                result.problem = result.problem or problem
                if report is None and result.problem is None:
                    result.problem = "the variant's run wrote no report"
                results.append(result)
                continue
            with FaultProxy(upstream, fault, proxy_port) as proxy:
                manifest = proxied_manifest(
                    loaded,
                    proxy.url + base_path,
                    work_dir,
                    f"fault-{fault.name}",
                    running.endpoints,
                    launcher.template_values,
                )
                report = run_checks(
                    manifest,
                    loaded.manifest.id,
                    suite,
                    list(fault.breaks),
                    work_dir,
                    f"fault-{fault.name}",
                    fault.name,
                )
                result.outcomes = outcomes_of(report, list(fault.breaks))
            if report is None and result.problem is None:
                result.problem = "the proxied run wrote no report"
            results.append(result)
        return clean, results
    finally:
        launcher.stop()
