"""The ``conformance`` command: run campaigns, list suites and candidates, manage reports.

Each command group lives in its own module and never imports this one; here they are put
together under ``main``, then every suite's own commands (``conformance odf …``) are added.
"""

from __future__ import annotations

import click

from conformance import __version__
from conformance.cli import (
    catalogue,
    faults,
    images,
    keys,
    label,
    registry,
    report,
    run,
    verify,
)
from conformance.suite.commands import register_suite_commands


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="conformance")
def main() -> None:
    """European Open Standard conformance harness."""


main.add_command(run.run)
main.add_command(catalogue.list_suites)
main.add_command(catalogue.list_candidates)
main.add_command(report.report)
main.add_command(images.images)
main.add_command(faults.faults)
main.add_command(keys.keys_group)
main.add_command(verify.verify)
main.add_command(label.label_group)
main.add_command(registry.registry_group)

register_suite_commands(main)  # after the core commands: a core command keeps its name

__all__ = ["main"]
