"""Authentication request parameters beyond the basic ones (Core §3.1.2.1, §5.2, §5.5, §6):
the claims parameter, request objects, display, hints, locales and acr_values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from conformance.api import cant_tell, expect, expect_equal, inapplicable
from suites.oidc import rp
from suites.oidc.assertions import request_object
from suites.oidc.flows import Flows
from suites.oidc.provider import endpoint
from suites.oidc.receiver import ObjectHost

req = pytest.mark.requirement
# A claim of the email scope, asked for by the claims parameter with scope=openid alone.
CLAIM = "email"


def claims_parameter_supported(metadata: dict[str, Any]) -> None:
    if metadata.get("claims_parameter_supported") is not True:
        inapplicable("claims_parameter_supported is not true (Discovery §3: default false)",
                     "the provider does not support the claims parameter")


def account_claim(oidc_settings: dict[str, Any]) -> None:
    if CLAIM not in (oidc_settings.get("scopes") or {}).get("email", []):
        cant_tell(f"the manifest's scopes do not say the account has an {CLAIM} claim")


@req("oidc.claims-parameter.userinfo")
def test_claims_parameter_userinfo(flows: Flows, client: rp.Client,
                                   oidc_settings: dict[str, Any]) -> None:
    claims_parameter_supported(flows.metadata)
    account_claim(oidc_settings)
    wanted = {"userinfo": {CLAIM: {"essential": True}}}
    flow = flows.complete(client, claims=json.dumps(wanted))
    released = rp.json_body(flows.userinfo(flow.access_token), "the UserInfo response")
    expect(CLAIM in released, f"UserInfo releases the {CLAIM} claim asked for as essential",
           actual=sorted(released))


@req("oidc.claims-parameter.voluntary")
def test_claims_parameter_voluntary(flows: Flows, client: rp.Client,
                                    oidc_settings: dict[str, Any]) -> None:
    claims_parameter_supported(flows.metadata)
    account_claim(oidc_settings)
    flow = flows.complete(client, claims=json.dumps({"userinfo": {CLAIM: None}}))
    released = rp.json_body(flows.userinfo(flow.access_token), "the UserInfo response")
    expect(CLAIM in released, f"UserInfo releases the {CLAIM} claim asked for as voluntary",
           actual=sorted(released))


@req("oidc.claims-parameter.id-token")
def test_claims_parameter_id_token(flows: Flows, client: rp.Client,
                                   oidc_settings: dict[str, Any]) -> None:
    claims_parameter_supported(flows.metadata)
    account_claim(oidc_settings)
    flow = flows.complete(client, claims=json.dumps({"id_token": {CLAIM: None}}))
    claims = rp.unverified_claims(flow.id_token)
    expect(CLAIM in claims, f"the ID token carries the {CLAIM} claim asked for",
           actual=sorted(claims))


def request_object_alg(metadata: dict[str, Any], alg: str) -> None:
    if metadata.get("request_parameter_supported") is not True:
        inapplicable("request_parameter_supported is not true (Discovery §3: default false)",
                     "the provider does not support the request parameter")
    algs = metadata.get("request_object_signing_alg_values_supported")
    if not isinstance(algs, list) or alg not in algs:
        inapplicable(f"request_object_signing_alg_values_supported omits {alg} (Discovery §3)",
                     f"the provider does not take {alg} request objects")


def object_request(flows: Flows, client: rp.Client, secret: str | None
                   ) -> tuple[rp.Outcome, str, str]:
    """state and nonce only in the request object: Core §6.3.3 says the OP uses them."""
    state, nonce = rp.new_state(), rp.new_state()
    claims = {"iss": client.client_id, "aud": flows.metadata.get("issuer"),
              "client_id": client.client_id, "response_type": "code", "scope": "openid",
              "redirect_uri": client.redirect_uri, "state": state, "nonce": nonce}
    url = rp.authorization_url(endpoint(flows.metadata, "authorization_endpoint"), client,
                               request=request_object(claims, secret))
    return flows.new_browser().authorize(url, client), state, nonce


@req("oidc.request-object.unsigned")
def test_unsigned_request_object(flows: Flows, client: rp.Client) -> None:
    # oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported
    outcome, state, _ = object_request(flows, client, None)
    algs = flows.metadata.get("request_object_signing_alg_values_supported") or []
    callback = outcome.callback
    if callback is not None and callback.error and "none" not in algs:
        expect(callback.error in ("request_not_supported", "invalid_request_object"),
               "an unsigned request object is refused as unsupported",
               actual=callback.params)
        return
    if callback is None:
        # Refused on a page (the module takes a screenshot of it); any status: the texts
        # set none. Still asking for a login is no refusal.
        shown = flows.new_browser().interaction_form(outcome.final)
        expect("none" not in algs and shown is None, "an unsigned request object the "
               "provider does not take ends on an error page",
               actual=(outcome.final.status_code, algs, shown[0].form if shown else None))
        return
    expect_equal(callback.params.get("state"), state,
                 "state of the response: the request object's (Core §6.3.3)")


@req("oidc.request-uri.unsigned")
def test_unsigned_request_uri(flows: Flows, client: rp.Client) -> None:
    # oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported: the same
    # unsigned object, by reference (Core §6.2), served at a loopback URL.
    state, nonce = rp.new_state(), rp.new_state()
    claims = {"iss": client.client_id, "aud": flows.metadata.get("issuer"),
              "client_id": client.client_id, "response_type": "code", "scope": "openid",
              "redirect_uri": client.redirect_uri, "state": state, "nonce": nonce}
    with ObjectHost(request_object(claims, None)) as host:
        url = rp.authorization_url(endpoint(flows.metadata, "authorization_endpoint"), client,
                                   request_uri=host.url)
        outcome = flows.new_browser().authorize(url, client)
    callback = outcome.callback
    # Discovery §3: request_uri_parameter_supported defaults to true; an OP that needs its
    # request_uris registered in advance may refuse one that is not.
    offered = flows.metadata.get("request_uri_parameter_supported", True) is True
    may_refuse = not offered or flows.metadata.get("require_request_uri_registration") is True
    if callback is not None and callback.error:
        expect(may_refuse and callback.error in (
            "request_uri_not_supported", "invalid_request_uri", "invalid_request_object",
            "request_not_supported"), "an unsigned request_uri is refused as unsupported "
               "only when the provider does not take it", actual=(callback.params, offered))
        return
    if callback is None:
        shown = flows.new_browser().interaction_form(outcome.final)
        expect(may_refuse and shown is None, "a request_uri the provider does not take ends "
               "on an error page", actual=(outcome.final.status_code, offered,
                                           shown[0].form if shown else None))
        return
    expect_equal(callback.params.get("state"), state,
                 "state of the response: the referenced request object's (Core §6.2)")


@req("oidc.request-object.signed")
def test_signed_request_object(flows: Flows, client: rp.Client) -> None:
    request_object_alg(flows.metadata, "HS256")
    outcome, state, nonce = object_request(flows, client, client.client_secret)
    callback = outcome.callback
    expect(callback is not None and bool(callback.code),
           "an HS256 request object signed with the client secret gets a code",
           actual=callback.params if callback else outcome.final.status_code)
    assert callback is not None
    expect_equal(callback.params.get("state"), state,
                 "state of the response: the request object's (Core §6.3.3)")
    response = flows.redeem(client, str(callback.code))
    tokens = rp.json_body(response, "the token response")
    token = tokens.get("id_token")
    if not isinstance(token, str):
        cant_tell("the token response holds no id_token")
    expect_equal(rp.unverified_claims(token).get("nonce"), nonce,
                 "nonce of the ID token: the request object's")


OPTIONAL_PARAMETERS = [
    pytest.param({"display": "page"}, marks=req("oidc.authz.display-page"), id="display-page"),
    pytest.param({"display": "popup"}, marks=req("oidc.authz.display-popup"),
                 id="display-popup"),
    pytest.param({"ui_locales": "se fr-CA"}, marks=req("oidc.authz.ui-locales"),
                 id="ui-locales"),
    pytest.param({"claims_locales": "se fr-CA"}, marks=req("oidc.authz.claims-locales"),
                 id="claims-locales"),
    pytest.param({"login_hint": "{username}"}, marks=req("oidc.authz.login-hint"),
                 id="login-hint"),
    pytest.param({"acr_values": "1 2"}, marks=req("oidc.authz.acr-values"), id="acr-values"),
]


@pytest.mark.parametrize("extra", OPTIONAL_PARAMETERS)
def test_optional_parameter_accepted(flows: Flows, client: rp.Client,
                                     extra: dict[str, str], candidate: Any,
                                     oidc_settings: dict[str, Any]) -> None:
    account = candidate.account(str(oidc_settings.get("account", "primary")))
    params = {k: v.format(username=account.username) for k, v in extra.items()}
    url = rp.authorization_url(endpoint(flows.metadata, "authorization_endpoint"), client,
                               state=rp.new_state(), nonce=rp.new_state(), **params)
    outcome = flows.new_browser().authorize(url, client)
    expect(outcome.callback is not None and bool(outcome.callback.code),
           f"a request with {', '.join(params)} completes with a code",
           actual=outcome.callback.params if outcome.callback
           else f"stopped at HTTP {outcome.final.status_code} {outcome.final.url}")


@req("oidc.authz.id-token-hint")
def test_id_token_hint(flows: Flows, client: rp.Client) -> None:
    # oidcc-id-token-hint: signed in, then prompt=none with the ID token just issued.
    flow = flows.complete(client)
    url = rp.authorization_url(endpoint(flows.metadata, "authorization_endpoint"), client,
                               prompt="none", id_token_hint=flow.id_token,
                               state=rp.new_state(), nonce=rp.new_state())
    outcome = flow.browser.authorize(url, client, interact=False)
    expect(outcome.callback is not None and bool(outcome.callback.code),
           "prompt=none with the session's id_token_hint returns a code",
           actual=outcome.callback.params if outcome.callback
           else f"stopped at HTTP {outcome.final.status_code}")
