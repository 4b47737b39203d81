"""PKCE on the code flow (RFC 7636 §4.2, §4.6) and the refresh token grant (RFC 6749 §6,
Core §12)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests

from conformance.api import cant_tell, expect, expect_equal, expect_in, inapplicable
from suites.oidc import rp
from suites.oidc.flows import Flows
from suites.oidc.provider import endpoint

SKEW_SECONDS = 60


def numeric(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def error_of(response: requests.Response) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


def pkce_code(flows: Flows, client: rp.Client) -> tuple[str, str]:
    verifier, challenge = rp.pkce_pair()
    code, _, _ = flows.code(client, state=rp.new_state(), nonce=rp.new_state(),
                            code_challenge=challenge, code_challenge_method="S256")
    return code, verifier


@pytest.mark.requirement("oidc.pkce.s256")
def test_s256_verifier_accepted(flows: Flows, client: rp.Client) -> None:
    verifier, challenge = rp.pkce_pair()
    callback, _ = flows.authorize(client, state=rp.new_state(), nonce=rp.new_state(),
                                  code_challenge=challenge, code_challenge_method="S256")
    expect(bool(callback.code), "a request with an S256 code_challenge gets a code",
           actual=callback.params)
    assert callback.code is not None
    response = flows.redeem(client, callback.code, code_verifier=verifier)
    expect_equal(response.status_code, 200, "status of the token request with the verifier")


@pytest.mark.requirement("oidc.pkce.wrong-verifier")
def test_wrong_verifier_refused(flows: Flows, client: rp.Client) -> None:
    code, _ = pkce_code(flows, client)
    response = flows.redeem(client, code, code_verifier=rp.pkce_pair()[0])
    expect_equal(response.status_code, 400, "status for a wrong code_verifier")
    expect_equal(error_of(response), "invalid_grant", "error for a wrong code_verifier")


@pytest.mark.requirement("oidc.pkce.missing-verifier")
def test_missing_verifier_refused(flows: Flows, client: rp.Client) -> None:
    code, _ = pkce_code(flows, client)
    response = flows.redeem(client, code)
    expect_equal(response.status_code, 400, "status without code_verifier")
    expect_equal(error_of(response), "invalid_grant", "error without code_verifier")


@pytest.fixture
def offline(flows: Flows, client: rp.Client) -> tuple[dict[str, Any], str]:
    """Tokens of a code flow asking for offline_access (with prompt=consent, Core §11)."""
    flow = flows.complete(client, scope="openid offline_access", prompt="consent")
    refresh_token = flow.tokens.get("refresh_token")
    if not isinstance(refresh_token, str):
        cant_tell(f"no refresh_token was issued for offline_access: {sorted(flow.tokens)}")
    return flow.tokens, refresh_token


def refresh(flows: Flows, client: rp.Client, token: str) -> requests.Response:
    return rp.token_request(flows.session, endpoint(flows.metadata, "token_endpoint"), client,
                            {"grant_type": "refresh_token", "refresh_token": token})


@pytest.mark.requirement("oidc.refresh.grant")
def test_refresh_grant(flows: Flows, client: rp.Client,
                       offline: tuple[dict[str, Any], str]) -> None:
    tokens, token = offline
    response = refresh(flows, client, token)
    expect_equal(response.status_code, 200, "status of the refresh token grant")
    body = rp.json_body(response, "the refresh response")
    expect(isinstance(body.get("access_token"), str), "a new access token is issued",
           actual=sorted(body))
    expect(body.get("access_token") != tokens.get("access_token"),
           "the new access token differs from the first")


@pytest.mark.requirement("oidc.refresh.id-token")
def test_refresh_id_token(flows: Flows, client: rp.Client,
                          offline: tuple[dict[str, Any], str]) -> None:
    tokens, token = offline
    asked = time.time()
    response = refresh(flows, client, token)
    if response.status_code != 200:
        cant_tell(f"the refresh grant failed (HTTP {response.status_code})")
    body = rp.json_body(response, "the refresh response")
    if "id_token" not in body:
        inapplicable("the successful refresh response holds no id_token (Core §12.2: it "
                     "\"might not contain an id_token\")",
                     "the rule concerns an ID token returned on refresh")
    expect(isinstance(body["id_token"], str), "the refreshed id_token is a JWT string",
           actual=type(body["id_token"]).__name__)
    first = rp.unverified_claims(str(tokens["id_token"]))
    renewed = rp.unverified_claims(body["id_token"])
    for claim in ("iss", "sub", "aud"):
        expect_equal(renewed.get(claim), first.get(claim), f"{claim} of the refreshed ID token")
    iat: Any = renewed.get("iat")
    first_iat: Any = first.get("iat")
    earliest = max(asked - SKEW_SECONDS, first_iat if numeric(first_iat) else 0)
    # Core §12.2: iat is the time the new ID token is issued, i.e. during this request.
    expect(numeric(iat) and earliest <= iat <= time.time() + SKEW_SECONDS,
           "iat of the refreshed ID token is the time it was issued",
           expected=f"about {int(asked)}", actual=(first.get("iat"), iat))


@pytest.mark.requirement("oidc.refresh.bound-to-client")
def test_refresh_token_bound_to_client(flows: Flows, client: rp.Client, post_client: rp.Client,
                                       offline: tuple[dict[str, Any], str]) -> None:
    _, token = offline
    response = refresh(flows, post_client, token)
    expect_in(response.status_code, (400, 401), "status when another client refreshes")
    expect_equal(error_of(response), "invalid_grant", "error when another client refreshes")


@pytest.mark.requirement("oidc.refresh.invalid")
def test_unknown_refresh_token(flows: Flows, client: rp.Client) -> None:
    response = refresh(flows, client, rp.new_state() + rp.new_state())
    expect_equal(response.status_code, 400, "status for an unknown refresh token")
    expect_equal(error_of(response), "invalid_grant", "error for an unknown refresh token")
