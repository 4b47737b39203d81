"""Commands for keys, signing, verification, labels and the registry (``register`` adds them)."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from conformance.errors import InputError
from conformance.html.run_page import write_run_page
from conformance.registry.award import record_report
from conformance.registry.snapshot import Snapshot, export_snapshot, read_snapshot
from conformance.registry.store import Registry, database_url
from conformance.report.files import write_atomically
from conformance.trust import keys
from conformance.trust.policy import add_months, load_policy
from conformance.trust.sign import sign_report_file
from conformance.trust.trust_list import TrustList, load_trust_list, trust_entry_toml
from conformance.trust.verify import artifact_digest, verify_file
from conformance.trust.verify_screen import render_verification

TRUST_ENV = "CONFORMANCE_TRUST_LIST"
console = Console()


def now() -> datetime:
    return datetime.now(UTC)


def parse_moment(value: str | None) -> datetime:
    if value is None:
        return now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--at: not an ISO 8601 date or time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def passphrase_from(env_var: str | None, prompt: bool, confirm: bool = False) -> bytes | None:
    """A passphrase from an environment variable or a hidden prompt; never from an argument."""
    if env_var:
        value = os.environ.get(env_var)
        if value is None:
            raise InputError(f"passphrase variable ${env_var} is not set")
        return value.encode("utf-8")
    if prompt:
        return str(click.prompt("passphrase", hide_input=True, confirmation_prompt=confirm)).encode(
            "utf-8"
        )
    return None


def load_signing_key(path: Path, passphrase_env: str | None) -> Ed25519PrivateKey:
    secret = passphrase_from(passphrase_env, False)
    if secret is None and keys.is_encrypted(path):
        if not sys.stdin.isatty():
            raise InputError(
                f"private key {path}: is encrypted; give --sign-passphrase-env VAR "
                "(no terminal to ask on)"
            )
        secret = passphrase_from(None, True)
    return keys.load_private(path, secret)


def _trust(path: Path | None) -> TrustList | None:
    return load_trust_list(Path(path)) if path else None


def _require_trust(path: Path | None) -> TrustList:
    trust = _trust(path)
    if trust is None:
        raise InputError(f"a trust list is needed: --trust FILE or ${TRUST_ENV}")
    return trust


def register(main: click.Group, report: click.Group) -> None:
    from conformance.cli.main import friendly

    # --- keys -----------------------------------------------------------------------------

    @main.group("keys")
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
    @click.option("--passphrase-env", metavar="VAR", help="encrypt with the passphrase in $VAR")
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
            trust_entry_toml(
                files.key_id, holder, role, files.public_b64, start, add_months(start, 24)
            )
        )

    # --- signing --------------------------------------------------------------------------

    @report.command("sign")
    @click.argument("report_path", metavar="REPORT", type=click.Path(path_type=Path))
    @click.option("--key", "key_path", required=True, type=click.Path(path_type=Path))
    @click.option("--passphrase-env", metavar="VAR", help="passphrase of an encrypted key")
    @friendly
    def report_sign(report_path: Path, key_path: Path, passphrase_env: str | None) -> None:
        """Sign REPORT (report.json or its directory): writes report.dsse.json beside it."""
        key = load_signing_key(key_path, passphrase_env)
        target = sign_report_file(report_path, key)
        console.print(f"signed: {target} (key {keys.key_id(key.public_key())})")
        write_run_page(None, target.parent)  # report.html now shows the signature

    # --- verification ---------------------------------------------------------------------

    @main.command("verify")
    @click.argument("report_path", metavar="REPORT", type=click.Path(path_type=Path))
    @click.option(
        "--trust",
        "trust_path",
        type=click.Path(path_type=Path),
        envvar=TRUST_ENV,
        help=f"trust list (TOML; default ${TRUST_ENV})",
    )
    @click.option(
        "--registry",
        "registry_path",
        type=click.Path(path_type=Path),
        help="signed registry snapshot (conformance registry export)",
    )
    @click.option("--artifact", help="the artefact you hold: a file path or sha256:<hex>")
    @click.option("--at", "at_text", help="verify as of this date (default: now)")
    @click.option("--policy", "policy_path", type=click.Path(path_type=Path))
    @click.option("--json", "as_json", is_flag=True, help="print the result as JSON")
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
        trust = _trust(trust_path)
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

    # --- labels ---------------------------------------------------------------------------

    db_option = click.option(
        "--db",
        "db",
        metavar="URL|PATH",
        help="registry database: SQLite path or postgresql://… "
        "(default $CONFORMANCE_REGISTRY_URL or registry/labels.sqlite)",
    )
    actor_option = click.option(
        "--actor",
        default=lambda: os.environ.get("CONFORMANCE_ACTOR") or getpass.getuser(),
        help="who records this (default $CONFORMANCE_ACTOR or user name)",
    )

    @main.group("label")
    def label_group() -> None:
        """Award, suspend, reinstate, withdraw labels; show status and history."""

    @label_group.command("award")
    @click.argument("envelope", type=click.Path(path_type=Path))
    @click.option("--trust", "trust_path", type=click.Path(path_type=Path), envvar=TRUST_ENV)
    @click.option("--policy", "policy_path", type=click.Path(path_type=Path))
    @db_option
    @actor_option
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
                registry, data, _require_trust(trust_path), load_policy(policy_path), actor, now()
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

    def _manual(action: str, help_text: str) -> None:
        @label_group.command(action, help=help_text)
        @click.argument("label_id")
        @click.option("--reason", required=True, help="why (recorded in the history)")
        @db_option
        @actor_option
        @friendly
        def command(label_id: str, reason: str, db: str | None, actor: str) -> None:
            registry = Registry(database_url(db, must_exist=True))
            try:
                recorded = registry.record(label_id, action, actor, reason)  # type: ignore[arg-type]
                state = registry.status(label_id, now())
            finally:
                registry.close()
            console.print(f"{action}: {label_id} (event #{recorded.sequence}); now {state.status}")

    _manual("suspend", "Suspend an awarded label by hand, with a reason.")
    _manual("reinstate", "Reinstate a suspended label, with a reason.")
    _manual("withdraw", "Withdraw a label, with a reason.")

    @label_group.command("status")
    @click.argument("label_id", required=False)
    @click.option("--at", "at_text", help="status at this date (default: now)")
    @db_option
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
                    _date(state.since),
                    _date(state.valid_until),
                    escape(state.reason),
                )
        finally:
            registry.close()
        console.print(table)

    @label_group.command("history")
    @click.argument("label_id")
    @db_option
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

    # --- registry snapshot ----------------------------------------------------------------

    @main.group("registry")
    def registry_group() -> None:
        """The label registry's signed snapshots."""

    @registry_group.command("export")
    @click.option("--key", "key_path", required=True, type=click.Path(path_type=Path))
    @click.option("--passphrase-env", metavar="VAR")
    @click.option("--out", type=click.Path(path_type=Path), default=Path("registry.dsse.json"))
    @click.option(
        "--valid-days",
        type=click.IntRange(1, 366),
        default=7,
        show_default=True,
        help="days until the next update is due",
    )
    @db_option
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


def _date(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


__all__ = ["load_signing_key", "register", "sign_report_file"]
