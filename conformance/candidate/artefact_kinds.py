"""Digests of artefacts installed on the machine: a Debian package, an executable on PATH.

A candidate that is a command-line tool is identified by what is installed, not by an image
or a Python distribution; these give the verdict a digest and a version to be about.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

from conformance.errors import InputError

DPKG_INFO = Path("/var/lib/dpkg/info")


def debian_package_digest(name: str, info_dir: Path = DPKG_INFO) -> tuple[str, str]:
    """The installed version of a Debian package, and SHA-256 over its version line and its
    ``md5sums`` list (every shipped file's MD5), like a Python RECORD."""
    try:
        answer = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Status}\\t${Version}\\t${Architecture}", name],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except FileNotFoundError:
        raise InputError(
            f"artefact debian_package {name!r}: dpkg-query is not available on this machine"
        ) from None
    fields = answer.stdout.strip().split("\t")
    if answer.returncode != 0 or len(fields) != 3 or not fields[0].endswith(" installed"):
        raise InputError(f"artefact debian_package {name!r} is not installed on this machine")
    _, version, architecture = fields
    hasher = hashlib.sha256(f"{name} {version} {architecture}\n".encode())
    for candidate in (info_dir / f"{name}.md5sums", info_dir / f"{name}:{architecture}.md5sums"):
        if candidate.is_file():
            lines = sorted(line for line in candidate.read_text().splitlines() if line.strip())
            hasher.update("\n".join(lines).encode())
            break
    return "sha256:" + hasher.hexdigest(), version


def executable_digest(command: str) -> str:
    """SHA-256 of the file a command name resolves to on PATH (symbolic links followed)."""
    found = shutil.which(command)
    if found is None:
        raise InputError(f"artefact executable {command!r} is not found on PATH")
    path = Path(found).resolve()
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return "sha256:" + hasher.hexdigest()
