"""The ID token of the code flow (Core §2, §3.1.3.7, §10.1; RFC 7519; Dynamic Registration §2
for the default algorithm)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from conformance.api import cant_tell, expect, expect_equal, inapplicable
from suites.oidc import rp
from suites.oidc.flows import CodeFlow, Flows

SKEW_SECONDS = 60


@pytest.fixture(scope="module")
def claims(code_flow: CodeFlow) -> dict[str, Any]:
    return rp.unverified_claims(code_flow.id_token)


def numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@pytest.mark.requirement("oidc.id-token.jwt")
def test_id_token_is_a_jwt(code_flow: CodeFlow) -> None:
    parts = code_flow.id_token.split(".")
    expect_equal(len(parts), 3, "number of parts of the compact JWS")
    expect(isinstance(rp.unverified_header(code_flow.id_token), dict), "the header is JSON")
    expect(isinstance(rp.unverified_claims(code_flow.id_token), dict), "the payload is JSON")


@pytest.mark.requirement("oidc.id-token.signature")
def test_signature_verifies(code_flow: CodeFlow, jwks: dict[str, Any]) -> None:
    problem = rp.verify_signature(code_flow.id_token, jwks, ["RS256", "PS256", "ES256", "EdDSA"])
    expect(problem is None, "the ID token verifies with a key of the JWK Set",
           expected="a valid signature", actual=problem)


@pytest.mark.requirement("oidc.id-token.alg-rs256")
def test_default_algorithm_is_rs256(code_flow: CodeFlow) -> None:
    expect_equal(rp.unverified_header(code_flow.id_token).get("alg"), "RS256",
                 "alg of the ID token for a client that registered none")


@pytest.mark.requirement("oidc.id-token.kid")
def test_kid_names_a_key(code_flow: CodeFlow, jwks: dict[str, Any]) -> None:
    keys = [k for k in jwks.get("keys") or [] if isinstance(k, dict)]
    if not keys:
        cant_tell("the JWK Set holds no keys (see oidc.jwks.signing-key)")
    if len(keys) == 1:
        inapplicable("the JWK Set at jwks_uri holds a single key (Core §10.1: a kid is "
                     "required only when the JWK Set holds several)",
                     "with one published key the verifier needs no kid to find it")
    kid = rp.unverified_header(code_flow.id_token).get("kid")
    published = [k.get("kid") for k in keys]
    expect(isinstance(kid, str) and bool(kid), "the ID token header has a kid", actual=kid)
    expect(kid in published, "the ID token's kid names a key of the JWK Set",
           expected=published, actual=kid)


@pytest.mark.requirement("oidc.keys.rotation")
def test_signing_kid_is_published(code_flow: CodeFlow, jwks: dict[str, Any]) -> None:
    header = rp.unverified_header(code_flow.id_token)
    kid = header.get("kid")
    if kid is None:
        cant_tell("the ID token names no kid; rotation is signalled by kid")
    published = [k.get("kid") for k in jwks.get("keys") or []]
    expect(kid in published, "the signing key's kid is published at jwks_uri",
           expected=published, actual=kid)


@pytest.mark.requirement("oidc.id-token.iss")
def test_iss(claims: dict[str, Any], metadata: dict[str, Any]) -> None:
    expect_equal(claims.get("iss"), metadata.get("issuer"), "iss of the ID token")


@pytest.mark.requirement("oidc.id-token.aud")
def test_aud(claims: dict[str, Any], code_flow: CodeFlow) -> None:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    expect(code_flow.client.client_id in audiences, "aud contains the client_id",
           expected=code_flow.client.client_id, actual=aud)


@pytest.mark.requirement("oidc.id-token.azp")
def test_azp(claims: dict[str, Any], code_flow: CodeFlow) -> None:
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1:
        expect("azp" in claims, "an ID token with several audiences has azp", actual=aud)
    if "azp" in claims:
        expect_equal(claims["azp"], code_flow.client.client_id, "azp of the ID token")
    elif not (isinstance(aud, list) and len(aud) > 1):
        expect(aud == code_flow.client.client_id or aud == [code_flow.client.client_id],
               "without azp the only audience is the client", actual=aud)


@pytest.mark.requirement("oidc.id-token.exp")
def test_exp(claims: dict[str, Any]) -> None:
    exp: Any = claims.get("exp")
    expect(numeric(exp), "exp is a number", actual=exp)
    expect(exp > time.time() - SKEW_SECONDS, "exp is in the future", actual=exp)


@pytest.mark.requirement("oidc.id-token.iat")
def test_iat(claims: dict[str, Any], code_flow: CodeFlow) -> None:
    iat: Any = claims.get("iat")
    exp: Any = claims.get("exp")
    expect(numeric(iat), "iat is a number", actual=iat)
    expect(iat <= time.time() + SKEW_SECONDS, "iat is not in the future", actual=iat)
    # The token was issued during this flow: an iat from before it is not its issue time.
    expect(iat >= code_flow.started - SKEW_SECONDS,
           "iat is the time of issue, not before the flow began",
           expected=f">= {int(code_flow.started)} (less {SKEW_SECONDS} s)", actual=iat)
    expect(not numeric(exp) or iat < exp, "iat is before exp", actual=(iat, exp))


@pytest.mark.requirement("oidc.id-token.sub")
def test_sub(claims: dict[str, Any]) -> None:
    sub = claims.get("sub")
    expect(isinstance(sub, str) and 0 < len(sub) <= 255 and sub.isascii(),
           "sub is a string of 1 to 255 ASCII characters", actual=sub)


@pytest.mark.requirement("oidc.id-token.nonce")
def test_nonce(claims: dict[str, Any], code_flow: CodeFlow) -> None:
    expect_equal(claims.get("nonce"), code_flow.nonce, "nonce of the ID token")


@pytest.mark.requirement("oidc.id-token.auth-time")
def test_auth_time_with_max_age(claims: dict[str, Any], code_flow: CodeFlow,
                                session_flows: Flows) -> None:
    """After the Foundation's oidcc-max-age-10000: auth_time is returned for max_age, is the
    time the End-User logged in during the flow, and a second request with max_age=10000
    right after does not ask for the login again and keeps that auth_time (Core §2, §3.1.2.1)."""
    auth_time: Any = claims.get("auth_time")
    expect(numeric(auth_time), "auth_time is present when max_age was requested",
           actual=auth_time)
    expect(code_flow.started - SKEW_SECONDS <= auth_time <= time.time() + SKEW_SECONDS,
           "auth_time is the time of the login during the flow (not before it, not in the "
           "future)", expected=f"about {int(code_flow.started)}", actual=auth_time)
    again = session_flows.complete(code_flow.client, code_flow.browser, max_age="10000")
    expect(again.callback.logins == 0, "a request with max_age=10000 seconds after the login "
           "does not ask the End-User to log in again",
           expected="no login form", actual=[step.form for step in again.callback.forms])
    second = rp.unverified_claims(again.id_token)
    expect_equal(second.get("auth_time"), auth_time,
                 "auth_time of the second ID token (the same authentication)")
    expect_equal(second.get("sub"), claims.get("sub"), "sub of the second ID token")
