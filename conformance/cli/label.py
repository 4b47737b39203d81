"""``conformance label``: award, suspend, reinstate, withdraw labels; status and history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

import click
from rich.markup import escape
from rich.table import Table

from conformance.cli.common import (
    F,
    actor_option,
    at_option,
    console,
    db_option,
    format_date,
    friendly,
    now,
    parse_moment,
    policy_option,
    required_trust,
    trust_option,
)
from conformance.errors import InputError
from conformance.registry.award import record_report
from conformance.registry.store import Registry, database_url
from conformance.trust.policy import load_policy

ManualAction = Literal["suspend", "reinstate", "withdraw"]
"""The events recorded by hand (``award`` comes from a signed report)."""


@click.group("label")
def label_group() -> None:
    """Award, suspend, reinstate, withdraw labels; show status and history."""


@label_group.command("award")
@click.argument("envelope", type=click.Path(path_type=Path))
@trust_option()
@policy_option()
@db_option()
@actor_option()
@friendly
def label_award(
    envelope: Path,
    trust_path: Path | None,
    policy_path: Path | None,
    db: str | None,
    actor: str,
) -> None:
    """Record what a signed official report decides: award, or withdraw on a failed MUST."""
    if envelope.is_dir() or envelope.name == "report.json":
        envelope = (envelope if envelope.is_dir() else envelope.parent) / "report.dsse.json"
    try:
        data = envelope.read_bytes()
    except OSError as error:
        raise InputError(f"{envelope}: {error.strerror}") from None
    registry = Registry(database_url(db))
    try:
        _checked, results = record_report(
            registry, data, required_trust(trust_path), load_policy(policy_path), actor, now()
        )
    finally:
        registry.close()
    denied = False
    for result in results:
        if result.action == "awarded":
            until = result.valid_until.date() if result.valid_until else "?"
            console.print(f"[green]awarded[/] {result.label_id} (valid until {until})")
            for warning in result.warnings:
                console.print(f"  warning: SHOULD requirement failed: {warning}")
        elif result.action == "campaign-failed":
            denied = True
            console.print(f"[red]failed campaign recorded[/] on {result.label_id}")
        else:
            denied = True
            console.print(f"[red]denied[/] {result.label_id}")
        for reason in result.reasons:
            console.print(f"  - {escape(reason)}")
    sys.exit(1 if denied else 0)


def _record_by_hand(
    action: ManualAction, label_id: str, reason: str, db: str | None, actor: str
) -> None:
    """Record a manual event on an existing label and print its new status."""
    registry = Registry(database_url(db, must_exist=True))
    try:
        recorded = registry.record(label_id, action, actor, reason)
        state = registry.status(label_id, now())
    finally:
        registry.close()
    console.print(f"{action}: {label_id} (event #{recorded.sequence}); now {state.status}")


def _manual_event(command: F) -> F:
    """LABEL_ID, ``--reason``, ``--db`` and ``--actor``: what a manual event needs."""
    command = actor_option()(command)
    command = db_option()(command)
    command = click.option("--reason", required=True, help="why (recorded in the history)")(command)
    return click.argument("label_id")(command)


@label_group.command("suspend", help="Suspend an awarded label by hand, with a reason.")
@_manual_event
@friendly
def label_suspend(label_id: str, reason: str, db: str | None, actor: str) -> None:
    _record_by_hand("suspend", label_id, reason, db, actor)


@label_group.command("reinstate", help="Reinstate a suspended label, with a reason.")
@_manual_event
@friendly
def label_reinstate(label_id: str, reason: str, db: str | None, actor: str) -> None:
    _record_by_hand("reinstate", label_id, reason, db, actor)


@label_group.command("withdraw", help="Withdraw a label, with a reason.")
@_manual_event
@friendly
def label_withdraw(label_id: str, reason: str, db: str | None, actor: str) -> None:
    _record_by_hand("withdraw", label_id, reason, db, actor)


@label_group.command("status")
@click.argument("label_id", required=False)
@at_option("status at this date (default: now)")
@db_option()
@friendly
def label_status(label_id: str | None, at_text: str | None, db: str | None) -> None:
    """Status of one label, or of every label, at a date."""
    at = parse_moment(at_text)
    registry = Registry(database_url(db, must_exist=True))
    try:
        records = [r for r in registry.labels() if label_id in (None, r.label_id)]
        if label_id and not records:
            raise InputError(f"no label {label_id!r} in the registry")
        table = Table(title=f"labels at {at.isoformat(timespec='seconds')}")
        for column in ("label", "product", "status", "since", "valid until", "reason"):
            table.add_column(column, overflow="fold")
        for record in records:
            state = registry.status(record.label_id, at)
            table.add_row(
                record.label_id,
                record.product,
                state.status,
                format_date(state.since),
                format_date(state.valid_until),
                escape(state.reason),
            )
    finally:
        registry.close()
    console.print(table)


@label_group.command("history")
@click.argument("label_id")
@db_option()
@friendly
def label_history(label_id: str, db: str | None) -> None:
    """Every recorded event of a label: who, when, why, which report."""
    registry = Registry(database_url(db, must_exist=True))
    try:
        history = registry.events(label_id)
    finally:
        registry.close()
    if not history:
        raise InputError(f"no label {label_id!r} in the registry")
    table = Table(title=f"history of {label_id}")
    for column in ("#", "when", "action", "who", "why", "report"):
        table.add_column(column, overflow="fold")
    for recorded in history:
        table.add_row(
            str(recorded.sequence),
            recorded.at.isoformat(timespec="seconds"),
            recorded.action,
            escape(recorded.actor),
            escape(recorded.reason),
            recorded.report_digest or "",
        )
    console.print(table)
