"""The container launcher: the candidate runs in OCI containers through testcontainers.

Works against Docker or Podman's Docker-compatible API (see ``runtime``). The main container
publishes one port on 127.0.0.1 only; extra services (a database, a second server) join a
private network under their names. Everything created carries the run's label, is removed at
stop, and is reaped by a watchdog process should the harness die without stopping.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from conformance.candidate.launchers import cleanup, reaper
from conformance.candidate.launchers.base import (
    ContainerFiles,
    Launcher,
    ReadinessProbe,
    RunningCandidate,
    free_loopback_port,
    path_inside,
)
from conformance.candidate.launchers.runtime import ensure_container_api
from conformance.candidate.manifest import expand
from conformance.errors import CandidateError

LOG_FILE = "candidate.log"
LOG_TAIL_LINES = 30


class ServiceSettings(BaseModel):
    """An extra container on the candidate's private network, reachable by ``name``."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    image: str
    entrypoint: list[str] | None = None
    command: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    files: ContainerFiles = Field(default_factory=dict, description="container path -> content")


class ContainerSettings(ServiceSettings):
    name: str = Field(default="candidate", pattern=r"^[a-z0-9][a-z0-9-]*$")
    port: int = Field(gt=0, lt=65536, description="container port published as {port}")
    ready: ReadinessProbe = ReadinessProbe()
    memory: str = "1g"
    cpus: float = Field(default=1.0, gt=0)
    services: list[ServiceSettings] = Field(default_factory=list)
    # The host's network namespace instead of a published port: the candidate then listens on
    # 127.0.0.1:{port} itself. For a candidate that must reach the harness on loopback (the
    # harness's own servers never listen beyond it), which a bridged container cannot.
    host_network: bool = False

    @model_validator(mode="after")
    def _host_network_alone(self) -> ContainerSettings:
        if self.host_network and self.services:
            raise ValueError("host_network cannot be combined with services (they need a "
                             "private network of their own)")
        return self


class ContainerLauncher(Launcher):
    kind: ClassVar[str] = "container"
    Settings: ClassVar[type[BaseModel]] = ContainerSettings

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.run_id = uuid.uuid4().hex
        self.containers: dict[str, Any] = {}
        self.network: Any = None
        self.files_dir: Path | None = None
        self.image_ids: dict[str, str] = {}
        self.parameters: dict[str, Any] = {}

    @property
    def container_settings(self) -> ContainerSettings:
        assert isinstance(self.settings, ContainerSettings)
        return self.settings

    def start(self) -> RunningCandidate:
        settings = self.container_settings
        ensure_container_api()
        reaper.spawn(self.run_id)
        cleanup.track(self)
        port = free_loopback_port()
        self.template_values = {**self.port_values(port), "host": "127.0.0.1"}
        self.files_dir = Path(tempfile.mkdtemp(prefix=f"eos-{self.loaded.manifest.id}-"))
        try:
            if settings.services:
                self._create_network()
            for service in settings.services:
                self._start(service, publish=None)
            self._start(settings, publish=(settings.port, port))
            endpoints = self.expand_endpoints()
            self.wait_until_ready(endpoints, settings.ready)
        except BaseException:
            self.stop()
            raise
        return RunningCandidate(endpoints, self)

    def _labels(self) -> dict[str, str]:
        return {reaper.LABEL: self.run_id, "org.eos-conformance.candidate": self.loaded.manifest.id}

    def _create_network(self) -> None:
        from testcontainers.core.network import Network

        self.network = Network(docker_network_kw={"labels": self._labels()}).create()

    def _start(self, service: ServiceSettings, publish: tuple[int, int] | None) -> None:
        from testcontainers.core.container import DockerContainer

        import docker

        field = f"launch.services.{service.name}" if publish is None else "launch"
        values = self.template_values
        container = DockerContainer(service.image)
        container.with_envs(
            **{k: expand(v, values, f"{field}.env.{k}") for k, v in service.env.items()}
        )
        if service.command:
            container.with_command([expand(a, values, f"{field}.command") for a in service.command])
        for path, content in service.files.items():
            container.with_volume_mapping(
                self._write_file(service.name, path, content, field), path, mode="ro"
            )
        settings = self.container_settings
        extra: dict[str, Any] = {}
        if service.entrypoint is not None:
            extra["entrypoint"] = service.entrypoint
        host_network = publish is not None and settings.host_network
        if host_network:
            extra["network_mode"] = "host"
        container.with_kwargs(
            labels=self._labels(),
            mem_limit=settings.memory,
            nano_cpus=int(settings.cpus * 1e9),
            **extra,
        )
        if self.network is not None:
            container.with_network(self.network).with_network_aliases(service.name)
        if publish is not None and not host_network:
            # Published on loopback only: a candidate under test is not for the network.
            container.ports[f"{publish[0]}/tcp"] = ("127.0.0.1", publish[1])  # type: ignore[assignment]
        self.parameters[service.name] = {
            "image": service.image,
            "entrypoint": service.entrypoint,
            "command": service.command,
            "env": sorted(service.env),
            "files": sorted(service.files),
            "published": None if host_network else publish,
            "network": "host" if host_network else "bridge",
            "memory": settings.memory,
            "cpus": settings.cpus,
        }
        try:
            container.start()
        except docker.errors.ImageNotFound as error:
            raise CandidateError(
                f"image {service.image!r} does not exist locally and could not "
                f"be pulled: {error.explanation or error}"
            ) from None
        except docker.errors.APIError as error:
            raise CandidateError(
                f"container for image {service.image!r} could not start: "
                f"{error.explanation or error}"
            ) from None
        self.containers[service.name] = container
        wrapped = container.get_wrapped_container()
        wrapped.reload()
        self.image_ids[service.image] = str(wrapped.attrs["Image"])
        self.parameters[service.name]["image_id"] = self.image_ids[service.image]

    def _write_file(self, service: str, path: str, content: str, field: str) -> str:
        assert self.files_dir is not None
        target = path_inside(self.files_dir / service, path, f"{field}.files")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(expand(content, self.template_values, f"{field}.files"), "utf-8")
        target.chmod(0o600)
        return str(target)

    def exit_problem(self) -> str | None:
        for name, container in self.containers.items():
            wrapped = container.get_wrapped_container()
            try:
                wrapped.reload()
            except Exception:
                return f"container {name} disappeared"
            state = wrapped.attrs.get("State", {})
            if state.get("Status") in ("exited", "dead", "stopped"):
                return (
                    f"container {name} ({wrapped.attrs['Config']['Image']}) exited with code "
                    f"{state.get('ExitCode')}"
                )
        return None

    def log_tail(self) -> list[str]:
        main = self.containers.get(self.container_settings.name)
        if main is None:
            return []
        with contextlib.suppress(Exception):
            data = main.get_wrapped_container().logs(tail=LOG_TAIL_LINES)
            return [str(line) for line in data.decode("utf-8", "replace").splitlines()]
        return []

    def stop(self) -> None:
        cleanup.untrack(self)
        self.output_dir.mkdir(parents=True, exist_ok=True)
        for name, container in list(self.containers.items()):
            suffix = "" if name == self.container_settings.name else f"-{name}"
            with contextlib.suppress(Exception):
                logs = container.get_wrapped_container().logs()
                (self.output_dir / f"candidate{suffix}.log").write_bytes(logs)
            with contextlib.suppress(Exception):
                container.get_wrapped_container().remove(force=True, v=True)
            del self.containers[name]
        if self.network is not None:
            with contextlib.suppress(Exception):
                self.network.remove()
            self.network = None
        # Whatever escaped the steps above (a start cut short midway) goes by label.
        with contextlib.suppress(Exception):
            reaper.remove_labelled(self.run_id)
        if self.files_dir is not None:
            import shutil

            shutil.rmtree(self.files_dir, ignore_errors=True)
            self.files_dir = None

    def start_parameters(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "containers": self.parameters,
            "endpoints": self.expand_endpoints() if self.template_values else {},
            "run_label": f"{reaper.LABEL}={self.run_id}",
        }

    def resolved_artefact_digests(self) -> dict[str, str]:
        """The image that actually ran, by content digest, for every image artefact."""
        return {
            a.name: self.image_ids[a.image]
            for a in self.loaded.manifest.artefacts
            if a.image and a.image in self.image_ids
        }
