"""The trust list: which public keys belong to accredited auditors and to vendors, and when.

A TOML file (see docs/label-policy.md)::

    [[keys]]
    id = "sha256:…"              # key id printed by `conformance keys generate`
    holder = "Example Audit GmbH"
    role = "auditor"             # or "vendor"
    public_key = "…"             # base64 of the raw 32-byte Ed25519 public key
    valid_from = 2026-01-01T00:00:00Z
    valid_until = 2028-01-01T00:00:00Z
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, Literal

import tomli_w
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conformance.errors import InputError
from conformance.tomlfile import read_toml
from conformance.trust.keys import key_id, public_from_text

Role = Literal["auditor", "vendor"]
ROLES: tuple[Role, ...] = ("auditor", "vendor")


# Where every command and page finds the trust list when none is given on the command line.
TRUST_LIST_ENV = "CONFORMANCE_TRUST_LIST"


@dataclass(frozen=True)
class TrustedKey:
    id: str
    holder: str
    role: Role
    public_key: Ed25519PublicKey
    valid_from: datetime
    valid_until: datetime

    def valid_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment < self.valid_until


@dataclass(frozen=True)
class TrustList:
    path: Path
    keys: dict[str, TrustedKey]


def load_trust_list(path: Path) -> TrustList:
    document = read_toml(path, "trust list")
    raw_keys = document.get("keys")
    if not isinstance(raw_keys, list):
        raise InputError(f"trust list {path}: field 'keys' must be a list of [[keys]] tables")
    keys: dict[str, TrustedKey] = {}
    for number, entry in enumerate(raw_keys):
        where = f"trust list {path}: keys[{number}]"
        if not isinstance(entry, dict):
            raise InputError(f"{where}: must be a table")
        trusted = _trusted_key(entry, where)
        if trusted.id in keys:
            raise InputError(f"{where}: key id {trusted.id} appears twice")
        keys[trusted.id] = trusted
    return TrustList(path, keys)


def _trusted_key(entry: dict[str, Any], where: str) -> TrustedKey:
    for name in ("id", "holder", "role", "public_key", "valid_from", "valid_until"):
        if name not in entry:
            raise InputError(f"{where}: field '{name}' is missing")
    unknown = set(entry) - {"id", "holder", "role", "public_key", "valid_from", "valid_until"}
    if unknown:
        raise InputError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for name in ("id", "holder", "public_key"):
        if not isinstance(entry[name], str) or not entry[name].strip():
            raise InputError(f"{where}: field '{name}' must be a non-empty string "
                             f"(got {entry[name]!r})")
    role = entry["role"]
    if role not in ROLES:
        raise InputError(f"{where}: field 'role' must be 'auditor' or 'vendor' (got {role!r})")
    public = public_from_text(str(entry["public_key"]), f"{where}: field 'public_key'")
    # The id is derived from the key; a mismatch means a copy-paste error in the list.
    if entry["id"] != key_id(public):
        raise InputError(
            f"{where}: field 'id' is {entry['id']!r} but the public key's id is {key_id(public)}"
        )
    valid_from = _moment(entry["valid_from"], f"{where}: field 'valid_from'")
    valid_until = _moment(entry["valid_until"], f"{where}: field 'valid_until'")
    if valid_until <= valid_from:
        raise InputError(f"{where}: field 'valid_until' is not after 'valid_from'")
    return TrustedKey(str(entry["id"]), str(entry["holder"]), role, public, valid_from, valid_until)


def _moment(value: Any, where: str) -> datetime:
    """A TOML date or offset date-time (a date means midnight UTC), or the same as a string."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise InputError(f"{where}: not an ISO 8601 date or time (got {value!r})") from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise InputError(f"{where}: a time needs a time zone, e.g. 2026-01-01T00:00:00Z")
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    raise InputError(f"{where}: expected a date or date-time (got {value!r})")


def trust_entry_toml(
    key: str, holder: str, role: str, public_b64: str, valid_from: datetime, valid_until: datetime
) -> str:
    """A [[keys]] block to paste into a trust list."""
    entry = {
        "id": key,
        "holder": holder,
        "role": role,
        "public_key": public_b64,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    return tomli_w.dumps({"keys": [entry]})
