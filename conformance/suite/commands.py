"""Commands a suite adds to the ``conformance`` CLI (e.g. a validator for single documents).

A suite directory holding a ``commands.py`` with a ``COMMANDS`` click group contributes it as
``conformance <directory name> …``. The core imports it by location, never by name.
"""

from __future__ import annotations

import importlib

import click

from conformance.errors import ConformanceError, InputError
from conformance.locations import suites_root
from conformance.suite.catalogue import CATALOGUE_FILE

COMMANDS_MODULE = "commands"


def suite_command_groups() -> dict[str, click.Command]:
    """Every suite's ``COMMANDS`` by suite directory name."""
    try:
        root = suites_root()
    except ConformanceError:
        return {}
    found: dict[str, click.Command] = {}
    for directory in sorted(root.iterdir()):
        if not (directory / CATALOGUE_FILE).is_file():
            continue
        if not (directory / f"{COMMANDS_MODULE}.py").is_file():
            continue
        module = importlib.import_module(f"{root.name}.{directory.name}.{COMMANDS_MODULE}")
        group = getattr(module, "COMMANDS", None)
        if not isinstance(group, click.Command):
            raise InputError(
                f"suite {directory.name}: {COMMANDS_MODULE}.py must define COMMANDS, a click "
                "command or group"
            )
        found[directory.name] = group
    return found


def register_suite_commands(main: click.Group) -> None:
    for name, group in suite_command_groups().items():
        if name in main.commands:
            continue  # a core command keeps its name
        main.add_command(group, name=name)
