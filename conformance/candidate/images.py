"""Building the reference candidates' container images from ``docker/<name>/Containerfile``.

Each Containerfile takes its base image as ``ARG BASE`` and its product version as
``ARG VERSION``; the image is tagged ``localhost/eos-<name>:<version>``. Where the local base
image made by ``docker/setup-runtime.sh`` exists, it is used, so offline machines can build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from conformance.errors import CandidateError, InputError
from conformance.locations import project_root

LOCAL_BASE = "localhost/debian-base:bookworm"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


@dataclass
class ImageRecipe:
    name: str
    containerfile: Path
    version: str

    @property
    def tag(self) -> str:
        return f"localhost/eos-{self.name}:{self.version}"


def recipes() -> dict[str, ImageRecipe]:
    found = {}
    for containerfile in sorted((project_root() / "docker").glob("*/Containerfile")):
        match = re.search(r"^ARG VERSION=(\S+)", containerfile.read_text(), re.MULTILINE)
        if match is None:
            raise InputError(f"{containerfile}: declares no 'ARG VERSION=<version>'")
        name = containerfile.parent.name
        found[name] = ImageRecipe(name, containerfile, match.group(1))
    return found


def container_tool() -> str:
    for tool in ("podman", "docker"):
        path = shutil.which(tool)
        if path:
            return path
    raise CandidateError("neither podman nor docker is installed (docker/setup-runtime.sh)")


def image_exists(tool: str, image: str) -> bool:
    return (
        subprocess.run(
            [tool, "image", "inspect", image], capture_output=True, check=False
        ).returncode
        == 0
    )


def build_command(recipe: ImageRecipe, tool: str, base: str | None) -> list[str]:
    command = [
        tool,
        "build",
        "--network",
        "host",
        "-t",
        recipe.tag,
        "-f",
        str(recipe.containerfile),
    ]
    chosen = base or (LOCAL_BASE if image_exists(tool, LOCAL_BASE) else None)
    if chosen:
        command += ["--build-arg", f"BASE={chosen}"]
    # Podman can mount the host's CA bundle into the build, for TLS through the host's trust.
    if tool.endswith("podman") and HOST_CA_BUNDLE.exists():
        command += [
            "-v",
            f"{HOST_CA_BUNDLE.parent}:/host-certs:ro",
            "--build-arg",
            f"PIP_CERT=/host-certs/{HOST_CA_BUNDLE.name}",
        ]
    return [*command, str(recipe.containerfile.parent)]


def build(recipe: ImageRecipe, base: str | None = None) -> str:
    tool = container_tool()
    result = subprocess.run(
        build_command(recipe, tool, base), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        tail = "\n  ".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise CandidateError(f"building image {recipe.tag} failed:\n  {tail}")
    return recipe.tag
