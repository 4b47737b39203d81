"""``conformance verify``: check a signed report's signer, trust, content, verdict and label."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from conformance.cli.common import (
    TRUST_ENV,
    at_option,
    console,
    friendly,
    json_option,
    parse_moment,
    policy_option,
    required_trust,
    trust_option,
)
from conformance.errors import InputError
from conformance.registry.snapshot import Snapshot, read_snapshot
from conformance.trust.policy import load_policy
from conformance.trust.verify import artifact_digest, verify_file
from conformance.trust.verify_screen import render_verification


@click.command("verify")
@click.argument("report_path", metavar="REPORT", type=click.Path(path_type=Path))
@trust_option(f"trust list (TOML; default ${TRUST_ENV})")
@click.option(
    "--registry",
    "registry_path",
    type=click.Path(path_type=Path),
    help="signed registry snapshot (conformance registry export)",
)
@click.option("--artifact", help="the artefact you hold: a file path or sha256:<hex>")
@at_option()
@policy_option()
@json_option()
@friendly
def verify(
    report_path: Path,
    trust_path: Path | None,
    registry_path: Path | None,
    artifact: str | None,
    at_text: str | None,
    policy_path: Path | None,
    as_json: bool,
) -> None:
    """Verify a signed report: signer, trust, content, verdict and label status.

    Exit 0 only when everything holds; otherwise 1 with every reason listed.
    """
    at = parse_moment(at_text)
    trust = required_trust(trust_path)
    policy = load_policy(policy_path)
    snapshot: Snapshot | None = None
    snapshot_reasons: list[str] = []
    if registry_path is not None:
        try:
            data = registry_path.read_bytes()
        except OSError as error:
            raise InputError(f"--registry {registry_path}: {error.strerror}") from None
        snapshot, snapshot_reasons = read_snapshot(data, trust, at)
        if snapshot is None and not snapshot_reasons:
            snapshot_reasons = ["registry snapshot could not be read"]
        if snapshot is None:
            snapshot_reasons.append("label status unknown: the registry snapshot is unusable")
    digest = None
    if artifact is not None:
        try:
            digest = artifact_digest(artifact)
        except OSError as error:
            raise InputError(
                f"--artifact {artifact}: not a sha256:<hex> digest nor a readable file "
                f"({error.strerror})"
            ) from None
    result = verify_file(report_path, trust, at, policy, snapshot, snapshot_reasons, digest)
    if as_json:
        click.echo(result.model_dump_json(indent=2))
    else:
        console.print(render_verification(result))
    sys.exit(0 if result.ok else 1)
