"""``conformance faults``: prove each suite's checks fail when the candidate is wrong."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from conformance.candidate.manifest import resolve_manifest
from conformance.cli.common import console, friendly
from conformance.errors import InputError
from conformance.locations import bundled_candidates_dir
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import load_faults, run_fault_catalogue


@click.group()
def faults() -> None:
    """Fault catalogues: prove each suite's checks fail when the candidate is wrong."""


@faults.command("list")
@click.argument("standard", required=False)
@friendly
def faults_list(standard: str | None) -> None:
    """List the faults of every suite (or of STANDARD) and the requirements they break."""
    table = Table(title="fault catalogues")
    for column in ("standard", "fault", "breaks", "description"):
        table.add_column(column, overflow="fold")
    for name, suite in _chosen_suites(standard).items():
        for fault in load_faults(suite):
            table.add_row(name, fault.name, "\n".join(fault.breaks), fault.description)
    console.print(table)


@faults.command("run")
@click.argument("standard")
@click.option("--candidate", required=True, help="a candidate claiming STANDARD, started once")
@click.option("--fault", "only", multiple=True, help="run only this fault (repeatable)")
@click.option(
    "--work-dir", type=click.Path(path_type=Path), default=Path("reports/faults"), show_default=True
)
@friendly
def faults_run(standard: str, candidate: str, only: tuple[str, ...], work_dir: Path) -> None:
    """Inject every fault of STANDARD's catalogue in front of a real candidate."""
    suite = _chosen_suites(standard)[standard]
    catalogue = load_faults(suite)
    if only:
        unknown = set(only) - {f.name for f in catalogue}
        if unknown:
            raise InputError(f"--fault: unknown fault(s) {', '.join(sorted(unknown))}")
        catalogue = [f for f in catalogue if f.name in only]
    loaded = resolve_manifest(candidate, bundled_candidates_dir())
    if not only:
        # Faults proven against another reference product are not this candidate's to catch.
        catalogue = [f for f in catalogue if f.proven_against in (None, loaded.manifest.id)]
    applied_by_suite = [f.name for f in catalogue if not f.injected_by_harness]
    catalogue = [f for f in catalogue if f.injected_by_harness]
    if not catalogue:
        raise InputError(
            f"the {standard} faults change no traffic and start no variant, so the fault runner "
            f"cannot inject them; the suite applies them itself (see its README)"
        )
    if applied_by_suite:
        console.print(
            f"not injected here (the suite applies them itself): {', '.join(applied_by_suite)}"
        )
    clean, results = run_fault_catalogue(loaded, suite, catalogue, work_dir / loaded.manifest.id)
    table = Table(title=f"{standard} faults against {loaded.manifest.product}")
    for column in ("fault", "must fail", "clean run", "with fault", "caught"):
        table.add_column(column, overflow="fold")
    for result in results:
        table.add_row(
            result.fault.name,
            "\n".join(result.fault.breaks),
            "\n".join(clean.get(r, "untested") for r in result.fault.breaks),
            "\n".join(str(result.outcomes.get(r, "untested")) for r in result.fault.breaks),
            "[green]yes[/]" if result.caught else f"[red]NO[/] {result.problem or ''}",
        )
    console.print(table)
    missed = [r.fault.name for r in results if not r.caught]
    console.print(f"{len(results) - len(missed)} of {len(results)} faults caught")
    sys.exit(1 if missed else 0)


def _chosen_suites(standard: str | None) -> dict[str, Any]:
    suites = discover_suites()
    if standard is None:
        return suites
    if standard not in suites:
        raise InputError(f"unknown standard {standard!r} (installed: {', '.join(sorted(suites))})")
    return {standard: suites[standard]}
