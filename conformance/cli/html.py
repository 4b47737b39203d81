"""Commands: ``report html``, ``report compare`` and ``registry site`` (``register`` adds them)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import click
from rich.console import Console

from conformance.errors import InputError

TRUST_ENV = "CONFORMANCE_TRUST_LIST"
console = Console()


def _moment(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--at: not an ISO 8601 date or time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _existing(paths: tuple[Path, ...]) -> None:
    for path in paths:
        if not path.exists():
            raise InputError(f"report {path}: no such file or directory")


trust_option = click.option(
    "--trust",
    "trust_path",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar=TRUST_ENV,
    help=f"trust list used to verify signatures (default ${TRUST_ENV})",
)
registry_option = click.option(
    "--registry",
    "snapshot_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="signed registry snapshot, for the label status",
)
at_option = click.option("--at", "at_text", help="verify as of this date (default: now)")


def register(main: click.Group) -> None:
    from conformance.cli.main import friendly
    from conformance.html.compare_page import Entry, render_compare
    from conformance.html.registry_site import build_site
    from conformance.html.report_page import write_report_html
    from conformance.html.signature import examine, load_inputs
    from conformance.registry.store import Registry, database_url
    from conformance.report.files import write_atomically

    report = cast(click.Group, main.commands["report"])
    registry = cast(click.Group, main.commands["registry"])

    @report.command("html")
    @click.argument("reports", metavar="REPORT...", nargs=-1, required=True, type=Path)
    @trust_option
    @registry_option
    @at_option
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
        _existing(reports)
        at = _moment(at_text)
        inputs = load_inputs(trust_path, snapshot_path, at)
        for path in reports:
            console.print(f"wrote {write_report_html(path, inputs, at)}")

    @report.command("compare")
    @click.argument("reports", metavar="REPORT REPORT...", nargs=-1, required=True, type=Path)
    @click.option(
        "--out",
        type=click.Path(path_type=Path, dir_okay=False),
        default=Path("compare.html"),
        show_default=True,
    )
    @click.option("--profile", help="the profile to compare (needed when they share several)")
    @trust_option
    @registry_option
    @at_option
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
        _existing(reports)
        at = _moment(at_text)
        inputs = load_inputs(trust_path, snapshot_path, at)
        entries = [Entry(path, *examine(path, inputs, at)) for path in reports]
        page = render_compare(entries, out, profile)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(out, page.encode("utf-8"))
        console.print(f"wrote {out}")

    @registry.command("site")
    @click.argument("out", type=click.Path(path_type=Path, file_okay=False))
    @click.option(
        "--db",
        "db",
        metavar="URL|PATH",
        help="registry database (default $CONFORMANCE_REGISTRY_URL or registry/labels.sqlite)",
    )
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
    @trust_option
    @at_option
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
        at = _moment(at_text)
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
