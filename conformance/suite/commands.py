"""Commands a suite adds to the ``conformance`` CLI (e.g. a validator for single documents).

A suite whose declaration names ``commands`` (a click command or group) contributes it as
``conformance <suite directory name> …``. The core finds it by location, never by name.
"""

from __future__ import annotations

import click

from conformance.errors import ConformanceError, InputError
from conformance.suite.contract import resolve
from conformance.suite.discovery import discover_suites


def suite_command_groups() -> dict[str, click.Command]:
    """Every suite's declared commands by suite directory name."""
    try:
        suites = discover_suites()
    except ConformanceError:
        return {}
    found: dict[str, click.Command] = {}
    for suite in suites.values():
        reference = suite.declaration.commands
        if reference is None:
            continue
        group = resolve(suite, reference, "commands")
        if not isinstance(group, click.Command):
            raise InputError(
                f"suite {suite.directory.name}: commands {reference!r} must be a click command "
                "or group"
            )
        found[suite.directory.name] = group
    return found


def register_suite_commands(main: click.Group) -> None:
    for name, group in suite_command_groups().items():
        if name in main.commands:
            continue  # a core command keeps its name
        main.add_command(group, name=name)
