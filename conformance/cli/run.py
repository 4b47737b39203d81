"""``conformance run``: a campaign, every candidate against the suites it claims."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from conformance.candidate.launchers.cleanup import install_signal_handlers
from conformance.candidate.manifest import load_manifest, resolve_manifest
from conformance.cli.common import (
    bundled_manifests,
    console,
    friendly,
    load_signing_key,
)
from conformance.errors import EXIT_INTERRUPTED, InputError
from conformance.html.campaign_pages import write_campaign_comparisons
from conformance.locations import bundled_candidates_dir
from conformance.run.campaign import (
    CampaignOptions,
    CandidateRun,
    campaign_exit_code,
    plan_campaign,
    run_candidate,
    write_campaign_index,
)
from conformance.run.outputs import sign_run
from conformance.suite.discovery import discover_suites


@click.command()
@click.option(
    "--candidate",
    "candidates",
    multiple=True,
    help="manifest path or bundled candidate id (repeatable; default: all bundled)",
)
@click.option("--campaign", default="reference", show_default=True, help="campaign name")
@click.option(
    "--kind",
    type=click.Choice(["self-assessment", "official"]),
    default="self-assessment",
    show_default=True,
)
@click.option("--assessor", default=None, help="who runs the campaign (default: user name)")
@click.option(
    "--output-root", type=click.Path(path_type=Path), default=Path("reports"), show_default=True
)
@click.option("--profile", "profiles", multiple=True, help="restrict to this profile")
@click.option(
    "--requirement", "requirements", multiple=True, help="run only checks covering this requirement"
)
@click.option("--seed", type=int, default=None, help="seed for property-based checks")
@click.option(
    "--sign-key",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="sign each report with this Ed25519 private key (writes report.dsse.json)",
)
@click.option(
    "--sign-passphrase-env", metavar="VAR", default=None, help="passphrase of --sign-key in $VAR"
)
@click.argument("pytest_args", nargs=-1, type=click.UNPROCESSED)
@friendly
def run(
    candidates: tuple[str, ...],
    campaign: str,
    kind: str,
    assessor: str | None,
    output_root: Path,
    profiles: tuple[str, ...],
    requirements: tuple[str, ...],
    seed: int | None,
    sign_key: Path | None,
    sign_passphrase_env: str | None,
    pytest_args: tuple[str, ...],
) -> None:
    """Run a campaign: every candidate against the suites of the standards it claims.

    Extra arguments after -- go to pytest (e.g. -- -x -k etag).
    """
    install_signal_handlers()
    suites = discover_suites()
    if candidates:
        loaded = [resolve_manifest(c, bundled_candidates_dir()) for c in candidates]
    else:
        loaded = [load_manifest(path) for path in bundled_manifests()]
        if not loaded:
            raise InputError(f"no bundled candidates in {bundled_candidates_dir()}")
    # Loaded before anything starts, so a wrong passphrase does not waste a campaign.
    signing_key = load_signing_key(sign_key, sign_passphrase_env) if sign_key else None
    options = CampaignOptions(
        campaign,
        kind,
        assessor,
        output_root,
        list(profiles),
        list(requirements),
        seed,
        list(pytest_args),
    )
    # Every manifest is planned before anything starts, so a typo fails fast.
    plan = plan_campaign(loaded, suites, options)
    runs = []
    for manifest, claimed in plan:
        standards = ", ".join(s.standard for s in claimed)
        console.rule(f"{manifest.manifest.product} ({manifest.manifest.id}) — {standards}")
        result = run_candidate(manifest, claimed, options)
        runs.append(result)
        if signing_key is not None and result.report is not None:
            console.print(f"signed: {sign_run(result.report, result.output_dir, signing_key)}")
        if result.exit_code == EXIT_INTERRUPTED:
            break
    index = write_campaign_index(runs, options)
    console.print(_summary(runs, f"campaign {campaign} ({kind})"))
    console.print(f"campaign index: {index}")
    reports = [(r.output_dir, r.report) for r in runs if r.report is not None]
    for page in write_campaign_comparisons(reports, index.parent):
        console.print(f"comparison: {page}")
    sys.exit(campaign_exit_code(runs))


def _summary(runs: list[CandidateRun], title: str) -> Table:
    """One row per candidate and profile: verdict, failure counts, report path."""
    table = Table(title=title)
    for column in (
        "candidate",
        "profile",
        "verdict",
        "MUST failed",
        "MUST unmet",
        "SHOULD warnings",
        "report",
    ):
        table.add_column(column)
    for result in runs:
        if result.report is None:
            table.add_row(
                result.loaded.manifest.id,
                "-",
                f"no report (exit {result.exit_code})",
                "",
                "",
                "",
                "",
            )
            continue
        for verdict in result.report.profiles:
            colour = "green" if verdict.verdict == "pass" else "red"
            table.add_row(
                result.loaded.manifest.id,
                verdict.profile,
                f"[{colour}]{verdict.verdict}[/]",
                str(len(verdict.failed_must)),
                str(len(verdict.unmet_must)),
                str(len(verdict.warnings)),
                str(result.output_dir / "report.json"),
            )
    return table
