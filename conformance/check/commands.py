"""Running a command-line candidate's commands from a check, with the run kept as evidence.

A suite reads command templates from the manifest's ``[settings.<standard>]``; placeholders
are the launcher's (``{workdir}``, ``{python}``, ``{bindir}``) plus whatever the suite adds
(an input file, an output directory). Each run is recorded into the check's evidence.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from conformance.candidate.context import CandidateContext
from conformance.candidate.manifest import expand
from conformance.check.evidence import current_evidence, excerpt
from conformance.check.verdicts import cant_tell

OUTPUT_EXCERPT = 1500


@dataclass
class CommandRun:
    command: list[str]
    returncode: int | None  # None when it timed out
    output: str
    seconds: float

    @property
    def succeeded(self) -> bool:
        return self.returncode == 0


def template_values(candidate: CandidateContext) -> dict[str, str]:
    return dict(candidate.running.launcher.template_values)


def working_directory(candidate: CandidateContext) -> Path:
    values = template_values(candidate)
    if "workdir" not in values:
        cant_tell("the candidate's launcher provides no {workdir} to run commands in")
    return Path(values["workdir"])


def run_template(
    candidate: CandidateContext,
    template: list[str],
    values: dict[str, str],
    field: str,
    timeout: float = 120.0,
) -> CommandRun:
    """Expand ``template`` with the launcher's and ``values``' placeholders and run it."""
    launcher = candidate.running.launcher
    merged = {**template_values(candidate), **values}
    command = [expand(part, merged, field) for part in template]
    environment = getattr(launcher, "environment", None) or None
    began = time.monotonic()
    try:
        answer = subprocess.run(
            command,
            cwd=merged.get("workdir"),
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
        run = CommandRun(
            command, answer.returncode, answer.stdout.decode("utf-8", "replace"),
            time.monotonic() - began,
        )
    except subprocess.TimeoutExpired as error:
        partial = error.output.decode("utf-8", "replace") if error.output else ""
        run = CommandRun(command, None, partial, time.monotonic() - began)
    except OSError as error:
        run = CommandRun(command, 127, f"cannot run {command[0]!r}: {error.strerror}", 0.0)
    log = current_evidence()
    if log is not None:
        log.add_command(
            {
                "command": command,
                "returncode": run.returncode,
                "seconds": round(run.seconds, 3),
                "output": excerpt(run.output, OUTPUT_EXCERPT),
            }
        )
    return run
