"""What a client registers and the provider must then honour (Registration §2, Core §5.3.2,
§8): the ID token's signing algorithm, signed UserInfo responses, pairwise subjects."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from conformance.api import cant_tell, expect, expect_equal, inapplicable
from suites.oidc import rp
from suites.oidc.checks.test_registration import (
    authorize_new_client,
    register,
    valid_metadata,
)
from suites.oidc.flows import CodeFlow, Flows

req = pytest.mark.requirement


def registered_client(flows: Flows, **extra: Any) -> rp.Client:
    sent = {**valid_metadata(), **extra}
    response = register(flows, sent)
    if response.status_code != 201:
        cant_tell(f"the client could not be registered (HTTP {response.status_code}: "
                  f"{response.text[:200]})")
    body = rp.json_body(response, "the registration response")
    client = rp.Client(str(body["client_id"]), str(body.get("client_secret", "")),
                       tuple(sent["redirect_uris"]))
    # A provider may know a new client only after a moment (oidc.registration.usable).
    if authorize_new_client(flows, client).callback is None:
        cant_tell("the registered client is not usable (see oidc.registration.usable)")
    return client


@req("oidc.registration.id-token-alg")
def test_registered_id_token_alg(flows: Flows, jwks: dict[str, Any]) -> None:
    algs = flows.metadata.get("id_token_signing_alg_values_supported") or []
    others = [a for a in ("PS256", "ES256") if a in algs]
    if not others:
        inapplicable("id_token_signing_alg_values_supported lists neither PS256 nor ES256",
                     "no algorithm other than RS256 to register")
    client = registered_client(flows, id_token_signed_response_alg=others[0])
    flow = flows.complete(client)
    expect_equal(rp.unverified_header(flow.id_token).get("alg"), others[0],
                 "alg of the ID token (the one registered)")
    problem = rp.verify_signature(flow.id_token, jwks, [others[0]])
    expect(problem is None, "it verifies with the JWK Set", actual=problem)


def signed_userinfo(flows: Flows) -> tuple[CodeFlow, requests.Response]:
    algs = flows.metadata.get("userinfo_signing_alg_values_supported")
    if not isinstance(algs, list) or "RS256" not in algs:
        inapplicable("userinfo_signing_alg_values_supported omits RS256 (Discovery §3)",
                     "the provider does not sign UserInfo responses with RS256")
    client = registered_client(flows, userinfo_signed_response_alg="RS256")
    flow = flows.complete(client)
    return flow, flows.userinfo(flow.access_token)


@req("oidc.userinfo.signed-iss-aud")
def test_signed_userinfo_iss_aud(flows: Flows, issuer_url: str) -> None:
    flow, response = signed_userinfo(flows)
    expect(response.headers.get("Content-Type", "").startswith("application/jwt"),
           "a signed UserInfo response is application/jwt",
           actual=response.headers.get("Content-Type"))
    claims = rp.unverified_claims(response.text.strip())
    expect_equal(claims.get("iss"), issuer_url, "iss of the signed UserInfo (Core §5.3.2)")
    aud = claims.get("aud")
    expect(flow.client.client_id in (aud if isinstance(aud, list) else [aud]),
           "aud of the signed UserInfo names the client", actual=aud)


@req("oidc.userinfo.signed")
def test_signed_userinfo(flows: Flows, jwks: dict[str, Any], issuer_url: str) -> None:
    # oidcc-userinfo-rs256
    algs = flows.metadata.get("userinfo_signing_alg_values_supported")
    if not isinstance(algs, list) or "RS256" not in algs:
        inapplicable("userinfo_signing_alg_values_supported omits RS256 (Discovery §3)",
                     "the provider does not sign UserInfo responses with RS256")
    client = registered_client(flows, userinfo_signed_response_alg="RS256")
    flow: CodeFlow = flows.complete(client)
    response = flows.userinfo(flow.access_token)
    expect_equal(response.status_code, 200, "UserInfo status")
    expect(response.headers.get("Content-Type", "").startswith("application/jwt"),
           "a signed UserInfo response is application/jwt (Core §5.3.2)",
           actual=response.headers.get("Content-Type"))
    token = response.text.strip()
    problem = rp.verify_signature(token, jwks, ["RS256"])
    expect(problem is None, "the UserInfo JWT verifies with RS256 and the JWK Set",
           actual=problem)
    claims = rp.unverified_claims(token)
    expect_equal(claims.get("sub"), rp.unverified_claims(flow.id_token).get("sub"),
                 "sub of the signed UserInfo (that of the ID token)")


@req("oidc.subject.pairwise")
def test_pairwise_subject(flows: Flows, client: rp.Client) -> None:
    types = flows.metadata.get("subject_types_supported")
    if not isinstance(types, list) or "pairwise" not in types:
        inapplicable("subject_types_supported omits pairwise (Discovery §3)",
                     "the provider does not offer pairwise subject identifiers")
    public_sub = rp.unverified_claims(flows.complete(client).id_token).get("sub")
    pairwise = registered_client(flows, subject_type="pairwise")
    first = rp.unverified_claims(flows.complete(pairwise).id_token).get("sub")
    second = rp.unverified_claims(flows.complete(pairwise).id_token).get("sub")
    expect(isinstance(first, str) and first != public_sub,
           "the pairwise client gets a sub other than the one another sector's client gets "
           "(Core §8.1)", actual=(first, public_sub))
    expect_equal(second, first, "the pairwise sub is the same at every login")
