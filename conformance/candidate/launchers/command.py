"""The command launcher: a candidate with nothing to start, invoked per task (a converter).

Command-line tools (an office suite in headless mode, a document converter) run once per
document. Starting such a candidate means preparing a private working directory, checking
its executables are there and, optionally, that a probe command succeeds; the suite then runs
the commands its settings name through ``conformance.check.commands``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from conformance.candidate.launchers.base import (
    Launcher,
    RunningCandidate,
    WorkdirFiles,
    write_launch_files,
)
from conformance.candidate.manifest import expand
from conformance.errors import CandidateError


class CommandSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requires: list[str] = Field(
        default_factory=list, description="executables that must be found on PATH"
    )
    env: dict[str, str] = Field(default_factory=dict)
    files: WorkdirFiles = Field(
        default_factory=dict, description="files written into {workdir} before start (mode 0600)"
    )
    probe: list[str] | None = Field(
        default=None, description="a command that must exit 0 before the candidate counts as ready"
    )
    probe_timeout: float = Field(default=120.0, gt=0)


class CommandLauncher(Launcher):
    kind: ClassVar[str] = "command"
    Settings: ClassVar[type[BaseModel]] = CommandSettings

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.workdir: Path | None = None
        self.environment: dict[str, str] = {}
        self.probe_output: list[str] = []

    @property
    def command_settings(self) -> CommandSettings:
        assert isinstance(self.settings, CommandSettings)
        return self.settings

    def start(self) -> RunningCandidate:
        settings = self.command_settings
        missing = [name for name in settings.requires if shutil.which(name) is None]
        if missing:
            raise CandidateError(
                f"candidate {self.loaded.manifest.id}: required executable(s) not found on "
                f"PATH: {', '.join(missing)}"
            )
        self.workdir = Path(tempfile.mkdtemp(prefix=f"eos-{self.loaded.manifest.id}-"))
        self.template_values = {
            "workdir": str(self.workdir),
            "python": sys.executable,
            "bindir": str(Path(sys.executable).parent),
            # The project's own helper scripts sit beside the manifest (as for processes).
            "manifest_dir": str(self.loaded.path.parent),
        }
        write_launch_files(self.workdir, settings.files, self.template_values)
        self.environment = dict(os.environ)
        self.environment.update(
            {k: expand(v, self.template_values, f"launch.env.{k}") for k, v in settings.env.items()}
        )
        if settings.probe:
            try:
                self._probe(settings)
            except BaseException:
                self.stop()
                raise
        return RunningCandidate(self.expand_endpoints(), self)

    def _probe(self, settings: CommandSettings) -> None:
        assert settings.probe is not None and self.workdir is not None
        command = [expand(a, self.template_values, "launch.probe") for a in settings.probe]
        try:
            answer = subprocess.run(
                command,
                cwd=self.workdir,
                env=self.environment,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=settings.probe_timeout,
                check=False,
            )
        except OSError as error:
            raise CandidateError(
                f"candidate {self.loaded.manifest.id}: cannot run probe {command[0]!r}: "
                f"{error.strerror}"
            ) from None
        except subprocess.TimeoutExpired:
            raise CandidateError(
                f"candidate {self.loaded.manifest.id}: probe {' '.join(command)} did not finish "
                f"within {settings.probe_timeout:g} s"
            ) from None
        output = (answer.stdout + answer.stderr).decode("utf-8", "replace")
        self.probe_output = output.splitlines()[-30:]
        if answer.returncode != 0:
            raise CandidateError(
                self._with_log(
                    f"candidate {self.loaded.manifest.id}: probe {' '.join(command)} exited "
                    f"with code {answer.returncode}"
                )
            )

    def log_tail(self) -> list[str]:
        return list(self.probe_output)

    def stop(self) -> None:
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def start_parameters(self) -> dict[str, Any]:
        settings = self.command_settings
        return {
            "kind": self.kind,
            "requires": settings.requires,
            "probe": settings.probe,
            "env": sorted(settings.env),
            "files": sorted(settings.files),
        }
