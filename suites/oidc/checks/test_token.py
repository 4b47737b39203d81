"""The token endpoint: redeeming codes (Core §3.1.3, RFC 6749 §4.1.3, §5), client
authentication (RFC 6749 §2.3.1, Core §9) and what a code may be used for."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import cant_tell, expect, expect_equal, expect_in, inapplicable
from suites.oidc import rp
from suites.oidc.flows import CodeFlow, Flows


def error_of(response: Any) -> object:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("error") if isinstance(body, dict) else None


@pytest.mark.requirement("oidc.token.response")
def test_token_response(code_flow: CodeFlow) -> None:
    tokens = code_flow.tokens
    expect(isinstance(tokens.get("access_token"), str), "the token response has access_token",
           actual=sorted(tokens))
    expect(str(tokens.get("token_type", "")).lower() == "bearer", "token_type is Bearer",
           actual=tokens.get("token_type"))
    expect(isinstance(tokens.get("id_token"), str), "the token response has id_token",
           actual=sorted(tokens))


@pytest.mark.requirement("oidc.token.no-store")
def test_token_response_is_not_cached(code_flow: CodeFlow) -> None:
    header = code_flow.token_response.headers.get("Cache-Control", "")
    directives = [d.strip().lower() for d in header.split(",")]
    expect("no-store" in directives, "Cache-Control of the token response has no-store",
           expected="no-store", actual=header or None)


@pytest.mark.requirement("oidc.token.client-secret-basic")
def test_client_secret_basic(flows: Flows, client: rp.Client) -> None:
    code, _, _ = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    response = flows.redeem(client, code, method="client_secret_basic")
    expect_equal(response.status_code, 200, "status of a token request with HTTP Basic")


@pytest.mark.requirement("oidc.token.client-secret-post")
def test_client_secret_post(flows: Flows, post_client: rp.Client,
                            metadata: dict[str, Any]) -> None:
    # Discovery 1.0 §3: when the member is omitted the default is client_secret_basic alone.
    methods = metadata.get("token_endpoint_auth_methods_supported", ["client_secret_basic"])
    if not isinstance(methods, list):
        cant_tell(f"token_endpoint_auth_methods_supported is not a list: {methods!r}")
    if "client_secret_post" not in methods:
        inapplicable("client_secret_post is not in token_endpoint_auth_methods_supported "
                     "(Discovery 1.0 §3; Core §9 makes it one method an OP may offer)",
                     "the provider does not advertise client_secret_post")
    code, _, _ = flows.code(post_client, state=rp.new_state(), nonce=rp.new_state())
    response = flows.redeem(post_client, code, method="client_secret_post")
    expect_equal(response.status_code, 200, "status of a token request with client_secret_post")


@pytest.mark.requirement("oidc.token.invalid-client")
def test_wrong_secret_is_refused(flows: Flows, client: rp.Client) -> None:
    code, _, _ = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    wrong = rp.Client(client.client_id, client.client_secret + "-wrong", client.redirect_uris)
    response = flows.redeem(wrong, code, method="client_secret_basic")
    expect_equal(response.status_code, 401, "status of a token request with a wrong secret")
    expect_equal(error_of(response), "invalid_client", "error of a wrong client secret")


def redeem_twice(flows: Flows, client: rp.Client) -> tuple[str | None, Any]:
    """Redeem one code twice: the first access token and the second answer."""
    code, _, _ = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    first = flows.redeem(client, code)
    if first.status_code != 200:
        cant_tell(f"the first redemption of a code failed (HTTP {first.status_code})")
    access_token = rp.json_body(first, "the token response").get("access_token")
    return access_token if isinstance(access_token, str) else None, flows.redeem(client, code)


@pytest.mark.requirement("oidc.token.code-reuse")
def test_code_reuse_is_refused(flows: Flows, client: rp.Client) -> None:
    _, second = redeem_twice(flows, client)
    expect(second.status_code == 400, "a second redemption of the code is refused",
           expected=400, actual=second.status_code)
    expect_equal(error_of(second), "invalid_grant", "error of a reused code")


@pytest.mark.requirement("oidc.token.code-reuse-revokes")
def test_code_reuse_revokes_tokens(flows: Flows, client: rp.Client) -> None:
    access_token, second = redeem_twice(flows, client)
    if second.status_code == 200:
        cant_tell("the reused code was accepted (see oidc.token.code-reuse)")
    if access_token is None:
        cant_tell("the first token response held no access token")
    userinfo = flows.userinfo(access_token)
    expect(userinfo.status_code == 401, "the access token of the reused code is revoked",
           expected=401, actual=userinfo.status_code)


@pytest.mark.requirement("oidc.token.redirect-uri-match")
def test_redirect_uri_must_match(flows: Flows, client: rp.Client) -> None:
    if len(client.redirect_uris) < 2:
        cant_tell("the basic client needs two registered redirect URIs for this check")
    code, _, _ = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    response = flows.redeem(client, code, redirect_uri=client.redirect_uris[1])
    expect_equal(response.status_code, 400, "status for a different redirect_uri")
    expect_equal(error_of(response), "invalid_grant", "error for a different redirect_uri")


@pytest.mark.requirement("oidc.token.code-bound-to-client")
def test_code_is_bound_to_its_client(flows: Flows, client: rp.Client,
                                     post_client: rp.Client) -> None:
    code, _, _ = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    response = flows.redeem(post_client, code, redirect_uri=client.redirect_uri)
    expect_in(response.status_code, (400, 401), "status when another client redeems a code")
    expect_equal(error_of(response), "invalid_grant", "error when another client redeems it")
