"""``conformance registry``: the label registry's signed snapshots and static site."""

from __future__ import annotations

from pathlib import Path

import click

from conformance.cli.common import (
    console,
    db_option,
    friendly,
    key_option,
    load_signing_key,
    passphrase_env_option,
)
from conformance.cli.html import registry_site
from conformance.registry.snapshot import export_snapshot
from conformance.registry.store import Registry, database_url
from conformance.report.files import write_atomically


@click.group("registry")
def registry_group() -> None:
    """The label registry's signed snapshots."""


@registry_group.command("export")
@key_option()
@passphrase_env_option()
@click.option("--out", type=click.Path(path_type=Path), default=Path("registry.dsse.json"))
@click.option(
    "--valid-days",
    type=click.IntRange(1, 366),
    default=7,
    show_default=True,
    help="days until the next update is due",
)
@db_option()
@friendly
def registry_export(
    key_path: Path, passphrase_env: str | None, out: Path, valid_days: int, db: str | None
) -> None:
    """Write a signed snapshot of every label, its status and history."""
    key = load_signing_key(key_path, passphrase_env)
    registry = Registry(database_url(db, must_exist=True))
    try:
        data = export_snapshot(registry, key, valid_days)
    finally:
        registry.close()
    write_atomically(out, data)
    console.print(f"wrote {out} (next update due in {valid_days} days)")


registry_group.add_command(registry_site)
