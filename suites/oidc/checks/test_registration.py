"""Dynamic client registration (OpenID Connect Dynamic Client Registration 1.0 §3)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
import requests

from conformance.api import cant_tell, expect, expect_equal, expect_in, inapplicable
from suites.oidc import rp
from suites.oidc.flows import Flows
from suites.oidc.provider import absent, endpoint

# How long a newly registered client may take to become known (see authorize_new_client).
SETTLE = 5.0


@pytest.fixture(autouse=True)
def registration_offered(oidc_settings: dict[str, Any]) -> None:
    absent(oidc_settings, "dynamic-registration")


def register(flows: Flows, metadata: dict[str, Any]) -> requests.Response:
    """A registration request; inapplicable when the provider publishes no registration
    endpoint (Discovery §3: it is RECOMMENDED, so one that is not offered is left out)."""
    if "registration_endpoint" not in flows.metadata:
        inapplicable("the discovery document names no registration_endpoint (Discovery §3)",
                     "the provider offers no dynamic client registration")
    return flows.session.post(endpoint(flows.metadata, "registration_endpoint"), json=metadata,
                              headers={"Accept": "application/json"})


def valid_metadata() -> dict[str, Any]:
    tag = uuid.uuid4().hex[:8]
    return {"redirect_uris": [f"https://rp-{tag}.example.test/callback"],
            "client_name": f"eos check {tag}", "grant_types": ["authorization_code"],
            "response_types": ["code"], "token_endpoint_auth_method": "client_secret_basic"}


@pytest.fixture
def registration(flows: Flows) -> tuple[dict[str, Any], requests.Response]:
    sent = valid_metadata()
    return sent, register(flows, sent)


@pytest.fixture
def registered(registration: tuple[dict[str, Any], requests.Response]
               ) -> tuple[dict[str, Any], dict[str, Any]]:
    """What was sent and the registration response, for checks of a successful one."""
    sent, response = registration
    if response.status_code != 201:
        cant_tell(f"the registration was refused (HTTP {response.status_code}; see "
                  "oidc.registration.created)")
    return sent, body_of(response)


def body_of(response: requests.Response) -> dict[str, Any]:
    return rp.json_body(response, "the registration response")


@pytest.mark.requirement("oidc.registration.created")
def test_registration_created(registration: tuple[dict[str, Any], requests.Response]) -> None:
    _, response = registration
    expect_equal(response.status_code, 201, "status of a valid registration request")
    expect(isinstance(body_of(response).get("client_id"), str), "a client_id is returned")


@pytest.mark.requirement("oidc.registration.metadata-returned")
def test_registered_metadata_returned(registered: tuple[dict[str, Any], dict[str, Any]]) -> None:
    sent, body = registered
    expect_equal(body.get("redirect_uris"), sent["redirect_uris"], "redirect_uris returned")
    expect_equal(body.get("client_name"), sent["client_name"], "client_name returned")
    expect_equal(body.get("token_endpoint_auth_method"), sent["token_endpoint_auth_method"],
                 "token_endpoint_auth_method returned")


@pytest.mark.requirement("oidc.registration.secret-expiry")
def test_secret_has_expiry(registered: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, body = registered
    if "client_secret" not in body:
        inapplicable("the registration response issues no client_secret (Registration 1.0 "
                     "§3.2: client_secret_expires_at is REQUIRED only if client_secret is "
                     "issued)", "the rule concerns an issued client secret")
    expiry = body.get("client_secret_expires_at")
    expect(isinstance(expiry, int) and not isinstance(expiry, bool) and expiry >= 0,
           "client_secret_expires_at is returned with the secret", actual=expiry)


def authorize_new_client(flows: Flows, client: rp.Client) -> rp.Outcome:
    """The new client's authorization request, asked again while the provider does not know
    the client yet (an error page instead of the redirect), for at most SETTLE seconds: the
    texts set no delay before a registered client is usable, and a provider that loads its
    clients from a configuration it reloads every second or so (LemonLDAP::NG) knows it
    only then. A client still refused after that fails."""
    url = rp.authorization_url(endpoint(flows.metadata, "authorization_endpoint"), client,
                               state=rp.new_state(), nonce=rp.new_state())
    deadline = time.monotonic() + SETTLE
    while True:
        outcome = flows.new_browser().authorize(url, client)
        if outcome.callback is not None or time.monotonic() >= deadline:
            return outcome
        time.sleep(0.5)


@pytest.mark.requirement("oidc.registration.usable")
def test_registered_client_completes_code_flow(
        flows: Flows, registered: tuple[dict[str, Any], dict[str, Any]]) -> None:
    sent, body = registered
    client = rp.Client(str(body.get("client_id")), str(body.get("client_secret", "")),
                       tuple(sent["redirect_uris"]))
    # The registration itself succeeded, so a provider that refuses the new client at its
    # authorization or token endpoint fails this requirement; it is no missing precondition.
    outcome = authorize_new_client(flows, client)
    expect(outcome.callback is not None and bool(outcome.callback.code),
           f"the new client gets an authorization code (asked for up to {SETTLE:.0f} s)",
           actual=outcome.callback.params if outcome.callback
           else f"stopped at HTTP {outcome.final.status_code} {outcome.final.url}")
    assert outcome.callback is not None and outcome.callback.code is not None
    response = flows.redeem(client, outcome.callback.code)
    expect_equal(response.status_code, 200, "status of the new client's token request")
    tokens = rp.json_body(response, "the token response")
    expect(isinstance(tokens.get("id_token"), str), "the new client gets an ID token",
           actual=sorted(tokens))
    claims = rp.unverified_claims(str(tokens["id_token"]))
    aud = claims.get("aud")
    expect(client.client_id in (aud if isinstance(aud, list) else [aud]),
           "the ID token is issued to the new client", actual=aud)


def expect_registration_error(response: requests.Response, allowed: tuple[str, ...]) -> None:
    expect_equal(response.status_code, 400, "status of a refused registration")
    expect_in(body_of(response).get("error"), allowed, "error of a refused registration")


@pytest.mark.requirement("oidc.registration.redirect-uri-fragment")
def test_redirect_uri_with_fragment_refused(flows: Flows) -> None:
    sent = valid_metadata()
    sent["redirect_uris"] = [sent["redirect_uris"][0] + "#fragment"]
    expect_registration_error(register(flows, sent),
                              ("invalid_redirect_uri", "invalid_client_metadata"))


@pytest.mark.requirement("oidc.registration.redirect-uris-required")
def test_redirect_uris_required(flows: Flows) -> None:
    sent = valid_metadata()
    del sent["redirect_uris"]
    expect_registration_error(register(flows, sent),
                              ("invalid_redirect_uri", "invalid_client_metadata"))


@pytest.mark.requirement("oidc.registration.invalid-metadata")
def test_invalid_metadata_refused(flows: Flows) -> None:
    sent = valid_metadata()
    sent["token_endpoint_auth_method"] = "eos_unknown_method"
    expect_registration_error(register(flows, sent), ("invalid_client_metadata",))


@pytest.mark.requirement("oidc.registration.error-json")
def test_registration_errors_are_json(flows: Flows) -> None:
    sent = valid_metadata()
    sent["redirect_uris"] = "not-a-list"
    response = register(flows, sent)
    expect(400 <= response.status_code < 500, "an invalid registration is refused",
           actual=response.status_code)
    content_type = response.headers.get("Content-Type", "")
    expect(content_type.startswith("application/json"), "the error is application/json",
           actual=content_type)
    expect(isinstance(body_of(response).get("error"), str), "the error has an error member")
