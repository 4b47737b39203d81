"""The process launcher: run the candidate as a local command on a free loopback port.

The command runs in its own process group with its output captured to ``candidate.log``;
stopping it signals the whole group, so helper processes the candidate forks go too.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from conformance.candidate.launchers import cleanup
from conformance.candidate.launchers.base import (
    Launcher,
    ReadinessProbe,
    RunningCandidate,
    WorkdirFiles,
    free_loopback_port,
    read_log_tail,
    write_launch_files,
)
from conformance.candidate.manifest import expand
from conformance.errors import CandidateError

LOG_FILE = "candidate.log"
_PR_SET_PDEATHSIG = 1


class ProcessSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    command: list[str] = Field(min_length=1)
    env: dict[str, str] = Field(default_factory=dict)
    files: WorkdirFiles = Field(
        default_factory=dict, description="files written into {workdir} before start (mode 0600)"
    )
    ready: ReadinessProbe = ReadinessProbe()
    stop_timeout: float = Field(default=5.0, gt=0)


def _die_with_parent() -> None:
    # If the harness is killed outright, the kernel sends SIGTERM to the candidate.
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ProcessLauncher(Launcher):
    kind: ClassVar[str] = "process"
    Settings: ClassVar[type[BaseModel]] = ProcessSettings

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir: Path | None = None
        self.log_path = self.output_dir / LOG_FILE
        self.command: list[str] = []

    @property
    def process_settings(self) -> ProcessSettings:
        assert isinstance(self.settings, ProcessSettings)
        return self.settings

    def start(self) -> RunningCandidate:
        settings = self.process_settings
        self.workdir = Path(tempfile.mkdtemp(prefix=f"eos-{self.loaded.manifest.id}-"))
        port = free_loopback_port()
        self.template_values = {
            **self.port_values(port),
            "host": "127.0.0.1",
            "workdir": str(self.workdir),
            "python": sys.executable,
            "bindir": str(Path(sys.executable).parent),
            # Scripts and data shipped beside the manifest.
            "manifest_dir": str(self.loaded.path.parent),
        }
        write_launch_files(self.workdir, settings.files, self.template_values)
        self.command = [expand(a, self.template_values, "launch.command") for a in settings.command]
        environment = dict(os.environ)
        environment.update(
            {k: expand(v, self.template_values, f"launch.env.{k}") for k, v in settings.env.items()}
        )
        self.output_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(
                self.command,
                cwd=self.workdir,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        except OSError as error:
            self._remove_workdir()
            raise CandidateError(
                f"candidate {self.loaded.manifest.id}: cannot run {self.command[0]!r}: "
                f"{error.strerror}"
            ) from None
        finally:
            log.close()
        cleanup.track(self)
        endpoints = self.expand_endpoints()
        try:
            self.wait_until_ready(endpoints, settings.ready)
        except BaseException:
            self.stop()
            raise
        return RunningCandidate(endpoints, self)

    def exit_problem(self) -> str | None:
        if self.process is None:
            return "was never started"
        code = self.process.poll()
        if code is None:
            return None
        how = f"was killed by signal {-code}" if code < 0 else f"exited with code {code}"
        return how

    def log_tail(self) -> list[str]:
        return read_log_tail(self.log_path)

    def stop(self) -> None:
        process, self.process = self.process, None
        cleanup.untrack(self)
        if process is not None:
            self._signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=self.process_settings.stop_timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(process, signal.SIGKILL)
                process.wait(timeout=5)
            # Whatever the leader left behind in its group goes too.
            self._signal_group(process, signal.SIGKILL)
        self._remove_workdir()

    def _signal_group(self, process: subprocess.Popen[bytes], signum: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signum)

    def _remove_workdir(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def start_parameters(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "command": self.command,
            "env": sorted(self.process_settings.env),
            "files": sorted(self.process_settings.files),
            "endpoints": self.expand_endpoints() if self.template_values else {},
        }
