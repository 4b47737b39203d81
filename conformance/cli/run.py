"""``conformance run``: a campaign, every candidate against the suites it claims, its shards
run side by side on this machine or on a Dask cluster."""

from __future__ import annotations

import os
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
from conformance.errors import InputError
from conformance.html.campaign_pages import write_campaign_comparisons
from conformance.locations import bundled_candidates_dir
from conformance.run.campaign import (
    campaign_candidates,
    campaign_exit_code,
    plan_campaign,
    write_campaign_index,
)
from conformance.run.coordinator import ShardRecord, done_reports, run_shards
from conformance.run.executors import DaskExecutor, Executor, LocalExecutor
from conformance.run.progress import CampaignProgress
from conformance.run.shards import ShardOptions, shards_of
from conformance.suite.campaign_hooks import write_campaign_pages
from conformance.suite.discovery import discover_suites

SCHEDULER_ENV = "CONFORMANCE_SCHEDULER"


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
@click.option(
    "--workers",
    type=int,
    default=None,
    help="shards run side by side on this machine (default: the number of cores)",
)
@click.option(
    "--scheduler",
    envvar=SCHEDULER_ENV,
    default=None,
    help=f"run the shards on the Dask cluster of this scheduler, e.g. tcp://host:8786 "
    f"(or ${SCHEDULER_ENV})",
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
    workers: int | None,
    scheduler: str | None,
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
    options = ShardOptions(
        campaign=campaign,
        kind=kind,
        assessor=assessor,
        profiles=profiles,
        requirements=requirements,
        seed=seed,
        extra_pytest_args=pytest_args,
    )
    # Every manifest is planned before anything starts, so a typo fails fast.
    shards = shards_of(plan_campaign(loaded, suites, options))
    pool_size = workers if workers is not None else os.cpu_count() or 1
    executor: Executor = (
        DaskExecutor(scheduler) if scheduler else LocalExecutor(pool_size, output_root)
    )
    console.print(f"campaign {campaign}: {len(shards)} shard(s) on a {executor.description}")
    dashboard = getattr(executor, "dashboard", None)
    if dashboard:
        console.print(f"Dask dashboard: {dashboard}")
    title = f"campaign {campaign} ({kind})"
    # One local worker streams its pytest output as it comes; a live table would fight it.
    live = scheduler is not None or pool_size > 1
    with CampaignProgress(shards, console, title, live=live) as progress:
        records, interrupted = run_shards(
            executor, shards, options, output_root / campaign, progress, signing_key
        )
    for record in records:
        if record.envelope is not None:
            console.print(f"signed: {record.envelope}")
    index = write_campaign_index(records, options, output_root, executor.description)
    console.print(_summary(records, title))
    console.print(f"campaign index: {index}")
    for page in write_campaign_comparisons(done_reports(records), index.parent):
        console.print(f"comparison: {page}")
    pages, problems = write_campaign_pages(suites, campaign_candidates(records), index.parent)
    for page in pages:
        console.print(f"campaign page: {page}")
    for problem in problems:
        console.print(f"[yellow]{problem}[/]")
    sys.exit(campaign_exit_code(records, interrupted))


def _summary(records: list[ShardRecord], title: str) -> Table:
    """One row per shard and profile: verdict, failure counts, report path."""
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
    for record in records:
        if record.report is None:
            reason = f": {record.reason}" if record.reason else ""
            status = "not run" if record.status == "not-run" else "no report"
            exit_text = f" (exit {record.exit_code})" if record.exit_code is not None else ""
            table.add_row(record.shard.name, "-", f"{status}{exit_text}{reason}", "", "", "", "")
            continue
        for verdict in record.report.profiles:
            colour = "green" if verdict.verdict == "pass" else "red"
            table.add_row(
                record.shard.name,
                verdict.profile,
                f"[{colour}]{verdict.verdict}[/]",
                str(len(verdict.failed_must)),
                str(len(verdict.unmet_must)),
                str(len(verdict.warnings)),
                str(record.output_dir / "report.json"),
            )
    return table
