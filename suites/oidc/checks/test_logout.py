"""RP-Initiated Logout 1.0 and Back-Channel Logout 1.0: the end_session_endpoint, the
redirect back to the client with its state, the session ended, and the logout token the OP
POSTs to the client's backchannel_logout_uri."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest

from conformance.api import cant_tell, expect, expect_equal, inapplicable
from suites.oidc import rp
from suites.oidc.checks.test_registration import register, valid_metadata
from suites.oidc.flows import CodeFlow, Flows
from suites.oidc.provider import absent, endpoint
from suites.oidc.receiver import LogoutReceiver

req = pytest.mark.requirement
UNREGISTERED = "https://attacker.example.test/logged-out"
EVENT = "http://schemas.openid.net/event/backchannel-logout"
DELIVERY_TIMEOUT = 5.0


def end_session(flows: Flows) -> str:
    return endpoint(flows.metadata, "end_session_endpoint")


def post_logout_uri(client: rp.Client) -> str:
    if not client.post_logout_redirect_uris:
        cant_tell("the basic client declares no post_logout_redirect_uris")
    return client.post_logout_redirect_uris[0]


def expect_session_ended(flows: Flows, client: rp.Client, browser: rp.Browser) -> None:
    """The same browser asks for a code again, without signing in: a provider whose session
    ended shows its login form; one whose session lives on returns a code or a consent
    page. (prompt=none would say it too, but is judged by its own checks.)"""
    url = rp.authorization_url(endpoint(flows.metadata, "authorization_endpoint"), client,
                               state=rp.new_state(), nonce=rp.new_state())
    outcome = browser.authorize(url, client, interact=False)
    expect(outcome.callback is None or outcome.callback.code is None,
           "after the logout, the browser's next authorization request gets no code",
           actual=outcome.callback.params if outcome.callback else None)
    if outcome.callback is not None:
        cant_tell(f"the request after the logout ended at the client: {outcome.callback.params}")
    shown = browser.interaction_form(outcome.final)
    expect(shown is not None and shown[0].login,
           "after the logout, the browser's next authorization request shows the login form",
           actual=shown[0].form if shown else f"HTTP {outcome.final.status_code}")


@dataclass
class Logout:
    flow: CodeFlow
    outcome: rp.Outcome
    state: str


def logout(flows: Flows, client: rp.Client, flow: CodeFlow | None = None,
           **params: Any) -> Logout:
    """Signs in, then sends the browser to the end_session_endpoint (confirming when the
    provider asks, as the manifest's form steps say)."""
    flow = flow or flows.complete(client)
    state = rp.new_state()
    query = {"id_token_hint": flow.id_token, "state": state, **params}
    query = {k: v for k, v in query.items() if v is not None}
    uri = str(query.get("post_logout_redirect_uri", ""))
    response = flow.browser.session.get(end_session(flows), params=query,
                                        allow_redirects=False)
    outcome = flow.browser.follow(response, client, watch=tuple(u for u in (uri,) if u),
                                  sign_in=False)
    return Logout(flow, outcome, state)


@req("oidc.logout.end-session-endpoint")
def test_end_session_endpoint(metadata: dict[str, Any], oidc_settings: dict[str, Any]) -> None:
    absent(oidc_settings, "rp-initiated-logout")
    value = metadata.get("end_session_endpoint")
    expect(isinstance(value, str) and value.startswith(("https://", "http://")),
           "the discovery document names an end_session_endpoint URL", actual=value)


@req("oidc.logout.redirect")
def test_logout_redirects_with_state(flows: Flows, client: rp.Client,
                                     oidc_settings: dict[str, Any]) -> None:
    absent(oidc_settings, "rp-initiated-logout")
    uri = post_logout_uri(client)
    done = logout(flows, client, post_logout_redirect_uri=uri)
    callback = done.outcome.callback
    expect(callback is not None and callback.url.split("?")[0] == uri,
           "the user agent is sent to the registered post_logout_redirect_uri",
           actual=callback.url if callback else done.outcome.final.status_code)
    assert callback is not None
    expect_equal(callback.query.get("state"), done.state, "state of the post-logout redirect")


@req("oidc.logout.session-ended")
def test_logout_ends_session(flows: Flows, client: rp.Client,
                             oidc_settings: dict[str, Any]) -> None:
    absent(oidc_settings, "rp-initiated-logout")
    done = logout(flows, client, post_logout_redirect_uri=post_logout_uri(client))
    if done.outcome.callback is None:
        cant_tell("the logout did not come back to the client (see oidc.logout.redirect)")
    expect_session_ended(flows, client, done.flow.browser)


@req("oidc.logout.unregistered-redirect")
def test_logout_unregistered_redirect(flows: Flows, client: rp.Client,
                                      oidc_settings: dict[str, Any]) -> None:
    # oidcc-rp-initiated-logout-bad-post-logout-redirect-uri
    absent(oidc_settings, "rp-initiated-logout")
    done = logout(flows, client, post_logout_redirect_uri=UNREGISTERED)
    callback = done.outcome.callback
    expect(callback is None or not callback.url.startswith(UNREGISTERED),
           "no redirect to a post_logout_redirect_uri that is not registered",
           actual=callback.url if callback else None)


@req("oidc.logout.no-post-logout-redirect")
def test_logout_without_redirect_uri(flows: Flows, client: rp.Client,
                                     oidc_settings: dict[str, Any]) -> None:
    # oidcc-rp-initiated-logout-no-post-logout-redirect-uri: the End-User is logged out and
    # stays at the OP.
    absent(oidc_settings, "rp-initiated-logout")
    done = logout(flows, client)
    expect(done.outcome.callback is None, "without post_logout_redirect_uri the user agent "
           "is not sent to the client", actual=done.outcome.callback.url
           if done.outcome.callback else None)
    expect_session_ended(flows, client, done.flow.browser)


@req("oidc.logout.no-params")
def test_logout_without_parameters(flows: Flows, client: rp.Client,
                                   oidc_settings: dict[str, Any]) -> None:
    # oidcc-rp-initiated-logout-no-params: no hint, no URI, no state; the OP may ask the
    # End-User to confirm, and the session ends.
    absent(oidc_settings, "rp-initiated-logout")
    done = logout(flows, client, id_token_hint=None, state=None)
    expect(done.outcome.final.status_code < 500, "the logout request without parameters is "
           "answered without a server error", actual=done.outcome.final.status_code)
    expect_session_ended(flows, client, done.flow.browser)


@req("oidc.logout.no-state")
def test_logout_without_state(flows: Flows, client: rp.Client,
                              oidc_settings: dict[str, Any]) -> None:
    # oidcc-rp-initiated-logout-no-state: state is returned only when one was sent.
    absent(oidc_settings, "rp-initiated-logout")
    uri = post_logout_uri(client)
    done = logout(flows, client, state=None, post_logout_redirect_uri=uri)
    callback = done.outcome.callback
    if callback is None:
        cant_tell("the logout did not come back to the client (see oidc.logout.redirect)")
    expect("state" not in callback.query, "no state in the post-logout redirect when none "
           "was sent", actual=callback.url)


@req("oidc.logout.query-added")
def test_logout_query_added(flows: Flows, client: rp.Client,
                            oidc_settings: dict[str, Any]) -> None:
    # oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri: exact match only.
    absent(oidc_settings, "rp-initiated-logout")
    uri = post_logout_uri(client)
    changed = uri + ("&" if "?" in uri else "?") + "extra=added"
    done = logout(flows, client, post_logout_redirect_uri=changed)
    callback = done.outcome.callback
    expect(callback is None or "extra=added" not in callback.url,
           "a registered post_logout_redirect_uri with a query added is not redirected to",
           actual=callback.url if callback else None)


@req("oidc.logout.modified-id-token-hint")
def test_logout_modified_hint(flows: Flows, client: rp.Client,
                              oidc_settings: dict[str, Any]) -> None:
    # oidcc-rp-initiated-logout-modified-id-token-hint: the hint's signature is altered.
    absent(oidc_settings, "rp-initiated-logout")
    flow = flows.complete(client)
    head, body, signature = flow.id_token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    uri = post_logout_uri(client)
    done = logout(flows, client, flow, id_token_hint=f"{head}.{body}.{flipped}",
                  post_logout_redirect_uri=uri)
    callback = done.outcome.callback
    expect(callback is None or not callback.url.startswith(uri),
           "an id_token_hint whose signature does not verify gets no post-logout redirect",
           actual=callback.url if callback else None)


def backchannel_supported(metadata: dict[str, Any], settings: dict[str, Any]) -> None:
    absent(settings, "back-channel-logout")
    if metadata.get("backchannel_logout_supported") is not True:
        # Back-Channel §2.1: omitted means false; the discovery check judges a missing one.
        inapplicable("backchannel_logout_supported is not true (Back-Channel §2.1)",
                     "the provider does not offer back-channel logout")


@dataclass
class Delivery:
    """What the client's backchannel_logout_uri received after its End-User logged out."""

    token: str | None
    client: rp.Client
    flow: CodeFlow
    content_types: list[str]


@req("oidc.backchannel.discovery")
def test_backchannel_discovery(metadata: dict[str, Any], oidc_settings: dict[str, Any]) -> None:
    absent(oidc_settings, "back-channel-logout")
    expect(metadata.get("backchannel_logout_supported") is True,
           "backchannel_logout_supported is true", actual=metadata.get(
               "backchannel_logout_supported"))


@pytest.fixture(scope="module")
def delivery(session_flows: Flows, metadata: dict[str, Any],
             oidc_settings: dict[str, Any]) -> Delivery:
    """A client registered with a backchannel_logout_uri signs in, logs out, and the logout
    token the provider POSTs to that URI (once, for every logout token check)."""
    backchannel_supported(metadata, oidc_settings)
    flows = session_flows
    with LogoutReceiver() as receiver:
        sent = {**valid_metadata(), "backchannel_logout_uri": receiver.url,
                "backchannel_logout_session_required": True}
        sent["post_logout_redirect_uris"] = [sent["redirect_uris"][0] + "/logged-out"]
        response = register(flows, sent)
        if response.status_code != 201:
            cant_tell(f"a client with a backchannel_logout_uri could not be registered "
                      f"(HTTP {response.status_code}: {response.text[:200]})")
        body = rp.json_body(response, "the registration response")
        client = rp.Client(str(body["client_id"]), str(body.get("client_secret", "")),
                           tuple(sent["redirect_uris"]),
                           post_logout_redirect_uris=tuple(sent["post_logout_redirect_uris"]))
        flow = flows.complete(client)
        # client_id instead of id_token_hint (§2 allows either): the ID token is judged by its
        # own checks and must not decide whether the logout happens.
        logout(flows, client, flow, id_token_hint=None, client_id=client.client_id,
               post_logout_redirect_uri=client.post_logout_redirect_uris[0])
        posted = receiver.wait(DELIVERY_TIMEOUT)
    return Delivery((posted or {}).get("logout_token"), client, flow,
                    list(receiver.content_types))


@req("oidc.backchannel.form-encoded")
def test_logout_token_form_encoded(delivery: Delivery) -> None:
    if delivery.token is None:
        cant_tell("no logout token was delivered (see oidc.backchannel.delivered)")
    delivery_types = delivery.content_types
    expect(bool(delivery_types) and all(
        t.split(";")[0].strip() == "application/x-www-form-urlencoded" for t in delivery_types),
        "the logout token is POSTed as application/x-www-form-urlencoded",
        actual=delivery_types)


@pytest.fixture
def logout_token(delivery: Delivery) -> tuple[str, rp.Client, CodeFlow]:
    if delivery.token is None:
        cant_tell("no logout token was delivered (see oidc.backchannel.delivered)")
    return delivery.token, delivery.client, delivery.flow


@req("oidc.backchannel.delivered")
def test_logout_token_delivered(delivery: Delivery) -> None:
    token = delivery.token
    expect(token is not None and token.count(".") == 2,
           f"a logout_token JWT is POSTed to the backchannel_logout_uri within "
           f"{DELIVERY_TIMEOUT} s", actual=token[:60] if token else None)


@req("oidc.backchannel.token-claims")
def test_logout_token_claims(logout_token: tuple[str, rp.Client, CodeFlow],
                             issuer_url: str) -> None:
    token, client, flow = logout_token
    claims = rp.unverified_claims(token)
    expect_equal(claims.get("iss"), issuer_url, "iss of the logout token")
    aud = claims.get("aud")
    expect(client.client_id in (aud if isinstance(aud, list) else [aud]),
           "aud of the logout token names the client", actual=aud)
    now = time.time()
    iat = claims.get("iat")
    expect(isinstance(iat, int | float) and flow.started - 60 <= iat <= now + 60,
           "iat lies between the login and now", actual=iat)
    expect(isinstance(claims.get("jti"), str) and bool(claims.get("jti")), "jti is present",
           actual=claims.get("jti"))
    events = claims.get("events")
    expect(isinstance(events, dict) and events.get(EVENT) == {},
           f"events holds {EVENT} with an empty object", actual=events)
    expect("nonce" not in claims, "a logout token carries no nonce (Back-Channel §2.4)",
           actual=claims.get("nonce"))


@req("oidc.backchannel.token-subject")
def test_logout_token_subject(logout_token: tuple[str, rp.Client, CodeFlow]) -> None:
    token, _, flow = logout_token
    claims = rp.unverified_claims(token)
    id_claims = rp.unverified_claims(flow.id_token)
    expect("sub" in claims or "sid" in claims, "the logout token names a sub or a sid",
           actual=sorted(claims))
    if "sub" in claims:
        expect_equal(claims["sub"], id_claims.get("sub"), "sub of the logout token")
    # backchannel_logout_session_required was registered: sid is REQUIRED (Back-Channel
    # §2.2), and it is the ID token's when that carries one (§2.1).
    sid = claims.get("sid")
    expect(isinstance(sid, str) and bool(sid), "the logout token carries a sid (the client "
           "registered backchannel_logout_session_required)", actual=sid)
    if "sid" in id_claims:
        expect_equal(sid, id_claims["sid"], "sid of the logout token (that of the ID token)")


@req("oidc.backchannel.id-token-sid")
def test_id_token_sid(logout_token: tuple[str, rp.Client, CodeFlow],
                      metadata: dict[str, Any]) -> None:
    # Back-Channel §2.1: with backchannel_logout_session_supported, ID tokens carry the sid
    # the logout token names.
    if metadata.get("backchannel_logout_session_supported") is not True:
        inapplicable("backchannel_logout_session_supported is not true (Back-Channel §2.1)",
                     "the provider does not include sid in its tokens")
    token, _, flow = logout_token
    sid = rp.unverified_claims(flow.id_token).get("sid")
    expect(isinstance(sid, str) and bool(sid), "the ID token carries a sid", actual=sid)
    expect_equal(sid, rp.unverified_claims(token).get("sid"),
                 "sid of the ID token (that of the logout token)")


@req("oidc.backchannel.token-signature")
def test_logout_token_signature(logout_token: tuple[str, rp.Client, CodeFlow],
                                jwks: dict[str, Any], metadata: dict[str, Any]) -> None:
    token, _, _ = logout_token
    header = rp.unverified_header(token)
    alg = header.get("alg")
    expect(alg not in (None, "none"), "the logout token is signed (not alg none)", actual=alg)
    problem = rp.verify_signature(token, jwks, [str(alg)])
    expect(problem is None, "its signature verifies with the JWK Set", actual=problem)


@req("oidc.backchannel.token-type")
def test_logout_token_typ(logout_token: tuple[str, rp.Client, CodeFlow]) -> None:
    token, _, _ = logout_token
    expect_equal(rp.unverified_header(token).get("typ"), "logout+jwt",
                 "typ of the logout token (explicitly typed, Back-Channel §2.4)")
