"""Launchers start (or reach) a candidate and stop it again.

Each launcher kind registers itself here; a manifest's ``launch.kind`` picks one. The
container launcher plugs in through ``register_launcher`` without changes elsewhere.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from conformance.candidate.launchers.base import Launcher, RunningCandidate
from conformance.candidate.launchers.command import CommandLauncher
from conformance.candidate.launchers.container import ContainerLauncher
from conformance.candidate.launchers.endpoint import EndpointLauncher
from conformance.candidate.launchers.process import ProcessLauncher
from conformance.candidate.manifest import LoadedManifest
from conformance.errors import InputError

_LAUNCHERS: dict[str, type[Launcher]] = {}


def register_launcher(kind: str, launcher: type[Launcher]) -> None:
    _LAUNCHERS[kind] = launcher


def launcher_for(kind: str) -> type[Launcher]:
    try:
        return _LAUNCHERS[kind]
    except KeyError:
        known = ", ".join(sorted(_LAUNCHERS))
        raise InputError(
            f"manifest field 'launch.kind': unknown launcher {kind!r} (known: {known})"
        ) from None


def launcher_of(
    loaded: LoadedManifest, output_dir: Path, public_port: int | None = None
) -> Launcher:
    """The launcher a manifest asks for, its settings validated; errors name the file."""
    try:
        launcher_class = launcher_for(str(loaded.manifest.launch["kind"]))
    except InputError as error:
        raise InputError(f"candidate manifest {loaded.path}: {error}") from None
    return launcher_class(loaded, output_dir, public_port)


def validate_launch(loaded: LoadedManifest) -> None:
    """Check a manifest's ``launch`` section against its launcher, without starting anything."""
    launcher_of(loaded, Path(tempfile.gettempdir()))


register_launcher("process", ProcessLauncher)
register_launcher("endpoint", EndpointLauncher)
register_launcher("container", ContainerLauncher)
register_launcher("command", CommandLauncher)

__all__ = [
    "Launcher",
    "RunningCandidate",
    "launcher_for",
    "launcher_of",
    "register_launcher",
    "validate_launch",
]
