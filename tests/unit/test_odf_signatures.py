"""ODF digital signatures (Part 2 §2.2.1 D, §5): a document signed here, with a key and a
self-signed certificate made by the test (never stored), passes both signature requirements;
a part changed after signing fails "signatures verify"; a malformed signature file fails
"signatures well-formed"; an unsigned document makes both inapplicable, with that signal.
Uses the schemas in ../shared/odf-schemas (never committed)."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

from conformance.api import CantTell, CheckFailure, NotApplicable
from suites.odf import signatures
from suites.odf.checks.test_producer_package import NO_SIGNATURES, judge
from suites.odf.corpus import build_corpus
from suites.odf.faults import Stored, by_name, entries_of, package_of
from suites.odf.schemas import SchemaSource
from suites.odf.validate import (
    VERIFIED_SIGNATURES,
    WELLFORMED_SIGNATURES,
    Validation,
    validate_bytes,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "odf-schemas"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"no ODF schemas in {SHARED}")
SIGNATURE_FILE = signatures.DOCUMENT_SIGNATURES


@pytest.fixture(scope="module")
def source() -> SchemaSource:
    return SchemaSource(directory=SHARED)


@pytest.fixture(scope="module")
def signer() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test signer")])
    # Expired long ago: certificate validity is trust policy, not part of verification.
    start = datetime(2020, 1, 1, tzinfo=UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(4242)
        .not_valid_before(start).not_valid_after(start + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, certificate


@pytest.fixture(scope="module")
def document() -> bytes:
    return build_corpus(7)[0].data


def signed(data: bytes, signer: tuple[rsa.RSAPrivateKey, x509.Certificate],
           version: str = "1.2") -> bytes:
    entries = entries_of(data)
    files = {e.name: e.data for e in entries if e.name != "mimetype"}
    xml_files = {n for n in files if n.endswith(".xml")}
    signature = signatures.signature_file(files, xml_files, *signer,
                                          datetime(2026, 5, 1, tzinfo=UTC), version)
    return package_of([*entries, Stored(SIGNATURE_FILE, signature)])


def edit(data: bytes, name: str, change: bytes, into: bytes) -> bytes:
    entries = entries_of(data)
    assert any(change in e.data for e in entries if e.name == name)
    return package_of([Stored(e.name, e.data.replace(change, into, 1), e.compress_type)
                       if e.name == name else e for e in entries])


def outcome(validation: Validation, requirement: str) -> str:
    try:
        judge(validation, requirement)
    except NotApplicable as skipped:
        return f"inapplicable: {skipped.signal}"
    except CantTell:
        return "cantTell"
    except CheckFailure:
        return "failed"
    return "passed"


def test_a_valid_signature_passes_both(source: SchemaSource, document: bytes,
                                       signer: tuple[rsa.RSAPrivateKey, x509.Certificate]
                                       ) -> None:
    result = validate_bytes(signed(document, signer), "signed", source)
    assert result.signature_files == [SIGNATURE_FILE]
    assert result.problems == [] and result.undecided == {}
    assert outcome(result, WELLFORMED_SIGNATURES) == "passed"
    assert outcome(result, VERIFIED_SIGNATURES) == "passed"


def test_an_unsigned_document_makes_both_inapplicable_with_the_signal(
        source: SchemaSource, document: bytes) -> None:
    result = validate_bytes(document, "unsigned", source)
    for requirement in (WELLFORMED_SIGNATURES, VERIFIED_SIGNATURES):
        assert outcome(result, requirement) == f"inapplicable: {NO_SIGNATURES}"
    assert "META-INF/documentsignatures.xml" in NO_SIGNATURES


@pytest.mark.parametrize(("part", "old", "new"), [
    ("content.xml", b"The quick brown fox", b"The quick brown cat"),
    ("styles.xml", b"</office:document-styles>", b"\n</office:document-styles>"),
    ("Pictures/red.png", b"IEND", b"IENE"),
])
def test_a_part_changed_after_signing_fails_verify(
        source: SchemaSource, document: bytes,
        signer: tuple[rsa.RSAPrivateKey, x509.Certificate], part: str, old: bytes, new: bytes,
) -> None:
    result = validate_bytes(edit(signed(document, signer), part, old, new), "edited", source)
    assert outcome(result, WELLFORMED_SIGNATURES) == "passed"
    assert outcome(result, VERIFIED_SIGNATURES) == "failed"
    [problem] = result.problems_for(VERIFIED_SIGNATURES)
    assert "Digest mismatch" in problem.message and part in problem.message


def test_whitespace_outside_the_root_element_is_not_a_change(
        source: SchemaSource, document: bytes,
        signer: tuple[rsa.RSAPrivateKey, x509.Certificate]) -> None:
    # Canonical XML drops what lies outside the document element (C14N 1.0 §2.3).
    result = validate_bytes(edit(signed(document, signer), "content.xml",
                                 b"</office:document-content>",
                                 b"</office:document-content>\n\n"), "outside", source)
    assert outcome(result, VERIFIED_SIGNATURES) == "passed"


def test_a_tampered_signature_value_fails_verify(
        source: SchemaSource, document: bytes,
        signer: tuple[rsa.RSAPrivateKey, x509.Certificate]) -> None:
    data = signed(document, signer)
    text = next(e.data for e in entries_of(data) if e.name == SIGNATURE_FILE)
    value = re.search(rb"<SignatureValue>([^<]+)</SignatureValue>", text)
    assert value is not None
    flipped = bytearray(base64.b64decode(value.group(1)))
    flipped[0] ^= 1
    damaged = edit(data, SIGNATURE_FILE, value.group(1), base64.b64encode(bytes(flipped)))
    result = validate_bytes(damaged, "tampered", source)
    assert outcome(result, VERIFIED_SIGNATURES) == "failed"
    assert "Signature verification failed" in result.problems_for(VERIFIED_SIGNATURES)[0].message


def test_a_reference_to_a_missing_file_or_a_foreign_transform_fails_verify(
        source: SchemaSource, document: bytes,
        signer: tuple[rsa.RSAPrivateKey, x509.Certificate]) -> None:
    data = signed(document, signer)
    missing = edit(data, SIGNATURE_FILE, b'URI="content.xml"', b'URI="contents.xml"')
    result = validate_bytes(missing, "missing", source)
    assert outcome(result, VERIFIED_SIGNATURES) == "failed"
    assert "names no file of the package" in result.problems_for(VERIFIED_SIGNATURES)[0].message
    xpath = edit(data, SIGNATURE_FILE, b"xml-c14n-20010315\"/></Transforms>",
                 b"xml-c14n-20010315\"/><Transform Algorithm="
                 b"\"http://www.w3.org/TR/1999/REC-xpath-19991116\"/></Transforms>")
    result = validate_bytes(xpath, "xpath", source)
    assert outcome(result, VERIFIED_SIGNATURES) == "failed"
    assert "only canonicalisation transforms" in (
        result.problems_for(VERIFIED_SIGNATURES)[0].message)


def test_a_second_broken_signature_is_found(
        source: SchemaSource, document: bytes,
        signer: tuple[rsa.RSAPrivateKey, x509.Certificate]) -> None:
    data = signed(document, signer)
    text = next(e.data for e in entries_of(data) if e.name == SIGNATURE_FILE)
    first = re.search(rb"<Signature .*</Signature>", text, re.S)
    assert first is not None
    second = first.group(0).replace(b'Id="ID_signature"', b'Id="ID_second"', 1).replace(
        b"<DigestValue>", b"<DigestValue>AAAA", 1)
    twice = edit(data, SIGNATURE_FILE, b"</dsig:document-signatures>",
                 second + b"</dsig:document-signatures>")
    result = validate_bytes(twice, "twice", source)
    assert outcome(result, WELLFORMED_SIGNATURES) == "passed"
    [problem] = result.problems_for(VERIFIED_SIGNATURES)
    assert problem.message.startswith("ds:Signature ID_second does not verify")


def test_a_malformed_signature_file_fails_wellformed(source: SchemaSource,
                                                     document: bytes) -> None:
    cut = package_of([*entries_of(document), Stored(SIGNATURE_FILE, b"<dsig:document-sig")])
    result = validate_bytes(cut, "cut", source)
    assert outcome(result, WELLFORMED_SIGNATURES) == "failed"
    assert outcome(result, VERIFIED_SIGNATURES) == "cantTell"
    invalid = by_name("signature-invalid").corrupt(document)
    assert invalid is not None
    result = validate_bytes(invalid, "invalid", source)
    assert outcome(result, WELLFORMED_SIGNATURES) == "failed"
    assert outcome(result, VERIFIED_SIGNATURES) == "cantTell"


def test_what_the_dsig_schema_alone_accepted_now_fails_wellformed(
        source: SchemaSource, document: bytes,
        signer: tuple[rsa.RSAPrivateKey, x509.Certificate]) -> None:
    """The dsig RelaxNG schema lets any markup into ds:Signature, so the old check (schema
    only) passed a signature without ds:KeyInfo, without an Id, or with no SignedInfo."""
    data = signed(document, signer)
    broken = {
        "no KeyInfo": edit(edit(data, SIGNATURE_FILE, b"<KeyInfo>", b"<KeyName>"),
                           SIGNATURE_FILE, b"</KeyInfo>", b"</KeyName>"),
        "no Id": edit(data, SIGNATURE_FILE, b' Id="ID_signature"', b""),
        "no SignedInfo": edit(edit(data, SIGNATURE_FILE, b"<SignedInfo>", b"<Signedinfo>"),
                              SIGNATURE_FILE, b"</SignedInfo>", b"</Signedinfo>"),
    }
    for what, damaged in broken.items():
        text = next(e.data for e in entries_of(damaged) if e.name == SIGNATURE_FILE)
        schema = etree.RelaxNG(etree.parse(str(SHARED / "1.2" / "dsig-schema.rng")))
        assert schema.validate(etree.fromstring(text)), what  # the old check: a pass
        result = validate_bytes(damaged, what, source)
        assert outcome(result, WELLFORMED_SIGNATURES) == "failed", what
    keyless = by_name("signature-without-keyinfo").corrupt(document)
    assert keyless is not None
    assert outcome(validate_bytes(keyless, "keyless", source), WELLFORMED_SIGNATURES) == "failed"


def test_a_certificate_named_but_not_included_is_cant_tell(
        source: SchemaSource, document: bytes,
        signer: tuple[rsa.RSAPrivateKey, x509.Certificate]) -> None:
    data = signed(document, signer)
    text = next(e.data for e in entries_of(data) if e.name == SIGNATURE_FILE)
    certificate = re.search(rb"<X509Certificate>[^<]+</X509Certificate>", text)
    assert certificate is not None
    result = validate_bytes(edit(data, SIGNATURE_FILE, certificate.group(0), b""), "nocert",
                            source)
    assert outcome(result, WELLFORMED_SIGNATURES) == "passed"
    assert outcome(result, VERIFIED_SIGNATURES) == "cantTell"


def test_signatures_of_an_odf_1_3_document_use_its_dsig_version(
        source: SchemaSource, signer: tuple[rsa.RSAPrivateKey, x509.Certificate]) -> None:
    """The 1.3 dsig schema (normative over the prose, which says "1.2") wants 1.3."""
    data = build_corpus(7)[0].data
    for part in ("content.xml", "styles.xml", "meta.xml"):
        data = edit(data, part, b'office:version="1.2"', b'office:version="1.3"')
    data = edit(data, "META-INF/manifest.xml", b'manifest:version="1.2"',
                b'manifest:version="1.3"')
    assert validate_bytes(signed(data, signer, "1.3"), "1.3", source).problems == []
    wrong = validate_bytes(signed(data, signer, "1.2"), "1.3 as 1.2", source)
    assert outcome(wrong, WELLFORMED_SIGNATURES) == "failed"


def test_the_signing_fault_signs_validly_and_its_edit_breaks_only_verify(
        source: SchemaSource, document: bytes) -> None:
    signed_by_fault = by_name("signed").corrupt(document)
    edited = by_name("signed-then-edited").corrupt(document)
    assert signed_by_fault is not None and edited is not None
    assert validate_bytes(signed_by_fault, "signed", source).broken() == set()
    assert validate_bytes(edited, "edited", source).broken() == {VERIFIED_SIGNATURES}


def test_canonical_xml_of_an_inner_element_keeps_its_namespaces() -> None:
    """libxml2 2.14 puts xmlns="" on grandchildren of a subtree whose default namespace is
    declared above it; ``canonical`` must not, or no ODF signature would verify."""
    root = etree.fromstring(b'<d:r xmlns:d="urn:d" xml:lang="fr"><S xmlns="urn:s">'
                            b"<I><R><T a='1'/></R></I></S></d:r>")
    inner = root[0][0]
    assert signatures.canonical(inner) == (
        b'<I xmlns="urn:s" xmlns:d="urn:d" xml:lang="fr"><R><T a="1"></T></R></I>')
    assert b'xmlns=""' not in signatures.canonical(inner)
