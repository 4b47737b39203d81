"""The implicit flow (Core §3.2) and the hybrid flow (Core §3.3): what the authorization
endpoint returns in the fragment, the ID token it returns there, at_hash and c_hash."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import cant_tell, expect, expect_equal, expect_in
from suites.oidc import rp
from suites.oidc.flows import Flows
from suites.oidc.front import (
    expect_fragment,
    expect_hash,
    expect_id_token_claims,
    expect_signed,
    front,
    supported,
)
from suites.oidc.provider import endpoint

req = pytest.mark.requirement
# The response type each flow's ID token checks use: the one with the most in it.
FLOWS = [pytest.param("id_token token", "implicit", id="implicit"),
         pytest.param("code id_token", "hybrid", id="hybrid")]


@req("oidc.implicit.id-token")
def test_implicit_id_token(flows: Flows, client: rp.Client) -> None:
    response = front(flows, client, "id_token")
    params = response.callback.params
    expect("id_token" in params, "response_type=id_token returns an id_token", actual=params)
    expect("code" not in params and "access_token" not in params,
           "and neither a code nor an access token (Core §3.2.2.5)", actual=sorted(params))


@req("oidc.implicit.id-token-token")
def test_implicit_id_token_token(flows: Flows, client: rp.Client) -> None:
    params = front(flows, client, "id_token token").callback.params
    expect("id_token" in params and "access_token" in params,
           "response_type='id_token token' returns an id_token and an access_token",
           actual=sorted(params))
    expect("code" not in params, "and no code", actual=sorted(params))
    expect_equal(str(params.get("token_type", "")).lower(), "bearer", "token_type")


@pytest.mark.parametrize("response_type", [
    pytest.param("id_token", marks=req("oidc.implicit.fragment"), id="implicit"),
    pytest.param("code id_token", marks=req("oidc.hybrid.fragment"), id="hybrid")])
def test_fragment_encoding(flows: Flows, client: rp.Client, response_type: str) -> None:
    expect_fragment(front(flows, client, response_type))


@pytest.mark.parametrize("response_type", [
    pytest.param("id_token", marks=req("oidc.implicit.state"), id="implicit"),
    pytest.param("code id_token", marks=req("oidc.hybrid.state"), id="hybrid")])
def test_state_returned(flows: Flows, client: rp.Client, response_type: str) -> None:
    response = front(flows, client, response_type)
    expect_equal(response.callback.params.get("state"), response.state,
                 "state of the authorization response")


@pytest.mark.parametrize("response_type", [
    pytest.param("id_token", marks=req("oidc.implicit.nonce-required"), id="implicit"),
    pytest.param("code id_token", marks=req("oidc.hybrid.nonce-required"), id="hybrid")])
def test_nonce_required(flows: Flows, client: rp.Client, response_type: str) -> None:
    # Core §3.2.2.1, §3.3.2.11: nonce is REQUIRED when an ID token comes from this endpoint.
    supported(flows.metadata, response_type)
    url = rp.authorization_url(endpoint(flows.metadata, "authorization_endpoint"), client,
                               response_type=response_type, state=rp.new_state())
    outcome = flows.new_browser().authorize(url, client)
    if outcome.callback is None:
        # Refused on an error page (the texts set no status for it), not a login form.
        shown = flows.new_browser().interaction_form(outcome.final)
        expect(shown is None, "the request without nonce is refused on an error page",
               actual=(outcome.final.status_code, shown[0].form if shown else None))
        return
    expect("id_token" not in outcome.callback.params,
           "no ID token is issued for a request without nonce",
           actual=sorted(outcome.callback.params))
    expect_in(outcome.callback.error, ("invalid_request",), "error for the missing nonce")


@pytest.mark.parametrize(("response_type", "flow"), [
    pytest.param(*p.values, marks=req(f"oidc.{p.values[1]}.id-token.nonce"), id=p.id)
    for p in FLOWS])
def test_front_id_token_nonce(flows: Flows, client: rp.Client, response_type: str,
                              flow: str) -> None:
    response = front(flows, client, response_type)
    expect_equal(rp.unverified_claims(response.value("id_token")).get("nonce"),
                 response.nonce, "nonce of the ID token")


@pytest.mark.parametrize(("response_type", "flow"), [
    pytest.param(*p.values, marks=req(f"oidc.{p.values[1]}.id-token.signature"), id=p.id)
    for p in FLOWS])
def test_front_id_token_signature(flows: Flows, client: rp.Client, jwks: dict[str, Any],
                                  response_type: str, flow: str) -> None:
    response = front(flows, client, response_type)
    expect_signed(response.value("id_token"), jwks, flows.metadata)


@pytest.mark.parametrize(("response_type", "flow"), [
    pytest.param(*p.values, marks=req(f"oidc.{p.values[1]}.id-token.claims"), id=p.id)
    for p in FLOWS])
def test_front_id_token_claims(flows: Flows, client: rp.Client, issuer_url: str,
                               response_type: str, flow: str) -> None:
    response = front(flows, client, response_type)
    expect_id_token_claims(response.value("id_token"), client, issuer_url, response.started)


@pytest.mark.parametrize("response_type", [
    pytest.param("id_token token", marks=req("oidc.implicit.at-hash"), id="implicit"),
    pytest.param("code id_token token", marks=req("oidc.hybrid.at-hash"), id="hybrid")])
def test_at_hash(flows: Flows, client: rp.Client, response_type: str) -> None:
    expect_hash(front(flows, client, response_type), "at_hash", "access_token")


@pytest.mark.parametrize("response_type", [
    pytest.param("code id_token", marks=req("oidc.hybrid.c-hash"), id="code-id_token"),
    pytest.param("code id_token token", marks=req("oidc.hybrid.c-hash-with-token"),
                 id="code-id_token-token")])
def test_c_hash(flows: Flows, client: rp.Client, response_type: str) -> None:
    expect_hash(front(flows, client, response_type), "c_hash", "code")


@req("oidc.hybrid.code-id-token")
def test_hybrid_code_id_token(flows: Flows, client: rp.Client) -> None:
    params = front(flows, client, "code id_token").callback.params
    expect("code" in params and "id_token" in params,
           "response_type='code id_token' returns a code and an id_token", actual=sorted(params))
    expect("access_token" not in params, "and no access token", actual=sorted(params))


@req("oidc.hybrid.code-token")
def test_hybrid_code_token(flows: Flows, client: rp.Client) -> None:
    params = front(flows, client, "code token").callback.params
    expect("code" in params and "access_token" in params,
           "response_type='code token' returns a code and an access_token",
           actual=sorted(params))
    expect_equal(str(params.get("token_type", "")).lower(), "bearer", "token_type")


@req("oidc.hybrid.code-id-token-token")
def test_hybrid_code_id_token_token(flows: Flows, client: rp.Client) -> None:
    params = front(flows, client, "code id_token token").callback.params
    expect({"code", "id_token", "access_token"} <= set(params),
           "response_type='code id_token token' returns a code, an id_token and an "
           "access_token", actual=sorted(params))


@req("oidc.hybrid.token-id-token")
def test_hybrid_token_endpoint_id_token(flows: Flows, client: rp.Client) -> None:
    # Core §3.3.3.6: iss and sub of both ID tokens MUST be identical.
    response = front(flows, client, "code id_token")
    first = rp.unverified_claims(response.value("id_token"))
    redeemed = flows.redeem(client, response.value("code"))
    expect_equal(redeemed.status_code, 200, "the token endpoint redeems the hybrid code")
    tokens = rp.json_body(redeemed, "the token response")
    second = tokens.get("id_token")
    expect(isinstance(second, str), "the token response holds an id_token", actual=tokens)
    assert isinstance(second, str)
    claims = rp.unverified_claims(second)
    expect_equal((claims.get("iss"), claims.get("sub")), (first.get("iss"), first.get("sub")),
                 "iss and sub of the token endpoint's ID token (those of the front one)")


@pytest.mark.parametrize("response_type", [
    pytest.param("id_token token", marks=req("oidc.implicit.userinfo"), id="implicit"),
    pytest.param("code token", marks=req("oidc.hybrid.userinfo"), id="hybrid")])
def test_front_access_token_at_userinfo(flows: Flows, client: rp.Client,
                                        response_type: str) -> None:
    response = front(flows, client, response_type)
    answer = flows.userinfo(response.value("access_token"))
    expect_equal(answer.status_code, 200, "UserInfo status for the front-channel access token")
    claims = rp.json_body(answer, "the UserInfo response")
    if response_type == "id_token token":
        sub = rp.unverified_claims(response.value("id_token")).get("sub")
        expect_equal(claims.get("sub"), sub, "sub of UserInfo (that of the ID token)")
    else:
        expect(isinstance(claims.get("sub"), str), "UserInfo names the subject", actual=claims)
    if not claims:
        cant_tell("empty UserInfo response")


@req("oidc.hybrid.code-token-redeemed")
def test_hybrid_code_token_redeemed(flows: Flows, client: rp.Client) -> None:
    # Core §3.3.3.3: the token endpoint's response is that of §3.1.3.3, ID token included.
    response = front(flows, client, "code token")
    redeemed = flows.redeem(client, response.value("code"))
    expect_equal(redeemed.status_code, 200, "the token endpoint redeems the hybrid code")
    tokens = rp.json_body(redeemed, "the token response")
    expect(isinstance(tokens.get("id_token"), str) and isinstance(
        tokens.get("access_token"), str), "the token response holds an id_token and an "
           "access_token", actual=sorted(tokens))


@req("oidc.hybrid.code-reuse")
def test_hybrid_code_reuse(flows: Flows, client: rp.Client) -> None:
    # oidcc-codereuse (hybrid plan): a code is used once (RFC 6749 §4.1.2).
    response = front(flows, client, "code id_token")
    code = response.value("code")
    first = flows.redeem(client, code)
    if first.status_code != 200:
        cant_tell(f"the hybrid code was not redeemed once (HTTP {first.status_code})")
    second = flows.redeem(client, code)
    expect(second.status_code == 400, "a second redemption of the hybrid code is refused",
           actual=second.status_code)
    expect_equal(rp.json_body(second, "the error response").get("error"), "invalid_grant",
                 "error")
