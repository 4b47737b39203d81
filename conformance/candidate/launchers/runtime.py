"""Finding a Docker-compatible container API, or starting Podman's where none runs.

testcontainers talks to whatever ``DOCKER_HOST`` names. Without one, and without a Docker
socket, the harness starts ``podman system service`` on a socket of its own; the service
exits by itself after a minute without clients, so nothing lingers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from conformance.errors import CandidateError

PODMAN_IDLE_SECONDS = 60
DOCKER_SOCKETS = (Path("/var/run/docker.sock"), Path("/run/podman/podman.sock"))


def _answers(socket_path: Path) -> bool:
    if not socket_path.exists():
        return False
    try:
        import docker

        client = docker.DockerClient(  # type: ignore[attr-defined]
            base_url=f"unix://{socket_path}", timeout=3
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # any failure means: not a usable API here
        return False


def _own_podman_socket() -> Path:
    directory = Path(os.environ.get("XDG_RUNTIME_DIR") or f"/tmp/eos-podman-{os.getuid()}")
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    return directory / "podman.sock"


def _start_podman_service(socket_path: Path) -> None:
    podman = shutil.which("podman")
    if podman is None:
        raise CandidateError(
            "no container runtime: DOCKER_HOST is not set, no Docker or Podman socket "
            "answers, and podman is not installed (docker/setup-runtime.sh installs it)"
        )
    socket_path.unlink(missing_ok=True)
    subprocess.Popen(
        [podman, "system", "service", f"--time={PODMAN_IDLE_SECONDS}", f"unix://{socket_path}"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if _answers(socket_path):
            return
        time.sleep(0.1)
    raise CandidateError(f"podman system service did not answer on {socket_path} within 20 s")


def ensure_container_api() -> str:
    """A ``DOCKER_HOST`` value that answers; sets the environment testcontainers reads."""
    # The reaper container cannot be pulled on offline machines; the harness reaps itself.
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
    os.environ.setdefault("TESTCONTAINERS_CONNECTION_MODE", "docker_host")
    declared = os.environ.get("DOCKER_HOST")
    if declared:
        return declared
    for candidate in (*DOCKER_SOCKETS, _own_podman_socket()):
        if _answers(candidate):
            os.environ["DOCKER_HOST"] = f"unix://{candidate}"
            return os.environ["DOCKER_HOST"]
    socket_path = _own_podman_socket()
    _start_podman_service(socket_path)
    os.environ["DOCKER_HOST"] = f"unix://{socket_path}"
    return os.environ["DOCKER_HOST"]
