"""``conformance suites`` and ``conformance candidates``: what is installed and bundled."""

from __future__ import annotations

import sys

import click
from rich.table import Table

from conformance.candidate.manifest import LoadedManifest, load_manifest, resolve_artefact
from conformance.cli.common import bundled_manifests, console, friendly
from conformance.errors import EXIT_INPUT, ConformanceError
from conformance.locations import bundled_candidates_dir
from conformance.suite.discovery import discover_suites


@click.command("suites")
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


@click.command("candidates")
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
