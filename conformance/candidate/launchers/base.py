"""What every launcher provides: start a candidate, report whether it lives, stop it."""

from __future__ import annotations

import os
import socket
import time
from abc import ABC, abstractmethod
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, ClassVar

import requests
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from conformance.candidate.manifest import LoadedManifest, expand
from conformance.check.deadline import DeadlineExceeded, deadline
from conformance.errors import CandidateError, InputError
from conformance.tomlfile import describe_validation_error

LOG_TAIL_LINES = 30


# One readiness probe may take this long in all, however slowly the candidate answers.
PROBE_DEADLINE_SECONDS = 5.0


def _stays_inside(files: dict[str, str], absolute_allowed: bool) -> dict[str, str]:
    """File names a manifest gives must stay inside the directory they are written into."""
    for name in files:
        path = PurePosixPath(name)
        if path.is_absolute() and not absolute_allowed:
            raise ValueError(f"file name {name!r} is absolute; give a name inside the "
                             "candidate's working directory")
        if ".." in path.parts or not path.parts or name.strip() != name:
            raise ValueError(f"file name {name!r} leaves the directory it is written into")
    return files


def path_inside(base: Path, name: str, field: str) -> Path:
    """BASE/NAME, refused (exit 2) if NAME, once expanded, leads out of BASE."""
    target = (base / name.lstrip("/")).resolve()
    if not target.is_relative_to(base.resolve()):
        raise InputError(f"manifest field {field!r}: file name {name!r} leaves {base}")
    return target


def write_launch_files(workdir: Path, files: dict[str, str], values: dict[str, str]) -> None:
    """``launch.files`` into WORKDIR, placeholders filled in, each readable by its owner only."""
    for name, content in files.items():
        target = path_inside(workdir, expand(name, values, "launch.files"), "launch.files")
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(expand(content, values, f"launch.files.{name}"))


# ``launch.files``: names relative to the candidate's working directory.
WorkdirFiles = Annotated[dict[str, str], AfterValidator(lambda f: _stays_inside(f, False))]
# Container files: absolute paths inside the container, never with "..".
ContainerFiles = Annotated[dict[str, str], AfterValidator(lambda f: _stays_inside(f, True))]


class ReadinessProbe(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # A path on the base endpoint; ready when it answers with a status below ``below_status``.
    http: str | None = "/"
    below_status: int = 500
    timeout: float = Field(default=30.0, gt=0)
    interval: float = Field(default=0.1, gt=0)


class RunningCandidate:
    """A reachable candidate: its expanded endpoints, and how it is doing."""

    def __init__(self, endpoints: dict[str, str], launcher: Launcher) -> None:
        self.endpoints = endpoints
        self.launcher = launcher

    @property
    def base_url(self) -> str:
        return self.endpoints["base"]

    def exit_problem(self) -> str | None:
        """Why the candidate is no longer serving, or None while it is."""
        return self.launcher.exit_problem()

    def log_tail(self) -> list[str]:
        return self.launcher.log_tail()


class Launcher(ABC):
    """Starts one candidate described by a manifest. Subclasses validate ``launch`` settings."""

    kind: ClassVar[str]
    Settings: ClassVar[type[BaseModel]]

    def __init__(
        self, loaded: LoadedManifest, output_dir: Path, public_port: int | None = None
    ) -> None:
        self.loaded = loaded
        self.output_dir = output_dir
        # The port clients reach the candidate at when a proxy fronts it (``{public_port}``);
        # by default the candidate's own port. Servers that put their own URL into what they
        # send (an OpenID issuer, a federation id) are configured with it.
        self.public_port = public_port
        raw = {k: v for k, v in loaded.manifest.launch.items() if k != "kind"}
        try:
            self.settings = self.Settings.model_validate(raw)
        except ValidationError as error:
            raise InputError(
                describe_validation_error(loaded.path, "candidate manifest", error, prefix="launch")
            ) from None
        self.template_values: dict[str, str] = {}

    @abstractmethod
    def start(self) -> RunningCandidate: ...

    @abstractmethod
    def stop(self) -> None: ...

    def exit_problem(self) -> str | None:
        return None

    def log_tail(self) -> list[str]:
        return []

    def start_parameters(self) -> dict[str, Any]:
        """The exact parameters used to start the candidate, kept as evidence."""
        return {"kind": self.kind}

    def resolved_artefact_digests(self) -> dict[str, str]:
        """Artefact digests only known once started (e.g. the image that actually ran)."""
        return {}

    def port_values(self, port: int) -> dict[str, str]:
        """The ``{port}`` and ``{public_port}`` placeholder values."""
        return {"port": str(port), "public_port": str(self.public_port or port)}

    def expand_endpoints(self) -> dict[str, str]:
        return {
            name: expand(url, self.template_values, f"endpoints.{name}")
            for name, url in self.loaded.manifest.endpoints.items()
        }

    def wait_until_ready(self, endpoints: dict[str, str], probe: ReadinessProbe) -> None:
        """Poll the readiness probe until it answers, the candidate dies, or time runs out."""
        ends = time.monotonic() + probe.timeout
        target = endpoints["base"].rstrip("/") + "/" + (probe.http or "").lstrip("/")
        last_seen = "no answer yet"
        while time.monotonic() < ends:
            problem = self.exit_problem()
            if problem:
                raise CandidateError(
                    self._with_log(
                        f"candidate {self.loaded.manifest.id} {problem} before it became ready"
                    )
                )
            try:
                if probe.http is None:
                    _tcp_connect(target)
                    return
                # A trickling answer defeats the per-read timeout: bound the whole probe too.
                with deadline(PROBE_DEADLINE_SECONDS, f"readiness probe {target}"):
                    response = requests.get(target, timeout=2, allow_redirects=False)
                if response.status_code < probe.below_status:
                    return
                last_seen = f"HTTP {response.status_code}"
            except (requests.RequestException, OSError, DeadlineExceeded) as error:
                last_seen = type(error).__name__
            time.sleep(probe.interval)
        raise CandidateError(
            self._with_log(
                f"candidate {self.loaded.manifest.id} did not become ready within "
                f"{probe.timeout:g} s: probe {target} saw {last_seen}"
            )
        )

    def _with_log(self, message: str) -> str:
        tail = self.log_tail()[-10:]
        if not tail:
            return message
        return message + "\nlast log lines:\n  " + "\n  ".join(tail)


def _tcp_connect(url: str) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=1):
        pass


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> list[str]:
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return []
    return text.splitlines()[-lines:]
