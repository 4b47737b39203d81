"""What every ``conformance`` command shares: consoles, error handling, moments, keys, options."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console
from rich.markup import escape

from conformance.errors import EXIT_INTERRUPTED, ConformanceError, InputError
from conformance.locations import bundled_candidates_dir
from conformance.trust import keys
from conformance.trust.trust_list import TRUST_LIST_ENV, TrustList, load_trust_list

TRUST_ENV = TRUST_LIST_ENV
"""The environment variable naming the trust list when ``--trust`` is not given (defined once,
in :mod:`conformance.trust.trust_list`, where the HTML pages read it too)."""

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


# --- moments ------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def parse_moment(value: str | None) -> datetime:
    """The moment given by ``--at`` (ISO 8601; UTC when it names no zone), or now."""
    if value is None:
        return now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--at: not an ISO 8601 date or time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_date(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else ""


# --- keys, passphrases, trust lists, manifests --------------------------------------------


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
    """The private key at ``path``; asks for its passphrase on a terminal if it needs one."""
    secret = passphrase_from(passphrase_env, False)
    if secret is None and keys.is_encrypted(path):
        if not sys.stdin.isatty():
            raise InputError(
                f"private key {path}: is encrypted; give --sign-passphrase-env VAR "
                "(no terminal to ask on)"
            )
        secret = passphrase_from(None, True)
    return keys.load_private(path, secret)


def optional_trust(path: Path | None) -> TrustList | None:
    """The trust list at ``path``, or None when none was given."""
    return load_trust_list(Path(path)) if path else None


def required_trust(path: Path | None) -> TrustList:
    """The trust list at ``path``; an input error when none was given."""
    trust = optional_trust(path)
    if trust is None:
        raise InputError(f"a trust list is needed: --trust FILE or ${TRUST_ENV}")
    return trust


def bundled_manifests() -> list[Path]:
    return sorted(bundled_candidates_dir().glob("*.toml"))


# --- shared options -----------------------------------------------------------------------

DB_HELP = (
    "registry database: SQLite path or postgresql://… "
    "(default $CONFORMANCE_REGISTRY_URL or registry/labels.sqlite)"
)


def trust_option(help: str | None = None, *, dir_okay: bool = True) -> Callable[[F], F]:
    """``--trust FILE`` (into ``trust_path``), defaulting to ``$CONFORMANCE_TRUST_LIST``."""
    return click.option(
        "--trust",
        "trust_path",
        type=click.Path(path_type=Path, dir_okay=dir_okay),
        envvar=TRUST_ENV,
        help=help,
    )


def db_option(help: str = DB_HELP) -> Callable[[F], F]:
    """``--db URL|PATH``: the label registry's database."""
    return click.option("--db", "db", metavar="URL|PATH", help=help)


def actor_option() -> Callable[[F], F]:
    """``--actor``: who records a registry event."""
    return click.option(
        "--actor",
        default=lambda: os.environ.get("CONFORMANCE_ACTOR") or getpass.getuser(),
        help="who records this (default $CONFORMANCE_ACTOR or user name)",
    )


def at_option(help: str = "verify as of this date (default: now)") -> Callable[[F], F]:
    """``--at`` (into ``at_text``): a date or time, read with :func:`parse_moment`."""
    return click.option("--at", "at_text", help=help)


def json_option(help: str = "print the result as JSON") -> Callable[[F], F]:
    """``--json`` (into ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def policy_option() -> Callable[[F], F]:
    """``--policy`` (into ``policy_path``): a label policy file."""
    return click.option("--policy", "policy_path", type=click.Path(path_type=Path))


def key_option() -> Callable[[F], F]:
    """``--key`` (into ``key_path``): a private signing key, required."""
    return click.option("--key", "key_path", required=True, type=click.Path(path_type=Path))


def passphrase_env_option(help: str | None = None) -> Callable[[F], F]:
    """``--passphrase-env VAR``: the variable holding a key's passphrase."""
    return click.option("--passphrase-env", metavar="VAR", help=help)
