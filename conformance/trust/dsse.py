"""DSSE envelopes (https://github.com/secure-systems-lab/dsse), signed with Ed25519.

Parsing is strict on purpose: a verifier must tell a tampered file from a good one, so
anything that is not exactly an envelope (duplicate keys, non-canonical base64, unknown
fields, wrong types) is refused with a reason instead of being repaired.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from conformance.errors import ConformanceError
from conformance.jsonfile import loads_bounded

# Refuse to read more than this: a report is kilobytes to a few megabytes.
MAX_ENVELOPE_BYTES = 64 * 1024 * 1024


class EnvelopeError(ConformanceError):
    """The bytes are not a well-formed DSSE envelope (exit code 1: it does not verify)."""

    exit_code = 1


@dataclass(frozen=True)
class Signature:
    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    payload_type: str
    payload: bytes
    signatures: tuple[Signature, ...]


def pae(payload_type: str, payload: bytes) -> bytes:
    """Pre-authentication encoding: what is really signed, so the type cannot be swapped."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def sign(payload_type: str, payload: bytes, key: Ed25519PrivateKey, keyid: str) -> Envelope:
    signature = key.sign(pae(payload_type, payload))
    return Envelope(payload_type, payload, (Signature(keyid, signature),))


def signature_holds(envelope: Envelope, signature: Signature, public: Ed25519PublicKey) -> bool:
    try:
        public.verify(signature.sig, pae(envelope.payload_type, envelope.payload))
    except InvalidSignature:
        return False
    return True


def encode(envelope: Envelope) -> bytes:
    document = {
        "payload": base64.b64encode(envelope.payload).decode("ascii"),
        "payloadType": envelope.payload_type,
        "signatures": [
            {"keyid": s.keyid, "sig": base64.b64encode(s.sig).decode("ascii")}
            for s in envelope.signatures
        ],
    }
    return json.dumps(document, indent=2).encode("utf-8") + b"\n"


def decode(data: bytes) -> Envelope:
    if len(data) > MAX_ENVELOPE_BYTES:
        raise EnvelopeError(f"envelope is larger than {MAX_ENVELOPE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise EnvelopeError("envelope is not UTF-8 text (tampered or not an envelope)") from None
    try:
        document = loads_bounded(text, object_pairs_hook=_no_duplicates)
    except (ValueError, _DuplicateKey) as error:
        raise EnvelopeError(
            f"envelope is not valid JSON (tampered or truncated): {error}"
        ) from None
    if not isinstance(document, dict):
        raise EnvelopeError("envelope is not a JSON object")
    _only_fields(document, {"payload", "payloadType", "signatures"}, "envelope")
    payload_type = _string(document, "payloadType", "envelope")
    payload = _base64(_string(document, "payload", "envelope"), "payload")
    raw_signatures = document.get("signatures")
    if not isinstance(raw_signatures, list) or not raw_signatures:
        raise EnvelopeError("envelope field 'signatures' must be a non-empty list")
    signatures = []
    for number, entry in enumerate(raw_signatures):
        where = f"signatures[{number}]"
        if not isinstance(entry, dict):
            raise EnvelopeError(f"envelope field '{where}' must be an object")
        _only_fields(entry, {"keyid", "sig"}, where)
        keyid = entry.get("keyid", "")
        if not isinstance(keyid, str):
            raise EnvelopeError(f"envelope field '{where}.keyid' must be a string")
        signatures.append(Signature(keyid, _base64(_string(entry, "sig", where), where + ".sig")))
    return Envelope(payload_type, payload, tuple(signatures))


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"duplicate key {key!r}")
        result[key] = value
    return result


def _only_fields(document: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = set(document) - allowed
    if unknown:
        raise EnvelopeError(f"{where} has unsupported field(s): {', '.join(sorted(unknown))}")


def _string(document: dict[str, Any], name: str, where: str) -> str:
    value = document.get(name)
    if not isinstance(value, str):
        raise EnvelopeError(f"{where} field '{name}' is missing or not a string")
    return value


def _base64(text: str, what: str) -> bytes:
    """Standard or URL-safe base64 (both allowed by DSSE), in its one canonical spelling."""
    standard = text.replace("-", "+").replace("_", "/")
    try:
        value = base64.b64decode(standard.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise EnvelopeError(f"envelope field '{what}' is not base64") from None
    # Non-canonical spellings (stray padding bits, mixed alphabets) decode to the same bytes;
    # refuse them so a signed payload has exactly one valid spelling in the file.
    if text not in (base64.b64encode(value).decode(), base64.urlsafe_b64encode(value).decode()):
        raise EnvelopeError(f"envelope field '{what}' is not canonical base64")
    return value
