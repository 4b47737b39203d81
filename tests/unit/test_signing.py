"""DSSE envelopes, in-toto statements, key files and the trust list."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest

from conformance.errors import InputError
from conformance.trust import dsse, keys
from conformance.trust.statement import (
    PAYLOAD_TYPE,
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    parse_statement,
)
from conformance.trust.trust_list import load_trust_list
from tests.unit.signing_support import SIGNED_AT, make_report, signed, signer, write_trust


def test_pae_follows_the_dsse_spec() -> None:
    assert dsse.pae("http://example.com/HelloWorld", b"hello world") == (
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
    )
    assert dsse.pae("", b"") == b"DSSEv1 0  0 "


def test_envelope_round_trip_and_signature() -> None:
    auditor = signer()
    envelope = dsse.sign(PAYLOAD_TYPE, b"{}", auditor.key, auditor.id)
    decoded = dsse.decode(dsse.encode(envelope))
    assert decoded == envelope
    assert dsse.signature_holds(decoded, decoded.signatures[0], auditor.key.public_key())
    # The payload type is signed too: the same bytes under another type do not verify.
    swapped = dsse.Envelope("text/plain", decoded.payload, decoded.signatures)
    assert not dsse.signature_holds(swapped, swapped.signatures[0], auditor.key.public_key())
    other = signer()
    assert not dsse.signature_holds(decoded, decoded.signatures[0], other.key.public_key())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "not a JSON object"),
        ('{"payload": "e30=", "payloadType": "x", "signatures": []}', "non-empty list"),
        ('{"payload": "e30", "payloadType": "x", "signatures": [{"sig": "AA=="}]}', "base64"),
        ('{"payload": "e31=", "payloadType": "x", "signatures": [{"sig": "AA=="}]}', "canonical"),
        ('{"payload": "e30=", "payload": "e30=", "payloadType": "x"}', "duplicate key"),
        ('{"payload": "e30=", "payloadType": "x", "signatures": [], "extra": 1}', "unsupported"),
        ('{"payload": 1, "payloadType": "x", "signatures": [{"sig": "AA=="}]}', "payload"),
        (
            '{"payload": "e30=", "payloadType": "x", "signatures": [{"sig": "AA=="}',
            "not valid JSON",
        ),
    ],
)
def test_malformed_envelopes_are_refused(text: str, message: str) -> None:
    with pytest.raises(dsse.EnvelopeError, match=message):
        dsse.decode(text.encode())


def test_url_safe_base64_is_accepted() -> None:
    payload = bytes([0xFB, 0xFF])  # "+/8=" in standard base64, "-_8=" URL-safe
    text = json.dumps(
        {
            "payload": base64.urlsafe_b64encode(payload).decode(),
            "payloadType": "x",
            "signatures": [{"keyid": "", "sig": "AA=="}],
        }
    )
    assert dsse.decode(text.encode()).payload == payload


def test_statement_names_artefacts_and_embeds_the_report() -> None:
    report = make_report()
    envelope = dsse.decode(signed(report, signer()))
    assert envelope.payload_type == PAYLOAD_TYPE
    document = json.loads(envelope.payload)
    assert document["_type"] == STATEMENT_TYPE
    assert document["predicateType"] == PREDICATE_TYPE
    assert document["subject"] == [{"name": "demo", "digest": {"sha256": "0" * 64}}]
    parsed = parse_statement(envelope.payload)
    assert parsed.report == report
    assert parsed.signed_at == SIGNED_AT
    for needed in ("harness", "suites", "campaign", "requirements", "verdict", "profiles"):
        assert needed in document["predicate"]["report"]


def test_report_without_an_artefact_digest_cannot_be_signed() -> None:
    report = make_report()
    artefact = report.candidate.artefacts[0].model_copy(update={"digest": None})
    unresolved = report.model_copy(
        update={"candidate": report.candidate.model_copy(update={"artefacts": [artefact]})}
    )
    with pytest.raises(InputError, match="no sha256 digest"):
        signed(unresolved, signer())


def test_generated_private_key_is_0600_and_never_overwritten(tmp_path: Path) -> None:
    files = keys.generate(tmp_path / "k")
    assert stat.S_IMODE(files.private.stat().st_mode) == 0o600
    assert files.key_id.startswith("sha256:") and len(files.key_id) == 71
    key = keys.load_private(files.private)
    assert keys.key_id(key.public_key()) == files.key_id
    assert keys.public_from_text(files.public.read_text(), "pub") == key.public_key()
    before = files.private.read_bytes()
    with pytest.raises(InputError, match="already exists"):
        keys.generate(tmp_path / "k")
    assert files.private.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_private_key_mode_ignores_a_permissive_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        files = keys.generate(tmp_path / "k")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(files.private.stat().st_mode) == 0o600


def test_passphrase_encrypts_the_private_key(tmp_path: Path) -> None:
    files = keys.generate(tmp_path / "k", b"correct horse")
    assert keys.is_encrypted(files.private)
    assert b"ENCRYPTED PRIVATE KEY" in files.private.read_bytes()
    assert keys.key_id(keys.load_private(files.private, b"correct horse").public_key()) == (
        files.key_id
    )
    with pytest.raises(InputError, match="wrong passphrase"):
        keys.load_private(files.private, b"wrong")
    with pytest.raises(InputError, match="passphrase is needed"):
        keys.load_private(files.private)


def test_readable_private_key_is_refused(tmp_path: Path) -> None:
    files = keys.generate(tmp_path / "k")
    files.private.chmod(0o644)
    with pytest.raises(InputError, match="readable by others"):
        keys.load_private(files.private)


def test_trust_list_loads_and_checks_key_ids(tmp_path: Path) -> None:
    auditor, vendor = signer(), signer("Vendor", "vendor")
    trust = write_trust(tmp_path / "trust.toml", auditor, vendor)
    assert trust.keys[auditor.id].role == "auditor"
    assert trust.keys[vendor.id].holder == "Vendor"
    assert trust.keys[auditor.id].valid_at(SIGNED_AT)
    text = (tmp_path / "trust.toml").read_text()
    (tmp_path / "bad.toml").write_text(text.replace(auditor.id, vendor.id, 1))
    with pytest.raises(InputError, match="field 'id'"):
        load_trust_list(tmp_path / "bad.toml")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (('role = "auditor"', 'role = "notary"'), "field 'role'"),
        (("holder = ", "name = "), "field 'holder' is missing"),
        (("valid_from = 2025-01-01T00:00:00Z", "valid_from = 2028-01-01"), "not after"),
        (("valid_until = 2027-01-01T00:00:00Z", 'valid_until = "soon"'), "ISO 8601"),
        (("valid_until = 2027-01-01T00:00:00Z", "valid_until = 2027-01-01T00:00:00"), "zone"),
        (('public_key = "', 'public_key = "!'), "not base64"),
    ],
)
def test_trust_list_errors_name_the_field(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    write_trust(tmp_path / "trust.toml", signer())
    text = (tmp_path / "trust.toml").read_text()
    assert edit[0] in text
    (tmp_path / "trust.toml").write_text(text.replace(*edit))
    with pytest.raises(InputError, match=message):
        load_trust_list(tmp_path / "trust.toml")
