"""A campaign: each candidate's claimed suites run in a pytest process of its own.

A separate process per candidate keeps one candidate's crash, leaked state or imported
modules away from the next, and is exactly what a user gets from plain ``pytest``.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from conformance.candidate.launchers import validate_launch
from conformance.candidate.manifest import LoadedManifest
from conformance.errors import (
    EXIT_CANDIDATE,
    EXIT_FAIL,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_PASS,
    InputError,
)
from conformance.locations import project_root
from conformance.report.files import REPORT_FILE
from conformance.report.model import Report
from conformance.run.plan import plan_run
from conformance.suite.catalogue import Suite


@dataclass
class CampaignOptions:
    campaign: str
    kind: str
    assessor: str | None
    output_root: Path
    profiles: list[str]
    requirements: list[str]
    seed: int | None
    extra_pytest_args: list[str]


@dataclass
class CandidateRun:
    loaded: LoadedManifest
    exit_code: int
    report: Report | None
    output_dir: Path


def suites_for(loaded: LoadedManifest, suites: dict[str, Suite]) -> list[Suite]:
    claimed = [suites[s] for s in loaded.manifest.claims if s in suites]
    if not claimed:
        raise InputError(
            f"candidate manifest {loaded.path}: field 'claims': none of "
            f"{', '.join(sorted(loaded.manifest.claims))} is an installed suite "
            f"(installed: {', '.join(sorted(suites))})"
        )
    return claimed


def plan_campaign(
    loaded: list[LoadedManifest], suites: dict[str, Suite], options: CampaignOptions
) -> list[tuple[LoadedManifest, list[Suite]]]:
    """Plan every candidate's run before the first starts: claims, profiles, requirement
    options, deviations, test-mode and suite settings against the catalogues, and the launch
    section against its launcher. A typo fails here, in a second, not after a launch."""
    planned = []
    for manifest in loaded:
        claimed = suites_for(manifest, suites)
        plan_run(
            manifest,
            {s.standard: s for s in claimed},
            options.profiles,
            options.requirements,
        )
        validate_launch(manifest)
        planned.append((manifest, claimed))
    return planned


def pytest_command(
    loaded: LoadedManifest, suites: list[Suite], options: CampaignOptions
) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(str(s.directory) for s in suites),
        "--candidate",
        str(loaded.path),
        "--campaign",
        options.campaign,
        "--campaign-kind",
        options.kind,
        "--output-root",
        str(options.output_root),
        "--rootdir",
        str(project_root()),
        "-p",
        "no:cacheprovider",
    ]
    if options.assessor:
        command += ["--assessor", options.assessor]
    for profile in options.profiles:
        command += ["--profile", profile]
    for requirement in options.requirements:
        command += ["--requirement", requirement]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    return command + options.extra_pytest_args


def run_candidate(
    loaded: LoadedManifest, suites: list[Suite], options: CampaignOptions
) -> CandidateRun:
    command = pytest_command(loaded, suites, options)
    process = subprocess.Popen(command, cwd=Path.cwd())
    try:
        with _sigterm_forwarded_to(process):
            code = process.wait()
    except KeyboardInterrupt:
        # A Ctrl-C at the terminal reaches the child too, and a SIGTERM has been passed on
        # already; give the child a moment to finish its report, and pass the interruption
        # on if it came to us alone (kill -INT of this process only).
        try:
            code = process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
            code = process.wait()
        code = EXIT_INTERRUPTED
    output_dir = options.output_root / options.campaign / loaded.manifest.id
    report_path = output_dir / REPORT_FILE
    report = Report.model_validate_json(report_path.read_bytes()) if report_path.exists() else None
    # pytest exits 2 on Ctrl-C and 4 on its own usage errors; map them to the harness's codes.
    if code == 4:
        code = EXIT_INPUT
    return CandidateRun(loaded, code, report, output_dir)


@contextmanager
def _sigterm_forwarded_to(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """A SIGTERM to the harness reaches only this process: pass it to the running child at
    once, so the child stops where it is and reports the campaign as interrupted, instead of
    finishing the checks and calling itself complete."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def forward(signum: int, frame: FrameType | None) -> None:
        with suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def campaign_exit_code(runs: list[CandidateRun]) -> int:
    codes = {run.exit_code for run in runs}
    for code in (EXIT_INTERRUPTED, EXIT_INPUT, EXIT_CANDIDATE, EXIT_FAIL):
        if code in codes:
            return code
    return EXIT_PASS if codes <= {EXIT_PASS} else max(codes)


def write_campaign_index(runs: list[CandidateRun], options: CampaignOptions) -> Path:
    index = {
        "campaign": options.campaign,
        "kind": options.kind,
        "candidates": [
            {
                "id": run.loaded.manifest.id,
                "exit_code": run.exit_code,
                "verdict": run.report.verdict if run.report else None,
                "profiles": {p.profile: p.verdict for p in run.report.profiles}
                if run.report
                else {},
                "report": str(run.output_dir / REPORT_FILE) if run.report else None,
            }
            for run in runs
        ],
    }
    path = options.output_root / options.campaign / "campaign.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return path
