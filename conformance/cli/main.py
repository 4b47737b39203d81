"""The ``conformance`` command: run campaigns, list suites and candidates, manage reports."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from conformance import __version__
from conformance.candidate.images import build as build_image
from conformance.candidate.images import recipes as image_recipes
from conformance.candidate.launchers import validate_launch
from conformance.candidate.launchers.cleanup import install_signal_handlers
from conformance.candidate.manifest import (
    LoadedManifest,
    load_manifest,
    resolve_artefact,
    resolve_manifest,
)
from conformance.errors import EXIT_INPUT, EXIT_INTERRUPTED, ConformanceError, InputError
from conformance.html.campaign_pages import write_campaign_comparisons
from conformance.html.run_page import write_run_page
from conformance.locations import bundled_candidates_dir, discover_suites
from conformance.report.build import build_report
from conformance.report.console import render_summary
from conformance.report.files import write_outputs
from conformance.report.model import report_json_schema
from conformance.run.campaign import (
    CampaignOptions,
    campaign_exit_code,
    run_candidate,
    suites_for,
    write_campaign_index,
)
from conformance.run.journal import JOURNAL_FILE, read_journal
from conformance.suite.fault_runner import load_faults, run_fault_catalogue

console = Console()
errors = Console(stderr=True)
F = TypeVar("F", bound=Callable[..., Any])


def friendly(command: F) -> F:
    """Report harness errors as a message and an exit code, never a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConformanceError as error:
            errors.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            errors.print("interrupted")
            sys.exit(EXIT_INTERRUPTED)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="conformance")
def main() -> None:
    """European Open Standard conformance harness."""


def bundled_manifests() -> list[Path]:
    return sorted(bundled_candidates_dir().glob("*.toml"))


@main.command()
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
    # Every manifest is checked before anything starts, so a typo fails fast.
    plan = [(manifest, suites_for(manifest, suites)) for manifest in loaded]
    for manifest in loaded:
        validate_launch(manifest)
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
    runs = []
    for manifest, claimed in plan:
        standards = ", ".join(s.standard for s in claimed)
        console.rule(f"{manifest.manifest.product} ({manifest.manifest.id}) — {standards}")
        result = run_candidate(manifest, claimed, options)
        runs.append(result)
        if signing_key is not None and result.report is not None:
            console.print(f"signed: {sign_report_file(result.output_dir, signing_key)}")
            write_run_page(result.report, result.output_dir)  # now with its signature
        if result.exit_code == EXIT_INTERRUPTED:
            break
    index = write_campaign_index(runs, options)
    table = Table(title=f"campaign {campaign} ({kind})")
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
    console.print(table)
    console.print(f"campaign index: {index}")
    reports = [(r.output_dir, r.report) for r in runs if r.report is not None]
    for page in write_campaign_comparisons(reports, index.parent):
        console.print(f"comparison: {page}")
    sys.exit(campaign_exit_code(runs))


@main.command("suites")
@friendly
def list_suites() -> None:
    """List the installed standards, their profiles and requirement counts."""
    table = Table(title="suites")
    for column in ("standard", "profile", "version", "MUST", "SHOULD", "MAY", "all requirements"):
        table.add_column(column)
    for standard, suite in discover_suites().items():
        catalogue = suite.catalogue
        for profile_id, profile in catalogue.profiles.items():
            members = catalogue.profile_requirements(profile_id)
            counts = [sum(r.level == level for r in members) for level in ("MUST", "SHOULD", "MAY")]
            table.add_row(
                standard,
                profile_id,
                profile.version,
                *map(str, counts),
                str(len(catalogue.requirements)),
            )
    console.print(table)


@main.command("candidates")
@friendly
def list_candidates() -> None:
    """List the bundled reference candidates."""
    table = Table(title=f"bundled candidates ({bundled_candidates_dir()})")
    for column in ("id", "product", "version", "claims", "launcher", "manifest"):
        table.add_column(column)
    broken = False
    for path in bundled_manifests():
        try:
            loaded = load_manifest(path)
        except ConformanceError as error:
            broken = True
            table.add_row(path.stem, f"[red]invalid: {error}[/]", "", "", "", str(path))
            continue
        table.add_row(*_candidate_row(loaded))
    console.print(table)
    if broken:
        sys.exit(EXIT_INPUT)


def _candidate_row(loaded: LoadedManifest) -> list[str]:
    manifest = loaded.manifest
    version = manifest.version
    if version is None:
        try:
            versions = [resolve_artefact(a, loaded.path.parent).version for a in manifest.artefacts]
            version = next((v for v in versions if v), None)
        except ConformanceError:
            version = "not installed"
    claims = "; ".join(f"{s}: {', '.join(p)}" for s, p in manifest.claims.items())
    return [
        manifest.id,
        manifest.product,
        version or "?",
        claims,
        str(manifest.launch["kind"]),
        str(loaded.path),
    ]


@main.group()
def report() -> None:
    """Work with run reports."""


@report.command("rebuild")
@click.argument("directory", type=click.Path(path_type=Path))
@friendly
def report_rebuild(directory: Path) -> None:
    """Rebuild report.json, junit.xml and earl.jsonld from a run's results journal."""
    built = build_report(read_journal(directory / JOURNAL_FILE))
    for path in write_outputs(built, directory):
        console.print(f"wrote {path}")
    console.print(render_summary(built, console.width), markup=False, highlight=False)


@report.command("schema")
def report_schema() -> None:
    """Print the JSON Schema of report.json."""
    click.echo(json.dumps(report_json_schema(), indent=2, sort_keys=True))


@main.group()
def images() -> None:
    """Container images of the reference candidates (docker/<name>/Containerfile)."""


@images.command("build")
@click.argument("names", nargs=-1)
@click.option(
    "--base",
    default=None,
    help="base image (default: the local Debian base if "
    "docker/setup-runtime.sh made one, else the Containerfile's public default)",
)
@friendly
def images_build(names: tuple[str, ...], base: str | None) -> None:
    """Build the images of NAMES (default: every reference candidate)."""
    available = image_recipes()
    unknown = set(names) - set(available)
    if unknown:
        raise InputError(
            f"unknown image(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(available))})"
        )
    for name in names or sorted(available):
        started = time.monotonic()
        tag = build_image(available[name], base)
        console.print(f"built {tag} in {time.monotonic() - started:.1f} s")


@main.group()
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
    applied_by_suite = [f.name for f in catalogue if not f.injected_by_harness]
    catalogue = [f for f in catalogue if f.injected_by_harness]
    if not catalogue:
        raise InputError(
            f"the {standard} faults change no traffic and start no variant, so the fault runner "
            f"cannot inject them; the suite applies them itself (see its README)"
        )
    if applied_by_suite:
        console.print(f"not injected here (the suite applies them itself): "
                      f"{', '.join(applied_by_suite)}")
    loaded = resolve_manifest(candidate, bundled_candidates_dir())
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


from conformance.cli.trust import load_signing_key, register, sign_report_file  # noqa: E402

register(main, report)

from conformance.cli.html import register as register_html  # noqa: E402

register_html(main)

from conformance.suite.commands import register_suite_commands  # noqa: E402

register_suite_commands(main)

if __name__ == "__main__":
    main()
