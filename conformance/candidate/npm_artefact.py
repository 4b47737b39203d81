"""Artefacts installed from the npm registry, pinned by a package-lock.json.

The lock file records each package's exact version and the registry's integrity hash
(Subresource Integrity, sha512 of the tarball). The artefact digest is the SHA-256 of that
package's canonical lock entry (name, version, resolved URL, integrity), so it changes
exactly when a different tarball would be installed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from conformance.errors import InputError


def npm_package_digest(lockfile: Path, package: str) -> tuple[str, str]:
    """``(sha256:<hex>, version)`` of ``package`` as pinned by ``lockfile``."""
    try:
        lock = json.loads(lockfile.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"npm lock file {lockfile}: cannot read it: {error.strerror}") from None
    except ValueError as error:
        raise InputError(f"npm lock file {lockfile}: not valid JSON: {error}") from None
    packages = lock.get("packages") if isinstance(lock, dict) else None
    entry = packages.get(f"node_modules/{package}") if isinstance(packages, dict) else None
    if not isinstance(entry, dict):
        raise InputError(f"npm lock file {lockfile}: does not pin package {package!r}")
    missing = [key for key in ("version", "integrity") if not isinstance(entry.get(key), str)]
    if missing:
        raise InputError(
            f"npm lock file {lockfile}: package {package!r} has no {' or '.join(missing)}"
        )
    canonical = {
        "name": package,
        "version": entry["version"],
        "resolved": entry.get("resolved"),
        "integrity": entry["integrity"],
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest(), str(entry["version"])
