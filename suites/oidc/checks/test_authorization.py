"""The authorization endpoint: the code flow's front channel (Core §3.1.2, RFC 6749 §4.1),
its errors, and the prompt and max_age parameters."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.api import cant_tell, expect, expect_equal, expect_in
from suites.oidc import rp
from suites.oidc.flows import CodeFlow, Flows
from suites.oidc.provider import endpoint

UNREGISTERED = "https://attacker.example.test/callback"
# prompt=login: how old the first login may be before an OP must ask again (see its check).
REAUTH_WINDOW = 6.0
LOGIN_ERRORS = ("login_required", "interaction_required", "consent_required",
                "account_selection_required")


def expect_no_redirect_to(outcome: rp.Outcome, uri: str, what: str) -> None:
    """The user agent was never sent to ``uri``, before or after signing in. RFC 6749
    §4.1.2.1 says MUST NOT redirect and only SHOULD inform the resource owner, with no status
    code: a provider may refuse on its login page or after it, with any status."""
    expect(outcome.callback is None or not outcome.callback.url.startswith(uri),
           f"{what}: the user agent is not redirected to {uri}",
           expected="an error page", actual=outcome.callback.url if outcome.callback else None)
    location = outcome.final.headers.get("Location", "")
    expect(not location.startswith(uri), f"{what}: no redirect to {uri}", actual=location)


@pytest.mark.requirement("oidc.authz.code-issued")
def test_code_is_issued(flows: Flows, client: rp.Client) -> None:
    # Its own flow: the shared one gives up (cantTell) without a code, which is this rule.
    callback, _ = flows.authorize(client, state=rp.new_state(), nonce=rp.new_state())
    expect(callback.logins >= 1, "the user signed in on the provider's login page",
           actual=[step.form for step in callback.forms])
    expect(callback.error is None and bool(callback.code),
           "the redirect to the client carries a code", actual=callback.params)
    # Core §3.1.2.5: the code flow's response parameters are added to the query component.
    expect(callback.query.get("code") == callback.code,
           "the code is in the query component of the redirect URI",
           expected="?code=…", actual=callback.url.split("?", 1)[-1][:200])


@pytest.mark.requirement("oidc.authz.state-returned")
def test_state_is_returned(code_flow: CodeFlow) -> None:
    expect_equal(code_flow.callback.params.get("state"), code_flow.state,
                 "state of the authorization response")


@pytest.mark.requirement("oidc.authz.response-type-missing")
def test_missing_response_type_is_refused(flows: Flows, client: rp.Client,
                                          metadata: dict[str, Any]) -> None:
    browser = flows.new_browser()
    state = rp.new_state()
    url = rp.authorization_url(endpoint(metadata, "authorization_endpoint"), client,
                               state=state, nonce=rp.new_state())
    url = url.replace("response_type=code&", "").replace("&response_type=code", "")
    outcome = browser.authorize(url, client)
    if outcome.callback is None:
        expect(outcome.final.status_code >= 400 and outcome.pages == 0,
               "without response_type the provider shows an error page",
               expected="4xx, no login", actual=(outcome.final.status_code, outcome.pages))
        return
    expect(outcome.callback.code is None, "no code is issued without response_type",
           actual=outcome.callback.params)
    expect_in(outcome.callback.error, ("invalid_request", "unsupported_response_type"),
              "error sent to the redirect URI")


def unregistered_redirect_request(metadata: dict[str, Any], client: rp.Client) -> str:
    return rp.authorization_url(endpoint(metadata, "authorization_endpoint"), client,
                                redirect_uri=UNREGISTERED, state=rp.new_state(),
                                nonce=rp.new_state())


@pytest.mark.requirement("oidc.authz.unregistered-redirect-uri")
def test_unregistered_redirect_uri_is_refused(flows: Flows, client: rp.Client,
                                              metadata: dict[str, Any]) -> None:
    url = unregistered_redirect_request(metadata, client)
    # Signing in when asked: a provider that checks redirect_uri only after login is right too,
    # as long as it never redirects there (the open-redirector fault does).
    outcome = flows.new_browser().authorize(url, client, watch=(UNREGISTERED,))
    expect_no_redirect_to(outcome, UNREGISTERED, "unregistered redirect_uri")


@pytest.mark.requirement("oidc.authz.redirect-uri-checked-first")
def test_unregistered_redirect_uri_is_refused_before_login(flows: Flows, client: rp.Client,
                                                           metadata: dict[str, Any]) -> None:
    url = unregistered_redirect_request(metadata, client)
    browser = flows.new_browser()
    outcome = browser.authorize(url, client, interact=False, watch=(UNREGISTERED,))
    expect_no_redirect_to(outcome, UNREGISTERED, "unregistered redirect_uri")
    shown = browser.interaction_form(outcome.final)
    expect(shown is None, "the request is refused before the End-User is asked to sign in",
           expected="an error page", actual=f"the {shown[0].form!r} form" if shown else None)


@pytest.mark.requirement("oidc.authz.redirect-uri-required")
def test_redirect_uri_required_with_several_registered(flows: Flows, client: rp.Client,
                                                       metadata: dict[str, Any]) -> None:
    if len(client.redirect_uris) < 2:
        cant_tell("the basic client needs two registered redirect URIs for this check")
    url = rp.authorization_url(endpoint(metadata, "authorization_endpoint"), client,
                               redirect_uri=None, state=rp.new_state(), nonce=rp.new_state())
    outcome = flows.new_browser().authorize(url, client)
    expect(outcome.callback is None, "no redirect to any registered URI without redirect_uri, "
           "before or after signing in",
           expected="an error page", actual=outcome.callback.url if outcome.callback else None)


@pytest.mark.requirement("oidc.authz.invalid-scope")
def test_malformed_scope_is_refused(flows: Flows, client: rp.Client,
                                    metadata: dict[str, Any]) -> None:
    state = rp.new_state()
    url = rp.authorization_url(endpoint(metadata, "authorization_endpoint"), client,
                               scope='openid bad"scope', state=state, nonce=rp.new_state())
    outcome = flows.new_browser().authorize(url, client, interact=False)
    expect(outcome.callback is not None, "the error is sent to the redirect URI",
           expected="redirect with error=invalid_scope",
           actual=(outcome.final.status_code, outcome.final.headers.get("Location")))
    assert outcome.callback is not None
    expect_in(outcome.callback.error, ("invalid_scope", "invalid_request"),
              "error for a malformed scope")
    expect_equal(outcome.callback.params.get("state"), state, "state of the error response")


def expect_code_for(flows: Flows, client: rp.Client, what: str, **params: Any) -> None:
    """The request completes with a code (a refusal page is this check's failure, not a
    precondition that could not be set up)."""
    url = rp.authorization_url(endpoint(flows.metadata, "authorization_endpoint"), client,
                               **params)
    outcome = flows.new_browser().authorize(url, client)
    expect(outcome.callback is not None and bool(outcome.callback.code),
           f"a code is issued for {what}",
           actual=outcome.callback.params if outcome.callback
           else f"stopped at HTTP {outcome.final.status_code} {outcome.final.url}")


@pytest.mark.requirement("oidc.authz.nonce-optional")
def test_request_without_nonce_succeeds(flows: Flows, client: rp.Client) -> None:
    expect_code_for(flows, client, "a request without nonce", state=rp.new_state())


@pytest.mark.requirement("oidc.authz.unknown-parameter")
def test_unknown_parameter_is_ignored(flows: Flows, client: rp.Client) -> None:
    expect_code_for(flows, client, "a request with an unknown parameter", state=rp.new_state(),
                    nonce=rp.new_state(), eos_extension="ignored-value")


@pytest.mark.requirement("oidc.authz.post")
def test_authorization_request_by_post(flows: Flows, client: rp.Client,
                                       metadata: dict[str, Any]) -> None:
    browser = flows.new_browser()
    state = rp.new_state()
    response = browser.session.post(endpoint(metadata, "authorization_endpoint"), data={
        "response_type": "code", "client_id": client.client_id, "scope": "openid",
        "redirect_uri": client.redirect_uri, "state": state, "nonce": rp.new_state()})
    expect(response.is_redirect or response.status_code == 200,
           "the POSTed authorization request is taken up", actual=response.status_code)
    outcome = browser.follow(response, client)
    expect(outcome.callback is None or outcome.callback.error is None,
           "no error for a POSTed request", actual=outcome.callback and outcome.callback.params)
    expect(outcome.callback is not None and bool(outcome.callback.code),
           "the POSTed request ends with a code", actual=outcome.callback and
           outcome.callback.params)


def prompt_none_error(flows: Flows, client: rp.Client, state: str) -> rp.Callback:
    url = rp.authorization_url(endpoint(flows.metadata, "authorization_endpoint"), client,
                               prompt="none", state=state, nonce=rp.new_state())
    outcome = flows.new_browser().authorize(url, client, interact=False)
    expect(outcome.callback is not None, "prompt=none ends at the redirect URI without a page",
           actual=(outcome.final.status_code, outcome.final.url))
    assert outcome.callback is not None
    return outcome.callback


@pytest.mark.requirement("oidc.prompt.none-not-logged-in")
def test_prompt_none_without_session(flows: Flows, client: rp.Client) -> None:
    callback = prompt_none_error(flows, client, rp.new_state())
    expect_in(callback.error, LOGIN_ERRORS, "error for prompt=none without a session")


def error_callbacks(flows: Flows, client: rp.Client, others: list[rp.Client],
                    **extra: str) -> Iterator[tuple[str, str, rp.Callback | None]]:
    """Requests the texts define as failing with an error at the redirect URI, cheapest
    first: (what, the state sent, where the user agent ended up). A provider may answer some
    of them otherwise (with a login page first, say); the check needs one error."""
    authorize = endpoint(flows.metadata, "authorization_endpoint")
    # Core §3.1.2.6 login_required: prompt=none without a session, no page shown.
    state = rp.new_state()
    url = rp.authorization_url(authorize, client, prompt="none", state=state,
                               nonce=rp.new_state(), **extra)
    yield "prompt=none without a session", state, \
        flows.new_browser().authorize(url, client, interact=False).callback
    # RFC 6749 §3.1.1, §4.1.2.1 unsupported_response_type: a response type not understood.
    state = rp.new_state()
    url = rp.authorization_url(authorize, client, response_type="eos_unknown_type",
                               state=state, nonce=rp.new_state(), **extra)
    yield "an unknown response_type", state, flows.new_browser().authorize(url, client).callback
    # Core §3.1.2.6 consent_required: signed in for one client, prompt=none for another one
    # the End-User has not consented to.
    for other in others[:1]:
        _, _, browser = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
        state = rp.new_state()
        url = rp.authorization_url(authorize, other, prompt="none", state=state,
                                   nonce=rp.new_state(), **extra)
        yield "prompt=none for a client not consented to", state, \
            browser.authorize(url, other, interact=False).callback


@pytest.mark.requirement("oidc.authz.error-state")
def test_error_response_carries_state(flows: Flows, client: rp.Client,
                                      clients: dict[str, rp.Client]) -> None:
    others = [c for c in clients.values() if c.client_id != client.client_id]
    tried = []
    for what, state, callback in error_callbacks(flows, client, others):
        if callback is None or callback.error is None:
            tried.append(what)
            continue
        expect_equal(callback.params.get("state"), state,
                     f"state of the error response ({what}: error={callback.error})")
        return
    cant_tell("none of the requests the texts define as errors sent one to the redirect URI "
              f"({'; '.join(tried)}), so no error response could be checked for its state")


@pytest.mark.requirement("oidc.prompt.none-logged-in")
def test_prompt_none_with_session(flows: Flows, client: rp.Client,
                                  metadata: dict[str, Any]) -> None:
    _, _, browser = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    url = rp.authorization_url(endpoint(metadata, "authorization_endpoint"), client,
                               prompt="none", state=rp.new_state(), nonce=rp.new_state())
    outcome = browser.authorize(url, client, interact=False)
    expect(outcome.callback is not None and bool(outcome.callback.code),
           "prompt=none with a session returns a code without any page",
           actual=outcome.callback.params if outcome.callback else outcome.final.status_code)


@pytest.mark.requirement("oidc.prompt.login")
def test_prompt_login_reauthenticates(flows: Flows, client: rp.Client) -> None:
    _, _, browser = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    signed_in = time.monotonic()
    callback, _ = flows.authorize(client, browser, prompt="login", state=rp.new_state(),
                                  nonce=rp.new_state())
    if callback.logins == 0:
        # Core §3.1.2.1 sets no freshness window; an OP may take a login made seconds ago as
        # the re-authentication asked for. Ask once more when that login is REAUTH_WINDOW old.
        time.sleep(max(0.0, signed_in + REAUTH_WINDOW - time.monotonic()))
        callback, _ = flows.authorize(client, browser, prompt="login", state=rp.new_state(),
                                      nonce=rp.new_state())
    expect(callback.logins >= 1, "prompt=login asks the signed-in user to log in again "
           f"(asked at once and {REAUTH_WINDOW:.0f} s after the first login)",
           expected="the login form", actual=[step.form for step in callback.forms])
    expect(bool(callback.code), "the re-authenticated request returns a code",
           actual=callback.params)


@pytest.mark.requirement("oidc.max-age.reauthenticate")
def test_max_age_forces_reauthentication(flows: Flows, client: rp.Client) -> None:
    _, _, browser = flows.code(client, state=rp.new_state(), nonce=rp.new_state())
    time.sleep(2.1)
    callback, _ = flows.authorize(client, browser, max_age="1", state=rp.new_state(),
                                  nonce=rp.new_state())
    # A consent page is no re-authentication: the login form must be shown again.
    expect(callback.logins >= 1, "max_age=1 after 2 s asks the user to log in again",
           expected="the login form", actual=[step.form for step in callback.forms])
