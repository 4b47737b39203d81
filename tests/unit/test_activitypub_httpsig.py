"""The suite's own HTTP signature and digest code, against the specifications' test vectors
(RFC 9421 appendix B.2.6 with the B.1.4 Ed25519 key, RFC 9530 / RFC 9421 B.2 body digest,
the draft-cavage-12 §2.3 signing-string example) and round trips with tampering."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from suites.activitypub import httpsig

# RFC 9421 §B.1.4 test-key-ed25519 (the JWK's d and x, base64url) and the §B.2 request.
ED25519_SEED = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU"
ED25519_PUBLIC = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"
B2_HEADERS = {"Host": "example.com", "Date": "Tue, 20 Apr 2021 02:07:55 GMT",
              "Content-Type": "application/json", "Content-Length": "18"}
B26_COMPONENTS = ("date", "@method", "@path", "@authority", "content-type", "content-length")
B26_BASE = (
    '"date": Tue, 20 Apr 2021 02:07:55 GMT\n"@method": POST\n"@path": /foo\n'
    '"@authority": example.com\n"content-type": application/json\n"content-length": 18\n'
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" '
    '"content-length");created=1618884473;keyid="test-key-ed25519"'
)
B26_SIGNATURE = ("wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPp"
                 "BKRCw==")


def _b64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def _ed25519_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.from_private_bytes(_b64url(ED25519_SEED))


def test_rfc9421_b26_signature_base() -> None:
    base = httpsig.rfc9421_signature_base(
        B26_COMPONENTS, ';created=1618884473;keyid="test-key-ed25519"', "POST", "example.com",
        "/foo", "param=Value&Pet=dog", B2_HEADERS)
    assert base == B26_BASE


def test_rfc9421_b26_signature_value() -> None:
    signature_input, signature = httpsig.rfc9421_sign(
        _ed25519_key(), "test-key-ed25519", "sig-b26", B26_COMPONENTS, 1618884473, "POST",
        "example.com", "/foo", "param=Value&Pet=dog", B2_HEADERS)
    assert signature_input == (
        'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
        ';created=1618884473;keyid="test-key-ed25519"')
    assert signature == f"sig-b26=:{B26_SIGNATURE}:"


def test_rfc9421_b26_verifies_with_the_published_public_key() -> None:
    public = ed25519.Ed25519PublicKey.from_public_bytes(_b64url(ED25519_PUBLIC))
    parsed = httpsig.parse_rfc9421(
        'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length")'
        ';created=1618884473;keyid="test-key-ed25519"', f"sig-b26=:{B26_SIGNATURE}:")[0]
    assert parsed.key_id == "test-key-ed25519"
    httpsig.rfc9421_verify(parsed, public, "POST", "example.com", "/foo", "", B2_HEADERS)
    with pytest.raises(httpsig.SignatureProblem):
        httpsig.rfc9421_verify(parsed, public, "POST", "example.com", "/bar", "", B2_HEADERS)


def test_content_digest_of_the_rfc_example_body() -> None:
    # RFC 9421 §B.2 / RFC 9530: {"hello": "world"} has this sha-256 Content-Digest.
    body = b'{"hello": "world"}'
    assert httpsig.content_digest_header(body) == (
        "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")
    assert httpsig.check_body_digest({"Content-Digest": httpsig.content_digest_header(body)},
                                     body) == "Content-Digest"
    with pytest.raises(httpsig.SignatureProblem):
        httpsig.check_body_digest({"Content-Digest": httpsig.content_digest_header(body)},
                                  body + b" ")


def test_digest_header_algorithm_name_is_case_insensitive() -> None:
    body = b"{}"
    value = httpsig.digest_header(body).replace("SHA-256", "sha-256")
    assert httpsig.check_body_digest({"digest": value}, body) == "Digest"
    with pytest.raises(httpsig.SignatureProblem):
        httpsig.check_body_digest({}, body)


def test_cavage_signing_string_of_the_draft_example() -> None:
    # draft-cavage-http-signatures-12 §2.3 (and appendix C.2) example request.
    headers = {"Host": "example.org", "Date": "Tue, 07 Jun 2014 20:51:35 GMT",
               "Digest": "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
               "Content-Length": "18"}
    text = httpsig.cavage_signing_string(
        "GET", "/foo", headers, ("(request-target)", "host", "date", "digest", "content-length"))
    assert text == ("(request-target): get /foo\nhost: example.org\n"
                    "date: Tue, 07 Jun 2014 20:51:35 GMT\n"
                    "digest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\n"
                    "content-length: 18")


@pytest.mark.parametrize("kind", ["rsa", "ed25519"])
def test_cavage_round_trip_and_tampering(kind: str) -> None:
    key: httpsig.PrivateKey = (rsa.generate_private_key(public_exponent=65537, key_size=2048)
                               if kind == "rsa" else ed25519.Ed25519PrivateKey.generate())
    headers = {"Host": "a.example", "Date": "Sun, 22 Nov 2026 09:00:00 GMT",
               "Digest": httpsig.digest_header(b"{}")}
    names = ("(request-target)", "host", "date", "digest")
    value = httpsig.cavage_sign(key, "https://a.example/actor#key", "POST", "/inbox", headers,
                                names)
    parsed = httpsig.parse_cavage(value)
    assert parsed.key_id == "https://a.example/actor#key"
    assert parsed.headers == names
    httpsig.cavage_verify(parsed, key.public_key(), "POST", "/inbox", headers)
    with pytest.raises(httpsig.SignatureProblem):
        httpsig.cavage_verify(parsed, key.public_key(), "POST", "/other", headers)
    with pytest.raises(httpsig.SignatureProblem):
        httpsig.cavage_verify(parsed, key.public_key(), "POST", "/inbox",
                              dict(headers, Host="b.example"))


def test_malformed_signature_headers_are_problems_not_crashes() -> None:
    for value in ('keyId="k"', "garbage", 'keyId="k",signature="!!notbase64"'):
        with pytest.raises(httpsig.SignatureProblem):
            httpsig.parse_cavage(value)
    with pytest.raises(httpsig.SignatureProblem):
        httpsig.parse_rfc9421('sig1=("@method")', "sig2=:AAAA:")


def test_rfc9421_target_uri_is_the_full_uri_with_scheme() -> None:
    """§2.2.2 (as Fedify signs): "@target-uri" is scheme, authority, path and query; a
    signature over it verifies only with the scheme the sender addressed."""
    base = httpsig.rfc9421_signature_base(
        ("@target-uri",), ";created=1", "POST", "www.example.com", "/path", "param=value", {},
        "https")
    assert base.splitlines()[0] == '"@target-uri": https://www.example.com/path?param=value'
    key = _ed25519_key()
    params = ";created=1"
    signature = key.sign(httpsig.rfc9421_signature_base(
        ("@target-uri",), params, "POST", "127.0.0.1:8080", "/inbox", "", {}, "http").encode())
    parsed = httpsig.parse_rfc9421(
        'sig1=("@target-uri");created=1',
        f"sig1=:{base64.b64encode(signature).decode()}:")[0]
    httpsig.rfc9421_verify(parsed, key.public_key(), "POST", "127.0.0.1:8080", "/inbox", "", {},
                           "http")
    with pytest.raises(httpsig.SignatureProblem):
        httpsig.rfc9421_verify(parsed, key.public_key(), "POST", "127.0.0.1:8080", "/inbox", "",
                               {}, "https")
