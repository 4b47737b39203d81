"""Where the installed suites and the bundled reference candidates live."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from conformance.errors import InputError


def suites_root() -> Path:
    override = os.environ.get("CONFORMANCE_SUITES")
    if override:
        return Path(override)
    spec = importlib.util.find_spec("suites")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("no 'suites' package is installed next to the harness")
    return Path(next(iter(spec.submodule_search_locations)))


def project_root() -> Path:
    return suites_root().parent


def bundled_candidates_dir() -> Path:
    override = os.environ.get("CONFORMANCE_CANDIDATES")
    return Path(override) if override else project_root() / "fixtures" / "candidates"

