"""Finding the installed suites: every directory under the suites root holding a catalogue."""

from __future__ import annotations

from conformance.locations import suites_root
from conformance.suite.catalogue import CATALOGUE_FILE, Suite, load_suite


def discover_suites() -> dict[str, Suite]:
    """Every suite directory (one holding a catalogue) under the suites root, by standard."""
    found: dict[str, Suite] = {}
    for directory in sorted(suites_root().iterdir()):
        if (directory / CATALOGUE_FILE).is_file():
            suite = load_suite(directory)
            found[suite.standard] = suite
    return found
