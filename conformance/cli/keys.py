"""``conformance keys``: Ed25519 signing keys."""

from __future__ import annotations

from pathlib import Path

import click

from conformance.cli.common import console, friendly, now, passphrase_env_option, passphrase_from
from conformance.trust import keys
from conformance.trust.policy import add_months
from conformance.trust.trust_list import trust_entry_toml


@click.group("keys")
def keys_group() -> None:
    """Ed25519 signing keys."""


@keys_group.command("generate")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("conformance-signing"),
    show_default=True,
    help="writes OUT.key (private, mode 0600) and OUT.pub",
)
@click.option("--passphrase", is_flag=True, help="encrypt the private key (asks twice)")
@passphrase_env_option("encrypt with the passphrase in $VAR")
@click.option("--holder", default="<holder>", help="name for the trust-list entry printed")
@click.option("--role", type=click.Choice(["auditor", "vendor"]), default="vendor")
@friendly
def keys_generate(
    out: Path, passphrase: bool, passphrase_env: str | None, holder: str, role: str
) -> None:
    """Write an Ed25519 key pair; print the public key, its id and a trust-list entry."""
    secret = passphrase_from(passphrase_env, passphrase, confirm=True)
    files = keys.generate(out, secret)
    start = now().replace(microsecond=0)
    console.print(f"private key: {files.private} (mode 0600; keep it secret)")
    console.print(f"public key:  {files.public}")
    click.echo(f"key id:      {files.key_id}")
    click.echo(f"public key:  {files.public_b64}")
    click.echo("\ntrust-list entry (for the label body to add):\n")
    click.echo(
        trust_entry_toml(files.key_id, holder, role, files.public_b64, start, add_months(start, 24))
    )
