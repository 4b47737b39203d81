"""Response modes: form_post (OAuth 2.0 Form Post Response Mode §2) for each flow, and
response_mode=fragment for the code flow (OAuth 2.0 Multiple Response Type Encoding §2.1)."""

from __future__ import annotations

import pytest

from conformance.api import cant_tell, expect, expect_equal, inapplicable
from suites.oidc import rp
from suites.oidc.checks.test_authorization import error_callbacks
from suites.oidc.flows import Flows
from suites.oidc.front import form_post_supported, supported

req = pytest.mark.requirement


@pytest.mark.parametrize(("response_type", "fields"), [
    pytest.param("code", ("code",), marks=req("oidc.formpost.code"), id="code"),
    pytest.param("id_token", ("id_token",), marks=req("oidc.formpost.implicit"), id="implicit"),
    pytest.param("code id_token", ("code", "id_token"), marks=req("oidc.formpost.hybrid"),
                 id="hybrid"),
    pytest.param("id_token token", ("id_token", "access_token"),
                 marks=req("oidc.formpost.implicit-token"), id="implicit-token"),
    pytest.param("code token", ("code", "access_token"),
                 marks=req("oidc.formpost.code-token"), id="code-token"),
    pytest.param("code id_token token", ("code", "id_token", "access_token"),
                 marks=req("oidc.formpost.hybrid-token"), id="hybrid-token")])
def test_form_post(flows: Flows, client: rp.Client, response_type: str,
                   fields: tuple[str, ...]) -> None:
    form_post_supported(flows.metadata)
    supported(flows.metadata, response_type)
    state = rp.new_state()
    callback, _ = flows.authorize(client, response_type=response_type, response_mode="form_post",
                                  state=state, nonce=rp.new_state())
    expect(callback.mode == "form_post", "the response is an HTML form posted to the redirect "
           "URI", expected="form_post", actual=f"{callback.mode}: {callback.url[:120]}")
    assert callback.form_post is not None
    expect(set(fields) <= set(callback.form_post), f"the form carries {', '.join(fields)}",
           actual=sorted(callback.form_post))
    expect_equal(callback.form_post.get("state"), state, "state in the posted form")


@req("oidc.formpost.error")
def test_form_post_error(flows: Flows, client: rp.Client,
                         clients: dict[str, rp.Client]) -> None:
    # An error response is an authorization response too: the first of the errors the texts
    # define (oidc.authz.error-state's requests) that reaches the client.
    form_post_supported(flows.metadata)
    others = [c for c in clients.values() if c.client_id != client.client_id]
    for what, state, callback in error_callbacks(flows, client, others,
                                                 response_mode="form_post"):
        if callback is None or callback.error is None:
            continue
        expect(callback.mode == "form_post", f"the error response ({what}) is posted as a "
               "form", expected="form_post", actual=f"{callback.mode}: {callback.url[:120]}")
        expect_equal(callback.params.get("state"), state, "state in the posted form")
        return
    cant_tell("none of the requests the texts define as errors sent one to the client")


@req("oidc.response-mode.fragment")
def test_code_in_fragment_on_request(flows: Flows, client: rp.Client) -> None:
    modes = flows.metadata.get("response_modes_supported")
    if isinstance(modes, list) and "fragment" not in modes:
        inapplicable("response_modes_supported omits fragment (Discovery §3)",
                     "the provider does not offer response_mode=fragment")
    state = rp.new_state()
    callback, _ = flows.authorize(client, response_mode="fragment", state=state,
                                  nonce=rp.new_state())
    expect(callback.fragment.get("code") is not None and "code" not in callback.query,
           "response_mode=fragment puts the code in the fragment, not the query",
           actual=callback.url[:200])
    expect_equal(callback.fragment.get("state"), state, "state in the fragment")
