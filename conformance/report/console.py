"""The per-requirement summary table shown at the end of a run."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from conformance.outcomes import Outcome
from conformance.report.model import Report

STYLE = {
    Outcome.PASSED: "green",
    Outcome.FAILED: "bold red",
    Outcome.CANT_TELL: "yellow",
    Outcome.INAPPLICABLE: "dim",
    Outcome.UNTESTED: "magenta",
}


def render_summary(report: Report, width: int = 120, colour: bool = False) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, force_terminal=colour, color_system="standard" if colour else None
    )
    table = Table(
        title=f"{report.candidate.product} {report.candidate.version or ''} — requirements",
        show_lines=False,
    )
    # Ids and outcomes stay whole; the note column gives way in a narrow terminal.
    table.add_column("requirement", no_wrap=True)
    table.add_column("level", min_width=6)
    table.add_column("section", overflow="fold")
    table.add_column("outcome", min_width=12)
    table.add_column("note", overflow="fold", ratio=1)
    for requirement in report.requirements:
        note = requirement.findings[0].message if requirement.findings else ""
        if requirement.known_deviation:
            note = f"known deviation: {requirement.known_deviation.reason}"
        table.add_row(
            requirement.id,
            requirement.level,
            f"{requirement.spec} §{requirement.section}",
            f"[{STYLE[requirement.outcome]}]{requirement.outcome.value}[/]",
            note[:160],
        )
    console.print(table)
    for verdict in report.profiles:
        line = (
            f"profile {verdict.profile} v{verdict.version}: {verdict.verdict.upper()}"
            f"  (MUST failed: {len(verdict.failed_must)}, MUST unmet: {len(verdict.unmet_must)},"
            f" SHOULD warnings: {len(verdict.warnings)})"
        )
        console.print(f"[{'green' if verdict.verdict == 'pass' else 'bold red'}]{line}[/]")
    counts = ", ".join(f"{count} {name}" for name, count in report.summary.by_outcome.items())
    console.print(
        f"{report.summary.requirements} requirements: {counts}; verdict {report.verdict.upper()}"
    )
    if report.stale_deviations:
        console.print(
            f"[yellow]stale known deviations (the requirement now passes; drop them from the "
            f"manifest): {', '.join(report.stale_deviations)}[/]"
        )
    if report.run.stop_reason:
        console.print(f"[bold red]run incomplete: {report.run.stop_reason}[/]")
    return buffer.getvalue()
