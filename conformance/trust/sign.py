"""Signing a report: report.json → report.dsse.json beside it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import ValidationError

from conformance.errors import InputError
from conformance.report.files import REPORT_FILE, write_atomically
from conformance.report.model import Report
from conformance.trust import dsse
from conformance.trust.keys import key_id
from conformance.trust.statement import PAYLOAD_TYPE, statement_bytes

ENVELOPE_FILE = "report.dsse.json"
# A report is a few hundred KiB to a few MiB; its envelope is bounded the same way.
MAX_REPORT_BYTES = dsse.MAX_ENVELOPE_BYTES


def sign_report(report: Report, key: Ed25519PrivateKey, signed_at: datetime | None = None) -> bytes:
    """The DSSE envelope (file bytes) of the in-toto statement about ``report``."""
    moment = signed_at or datetime.now(UTC)
    payload = statement_bytes(report, moment)
    envelope = dsse.sign(PAYLOAD_TYPE, payload, key, key_id(key.public_key()))
    return dsse.encode(envelope)


def load_report(path: Path) -> Report:
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise InputError(f"report {path}: larger than {MAX_REPORT_BYTES} bytes")
        return Report.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        raise InputError(f"report {path}: file not found") from None
    except ValidationError as error:
        raise InputError(
            f"report {path}: not a valid report.json ({error.error_count()} problem(s), first: "
            f"{'.'.join(str(p) for p in error.errors()[0]['loc'])}: {error.errors()[0]['msg']})"
        ) from None


def sign_report_file(path: Path, key: Ed25519PrivateKey) -> Path:
    """Sign ``path`` (report.json or its directory); write report.dsse.json beside it."""
    if path.is_dir():
        path = path / REPORT_FILE
    envelope = sign_report(load_report(path), key)
    target = path.with_name(ENVELOPE_FILE)
    write_atomically(target, envelope)
    return target
