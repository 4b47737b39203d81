"""The discovery document (OpenID Connect Discovery 1.0 §3, §4) and the JWK Set it points to
(RFC 7517)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from conformance.api import cant_tell, expect, expect_equal, expect_in, inapplicable
from suites.oidc.provider import absent

PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k", "oth")
KEY_TYPES = ("RSA", "EC", "oct", "OKP")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def is_absolute_url(value: object) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def expect_url_member(metadata: dict[str, Any], name: str) -> None:
    expect(name in metadata, f"the discovery document has {name}", expected="an URL",
           actual="absent")
    expect(is_absolute_url(metadata[name]), f"{name} is an absolute URL",
           expected="https://host/path", actual=metadata[name])


@pytest.mark.requirement("oidc.discovery.served")
def test_discovery_document_is_served(discovery_response: requests.Response) -> None:
    expect_equal(discovery_response.status_code, 200, "status of the discovery request")
    content_type = discovery_response.headers.get("Content-Type", "")
    expect(content_type.split(";")[0].strip() == "application/json",
           "the discovery document is sent as application/json",
           expected="application/json", actual=content_type)
    try:
        body = discovery_response.json()
    except ValueError:
        body = None
    expect(isinstance(body, dict), "the discovery document is a JSON object",
           expected="a JSON object", actual=discovery_response.text[:200])


@pytest.mark.requirement("oidc.discovery.issuer-matches")
def test_issuer_matches_the_url_used(metadata: dict[str, Any], issuer_url: str) -> None:
    expect_in(metadata.get("issuer"), (issuer_url, issuer_url + "/"),
              "issuer of the discovery document")


@pytest.mark.requirement("oidc.discovery.issuer-form")
def test_issuer_is_an_absolute_url_without_query(metadata: dict[str, Any]) -> None:
    issuer = metadata.get("issuer")
    expect(is_absolute_url(issuer), "the issuer is an absolute URL", actual=issuer)
    parts = urlsplit(str(issuer))
    # Plain HTTP is only a test setting on the machine's own loopback (the manifest's
    # test_mode says so in the report); anywhere else the issuer must use https.
    expect(parts.scheme == "https" or parts.hostname in LOOPBACK_HOSTS,
           "the issuer uses the https scheme (http only on loopback, for tests)",
           expected="https://…", actual=issuer)
    expect(not parts.query and not parts.fragment and "?" not in str(issuer)
           and "#" not in str(issuer), "the issuer has no query or fragment", actual=issuer)


@pytest.mark.requirement("oidc.discovery.authorization-endpoint")
def test_authorization_endpoint(metadata: dict[str, Any]) -> None:
    expect_url_member(metadata, "authorization_endpoint")


@pytest.mark.requirement("oidc.discovery.token-endpoint")
def test_token_endpoint(metadata: dict[str, Any]) -> None:
    expect_url_member(metadata, "token_endpoint")


@pytest.mark.requirement("oidc.discovery.jwks-uri")
def test_jwks_uri(metadata: dict[str, Any]) -> None:
    expect_url_member(metadata, "jwks_uri")


@pytest.mark.requirement("oidc.discovery.userinfo-endpoint")
def test_userinfo_endpoint(metadata: dict[str, Any]) -> None:
    expect_url_member(metadata, "userinfo_endpoint")


@pytest.mark.requirement("oidc.discovery.registration-endpoint")
def test_registration_endpoint(metadata: dict[str, Any], oidc_settings: dict[str, Any]) -> None:
    absent(oidc_settings, "dynamic-registration")
    expect_url_member(metadata, "registration_endpoint")


@pytest.mark.requirement("oidc.discovery.response-types")
def test_response_types_include_code(metadata: dict[str, Any]) -> None:
    values: Any = metadata.get("response_types_supported")
    expect(isinstance(values, list), "response_types_supported is a list", actual=values)
    expect("code" in values, "response_types_supported contains \"code\"", actual=values)


@pytest.mark.requirement("oidc.discovery.subject-types")
def test_subject_types(metadata: dict[str, Any]) -> None:
    values: Any = metadata.get("subject_types_supported")
    expect(isinstance(values, list) and bool(values), "subject_types_supported is a non-empty "
           "list", actual=values)
    expect(all(v in ("public", "pairwise") for v in values),
           "subject_types_supported holds only public and pairwise", actual=values)


@pytest.mark.requirement("oidc.discovery.id-token-algs")
def test_id_token_algorithms_include_rs256(metadata: dict[str, Any]) -> None:
    values: Any = metadata.get("id_token_signing_alg_values_supported")
    expect(isinstance(values, list), "id_token_signing_alg_values_supported is a list",
           actual=values)
    expect("RS256" in values, "id_token_signing_alg_values_supported includes RS256",
           actual=values)


@pytest.mark.requirement("oidc.discovery.scopes-openid")
def test_scopes_supported_include_openid(metadata: dict[str, Any]) -> None:
    if "scopes_supported" not in metadata:
        inapplicable("scopes_supported is not published (Discovery 1.0 §3: RECOMMENDED, not "
                     "REQUIRED)", "the rule concerns the content of scopes_supported")
    values = metadata["scopes_supported"]
    expect(isinstance(values, list) and "openid" in values,
           "scopes_supported includes openid", actual=values)


@pytest.mark.requirement("oidc.discovery.claims-supported")
def test_claims_supported(metadata: dict[str, Any]) -> None:
    values = metadata.get("claims_supported")
    expect(isinstance(values, list) and "sub" in values,
           "claims_supported is published and lists sub", actual=values)


@pytest.fixture(scope="module")
def jwks_response(session: Any, metadata: dict[str, Any]) -> requests.Response:
    uri = metadata.get("jwks_uri")
    if not is_absolute_url(uri):
        cant_tell("the discovery document names no jwks_uri")
    response: requests.Response = session.get(uri)
    return response


@pytest.mark.requirement("oidc.jwks.served")
def test_jwk_set_is_served(jwks_response: requests.Response) -> None:
    expect_equal(jwks_response.status_code, 200, "status of the jwks_uri request")
    try:
        body = jwks_response.json()
    except ValueError:
        body = None
    expect(isinstance(body, dict) and isinstance(body.get("keys"), list),
           "the JWK Set is a JSON object with a keys array", actual=jwks_response.text[:200])


def keys_of(jwks: dict[str, Any]) -> list[dict[str, Any]]:
    keys = jwks.get("keys")
    if not isinstance(keys, list) or not keys:
        cant_tell("the JWK Set holds no keys")
    return [k for k in keys if isinstance(k, dict)]


@pytest.mark.requirement("oidc.jwks.kty")
def test_every_key_has_a_type(jwks: dict[str, Any]) -> None:
    for key in keys_of(jwks):
        expect_in(key.get("kty"), KEY_TYPES, f"kty of key {key.get('kid')!r}")


@pytest.mark.requirement("oidc.jwks.public-only")
def test_no_private_key_material(jwks: dict[str, Any]) -> None:
    for key in keys_of(jwks):
        leaked = sorted(m for m in PRIVATE_MEMBERS if m in key)
        expect(not leaked, f"key {key.get('kid')!r} publishes no private or symmetric "
               "members", expected="none of d, p, q, dp, dq, qi, k, oth", actual=leaked)


@pytest.mark.requirement("oidc.jwks.kid-distinct")
def test_kids_are_distinct(jwks: dict[str, Any]) -> None:
    kids = [k.get("kid") for k in keys_of(jwks)]
    if len(kids) == 1:
        inapplicable("the JWK Set at jwks_uri holds a single key (RFC 7517 §4.5 asks for "
                     "distinct kid values of different keys within a set)",
                     "one key has no other key to be told apart from")
    expect(all(kids), "every key of a set of several has a kid", actual=kids)
    expect(len(set(kids)) == len(kids), "kid values are distinct", actual=kids)


@pytest.mark.requirement("oidc.jwks.signing-key")
def test_a_key_for_every_signing_algorithm(jwks: dict[str, Any],
                                           metadata: dict[str, Any]) -> None:
    advertised = metadata.get("id_token_signing_alg_values_supported")
    # RS256 is always needed (Core §3.1.3.7, Discovery §3), so the loop is never over nothing.
    algorithms = {"RS256", *(a for a in advertised or [] if isinstance(a, str))}
    # An empty set is a failure here: the provider must publish a key to verify RS256.
    keys = [k for k in jwks.get("keys") or [] if isinstance(k, dict)]
    for algorithm in sorted(algorithms):
        if algorithm == "none" or algorithm.startswith("HS"):
            continue  # unsigned, or signed with the client's secret: no published key
        family = {"RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "OKP"}.get(algorithm[:2])
        if family is None:
            continue
        usable = [k for k in keys if k.get("kty") == family
                  and k.get("use", "sig") == "sig" and k.get("alg", algorithm) == algorithm]
        if family == "RSA":
            usable = [k for k in usable if k.get("n") and k.get("e")]
        expect(bool(usable), f"the JWK Set holds a {family} key to verify {algorithm}",
               actual=[{m: k.get(m) for m in ("kid", "kty", "alg", "use")} for k in keys])
