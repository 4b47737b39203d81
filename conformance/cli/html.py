"""HTML pages from reports: ``report html``, ``report compare`` and ``registry site``.

The commands are defined here and added to their groups by :mod:`conformance.cli.report` and
:mod:`conformance.cli.registry`. The page renderers are imported when a command runs, so
``--help`` stays quick.
"""

from __future__ import annotations

from pathlib import Path

import click

from conformance.cli.common import (
    TRUST_ENV,
    at_option,
    console,
    db_option,
    friendly,
    parse_moment,
    trust_option,
)
from conformance.errors import InputError

SIGNATURE_TRUST_HELP = f"trust list used to verify signatures (default ${TRUST_ENV})"


def _existing(paths: tuple[Path, ...]) -> None:
    for path in paths:
        if not path.exists():
            raise InputError(f"report {path}: no such file or directory")


snapshot_option = click.option(
    "--registry",
    "snapshot_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="signed registry snapshot, for the label status",
)


@click.command("html")
@click.argument("reports", metavar="REPORT...", nargs=-1, required=True, type=Path)
@trust_option(SIGNATURE_TRUST_HELP, dir_okay=False)
@snapshot_option
@at_option()
@friendly
def report_html(
    reports: tuple[Path, ...],
    trust_path: Path | None,
    snapshot_path: Path | None,
    at_text: str | None,
) -> None:
    """Write report.html beside each REPORT (a run directory, report.json or its envelope).

    The page shows the signature status found by verifying the report now.
    """
    from conformance.html.report_page import write_report_html
    from conformance.html.signature import load_inputs

    _existing(reports)
    at = parse_moment(at_text)
    inputs = load_inputs(trust_path, snapshot_path, at)
    for path in reports:
        console.print(f"wrote {write_report_html(path, inputs, at)}")


@click.command("compare")
@click.argument("reports", metavar="REPORT REPORT...", nargs=-1, required=True, type=Path)
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("compare.html"),
    show_default=True,
)
@click.option("--profile", help="the profile to compare (needed when they share several)")
@trust_option(SIGNATURE_TRUST_HELP, dir_okay=False)
@snapshot_option
@at_option()
@friendly
def report_compare(
    reports: tuple[Path, ...],
    out: Path,
    profile: str | None,
    trust_path: Path | None,
    snapshot_path: Path | None,
    at_text: str | None,
) -> None:
    """Several candidates' reports for one profile side by side, in one HTML page."""
    from conformance.html.compare_page import Entry, render_compare
    from conformance.html.signature import examine, load_inputs
    from conformance.report.files import write_atomically

    _existing(reports)
    at = parse_moment(at_text)
    inputs = load_inputs(trust_path, snapshot_path, at)
    entries = [Entry(path, *examine(path, inputs, at)) for path in reports]
    page = render_compare(entries, out, profile)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(out, page.encode("utf-8"))
    console.print(f"wrote {out}")


@click.command("site")
@click.argument("out", type=click.Path(path_type=Path, file_okay=False))
@db_option("registry database (default $CONFORMANCE_REGISTRY_URL or registry/labels.sqlite)")
@click.option(
    "--reports",
    "report_dirs",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="directory searched for signed reports (report.dsse.json) to publish and link",
)
@click.option(
    "--snapshot",
    "snapshot_path",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="signed registry snapshot to publish for offline checks",
)
@trust_option(SIGNATURE_TRUST_HELP, dir_okay=False)
@at_option()
@friendly
def registry_site(
    out: Path,
    db: str | None,
    report_dirs: tuple[Path, ...],
    snapshot_path: Path | None,
    trust_path: Path | None,
    at_text: str | None,
) -> None:
    """Write a static site of the label registry into OUT: products, labels, badges."""
    from conformance.html.registry_site import build_site
    from conformance.html.signature import load_inputs
    from conformance.registry.store import Registry, database_url

    at = parse_moment(at_text)
    store = Registry(database_url(db, must_exist=True))
    try:
        written = build_site(
            store,
            out,
            at,
            list(report_dirs),
            snapshot_path,
            load_inputs(trust_path, snapshot_path, at),
        )
    finally:
        store.close()
    console.print(f"wrote {len(written)} files into {out} (open {out / 'index.html'})")
