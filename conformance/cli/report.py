"""``conformance report``: rebuild, describe, sign and render run reports."""

from __future__ import annotations

import json
from pathlib import Path

import click

from conformance.cli.common import (
    console,
    errors,
    friendly,
    key_option,
    load_signing_key,
    passphrase_env_option,
)
from conformance.cli.html import report_compare, report_html
from conformance.report.build import build_report
from conformance.report.console import render_summary
from conformance.report.files import REPORT_FILE
from conformance.report.model import report_json_schema
from conformance.run.journal import JOURNAL_FILE, read_journal_leniently
from conformance.run.outputs import show_signature, write_run_outputs
from conformance.trust import keys
from conformance.trust.sign import load_report, sign_report_file


@click.group()
def report() -> None:
    """Work with run reports."""


@report.command("rebuild")
@click.argument("directory", type=click.Path(path_type=Path))
@friendly
def report_rebuild(directory: Path) -> None:
    """Rebuild report.json, junit.xml and earl.jsonld from a run's results journal."""
    contents = read_journal_leniently(directory / JOURNAL_FILE)
    built = build_report(contents.events)
    if contents.damaged:
        for problem in contents.damaged:
            errors.print(f"[yellow]warning:[/] journal {directory / JOURNAL_FILE}: {problem}; "
                         "left out")
        # What was left out may have been anything: the rebuilt run cannot be complete.
        built.run.complete = False
        built.run.stop_reason = (
            f"rebuilt from a damaged journal ({'; '.join(contents.damaged)})"
        )
    for path in write_run_outputs(built, directory):
        console.print(f"wrote {path}")
    console.print(render_summary(built, console.width), markup=False, highlight=False)


@report.command("schema")
def report_schema() -> None:
    """Print the JSON Schema of report.json."""
    click.echo(json.dumps(report_json_schema(), indent=2, sort_keys=True))


@report.command("sign")
@click.argument("report_path", metavar="REPORT", type=click.Path(path_type=Path))
@key_option()
@passphrase_env_option("passphrase of an encrypted key")
@friendly
def report_sign(report_path: Path, key_path: Path, passphrase_env: str | None) -> None:
    """Sign REPORT (report.json or its directory): writes report.dsse.json beside it."""
    key = load_signing_key(key_path, passphrase_env)
    target = sign_report_file(report_path, key)
    console.print(f"signed: {target} (key {keys.key_id(key.public_key())})")
    show_signature(load_report(target.with_name(REPORT_FILE)), target.parent)


report.add_command(report_html)
report.add_command(report_compare)
