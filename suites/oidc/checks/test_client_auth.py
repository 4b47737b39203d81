"""Client authentication at the token endpoint (Core §9): the JWT methods, and a method the
client did not register refused."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import cant_tell, expect, expect_equal, expect_in, inapplicable
from suites.oidc import assertions, rp
from suites.oidc.checks.test_registration import register, valid_metadata
from suites.oidc.flows import Flows

req = pytest.mark.requirement


def advertised(metadata: dict[str, Any], method: str) -> None:
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if method not in methods:
        inapplicable(f"token_endpoint_auth_methods_supported omits {method} (Discovery §3)",
                     f"the provider does not offer {method}")


def expect_tokens(flows: Flows, client: rp.Client, how: str) -> None:
    code, _, _ = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    response = flows.redeem(client, code, how)
    expect_equal(response.status_code, 200, f"token endpoint status with {how}")
    expect("id_token" in rp.json_body(response, "the token response"),
           "the token response holds an ID token")


@req("oidc.client-auth.client-secret-jwt")
def test_client_secret_jwt(flows: Flows, clients: dict[str, rp.Client]) -> None:
    advertised(flows.metadata, "client_secret_jwt")
    client = clients.get("jwt")
    if client is None:
        cant_tell("[settings.oidc.clients.jwt] (a client_secret_jwt client) is not declared")
    expect_tokens(flows, client, "client_secret_jwt")


@req("oidc.client-auth.private-key-jwt")
def test_private_key_jwt(flows: Flows) -> None:
    # oidcc-ensure-client-assertion-with-iss-aud-succeeds: a client registered with its jwks.
    advertised(flows.metadata, "private_key_jwt")
    private, public = assertions.new_rsa_key()
    sent = {**valid_metadata(), "token_endpoint_auth_method": "private_key_jwt",
            "jwks": {"keys": [public]}}
    response = register(flows, sent)
    if response.status_code != 201:
        cant_tell(f"a private_key_jwt client could not be registered (HTTP "
                  f"{response.status_code}: {response.text[:200]})")
    body = rp.json_body(response, "the registration response")
    client = rp.Client(str(body["client_id"]), "", tuple(sent["redirect_uris"]),
                       "private_key_jwt", private_jwk=private)
    expect_tokens(flows, client, "private_key_jwt")


@req("oidc.client-auth.registered-method")
def test_unregistered_method_refused(flows: Flows, clients: dict[str, rp.Client]) -> None:
    # The jwt client registered client_secret_jwt; it now sends its secret by HTTP Basic.
    advertised(flows.metadata, "client_secret_jwt")
    client = clients.get("jwt")
    if client is None or client.auth_method != "client_secret_jwt":
        cant_tell("[settings.oidc.clients.jwt] (a client_secret_jwt client) is not declared")
    code, _, _ = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    response = flows.redeem(client, code, "client_secret_basic")
    expect(response.status_code in (400, 401), "client_secret_basic from a client registered "
           "for client_secret_jwt is refused", actual=response.status_code)
    expect_in(rp.json_body(response, "the error response").get("error"),
              ("invalid_client",), "error")
