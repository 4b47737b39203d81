"""What one conformance run holds between pytest's hooks: its options, its plan, its event
stream, the candidate it started and how the run ended."""

from __future__ import annotations

import getpass
import os
import random
import resource
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conformance import __version__
from conformance.candidate.launchers import Launcher, RunningCandidate
from conformance.candidate.manifest import LoadedManifest, ResolvedArtefact
from conformance.report.events import RunEnded, RunStarted
from conformance.report.model import (
    ArtefactInfo,
    CampaignInfo,
    CandidateInfo,
    HarnessInfo,
    KnownDeviation,
    Report,
)
from conformance.run.journal import JOURNAL_FILE, Journal
from conformance.run.plan import RunPlan
from conformance.run.stream import RunStream, now

# Set by the campaign executor for the runs it starts (see conformance.run.shards).
WORKER_ENV = "CONFORMANCE_WORKER"


@dataclass(frozen=True)
class RunOptions:
    """The plugin's command-line options."""

    campaign: str
    kind: str
    assessor: str
    output_root: Path
    seed: int
    profiles: list[str]
    requirements: list[str]
    report_name: str | None = None

    def output_dir(self, candidate_id: str) -> Path:
        return self.output_root / self.campaign / (self.report_name or candidate_id)

    @classmethod
    def from_config(cls, config: pytest.Config) -> RunOptions:
        seed = config.getoption("seed")
        return cls(
            campaign=config.getoption("campaign"),
            kind=config.getoption("campaign_kind"),
            assessor=config.getoption("assessor")
            or os.environ.get("CONFORMANCE_ASSESSOR")
            or getpass.getuser(),
            output_root=Path(config.getoption("output_root")),
            seed=random.SystemRandom().randrange(2**32) if seed is None else seed,
            profiles=list(config.getoption("profile")),
            requirements=list(config.getoption("requirement")),
            report_name=config.getoption("report_name"),
        )


@dataclass
class CandidateSession:
    """The candidate's launcher and, once started, the running product and its timings."""

    launcher: Launcher
    artefacts: list[ResolvedArtefact]
    running: RunningCandidate | None = None
    launch_seconds: float = 0.0
    stop_seconds: float = 0.0

    def start(self) -> RunningCandidate:
        began = time.monotonic()
        try:
            self.running = self.launcher.start()
        finally:
            self.launch_seconds = time.monotonic() - began
        return self.running

    def stop(self) -> None:
        began = time.monotonic()
        self.launcher.stop()
        self.stop_seconds = time.monotonic() - began


@dataclass
class RunState:
    loaded: LoadedManifest
    options: RunOptions
    candidate: CandidateSession
    started: str = field(default_factory=now)
    plan: RunPlan | None = None
    stream: RunStream = field(default_factory=RunStream)
    journal: Journal | None = None
    stop_reason: str | None = None
    exit_code: int | None = None
    report: Report | None = None

    @property
    def output_dir(self) -> Path:
        return self.options.output_dir(self.loaded.manifest.id)

    def open(self, plan: RunPlan) -> None:
        """Start recording: the journal subscribes, then the header is the first event."""
        self.plan = plan
        self.journal = Journal(self.output_dir / JOURNAL_FILE)
        self.stream.subscribe(self.journal)
        self.stream.emit(self.header(plan))

    def header(self, plan: RunPlan) -> RunStarted:
        manifest = self.loaded.manifest
        artefacts = self.candidate.artefacts
        version = manifest.version or next((a.version for a in artefacts if a.version), None)
        return RunStarted(
            started=self.started,
            harness=HarnessInfo(
                name="eos-conformance",
                version=__version__,
                python=sys.version.split()[0],
                host=socket.gethostname(),
                worker=os.environ.get(WORKER_ENV),
            ),
            campaign=CampaignInfo(
                id=self.options.campaign,
                kind=self.options.kind,  # type: ignore[arg-type]  # click limits the choice
                assessor=self.options.assessor,
            ),
            candidate=CandidateInfo(
                id=manifest.id,
                product=manifest.product,
                vendor=manifest.vendor,
                version=version,
                manifest_sha256=self.loaded.sha256,
                artefacts=[ArtefactInfo.model_validate(a.model_dump()) for a in artefacts],
                launcher=str(manifest.launch["kind"]),
                known_deviations={
                    d.requirement: KnownDeviation(
                        reason=d.reason, reference=d.reference, intermittent=d.intermittent
                    )
                    for d in manifest.known_deviations
                },
                test_mode=plan.test_mode,
            ),
            suites=plan.suite_infos,
            profiles=plan.profiles,
            requirements=plan.requirements,
            seeds={"hypothesis": self.options.seed},
            selected_requirements=plan.selected_requirements,
        )

    def ended(self) -> RunEnded:
        """Stop the candidate and say how the run ended."""
        launcher = self.candidate.launcher
        start_parameters = launcher.start_parameters()
        resolved = launcher.resolved_artefact_digests()
        artefacts = None
        if resolved:
            artefacts = [
                ArtefactInfo.model_validate(
                    {**a.model_dump(), "digest": resolved.get(a.name, a.digest)}
                )
                for a in self.candidate.artefacts
            ]
        self.candidate.stop()
        checks = self.stream.checks
        return RunEnded(
            finished=now(),
            complete=self.stop_reason is None,
            stop_reason=self.stop_reason,
            start_parameters=start_parameters,
            artefacts=artefacts,
            measurements={
                "launch_seconds": round(self.candidate.launch_seconds, 3),
                "stop_seconds": round(self.candidate.stop_seconds, 3),
                "http_seconds": round(
                    sum(c.evidence.get("httpSeconds", 0.0) for c in checks), 3
                ),
                "harness_peak_rss_kib": float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
            },
        )
