"""The issue 19 pieces of the OpenID Connect suite, without a provider: what the new fault
hooks (faults_flows.py) do to an exchange, the relying party's form_post reading and the
left-half hashes. Each fault's catch against the real oidc-provider is proven in
tests/integration/test_oidc_faults.py."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import requests

from conformance.api import ProxyRequest, ProxyResponse
from suites.oidc import rp
from suites.oidc.assertions import half_hash
from suites.oidc.faults import FAULTS
from suites.oidc.faults_base import _b64, _unb64
from suites.oidc.faults_flows import BACKCHANNEL_PATH

AUTHORIZE = "/auth?response_type=id_token&client_id=c&scope=openid&state=s"


def fault(name: str):  # type: ignore[no-untyped-def]
    return next(f for f in FAULTS if f.name == name)


def front(location: str) -> ProxyResponse:
    return ProxyResponse(303, [("Location", location)], b"")


def test_catalogue_names_are_unique() -> None:
    names = [f.name for f in FAULTS]
    assert len(names) == len(set(names))


def test_fragment_faults_touch_only_front_channel_responses() -> None:
    moved = fault("front-params-in-query").on_response(
        ProxyRequest("GET", AUTHORIZE, {}, b""),
        front("https://rp.test/cb#id_token=a.b.c&state=s"))
    assert moved.header("Location") == "https://rp.test/cb?id_token=a.b.c&state=s"
    code = front("https://rp.test/cb?code=x&state=s")
    hook = fault("front-state-dropped").on_response
    assert hook(ProxyRequest("GET", AUTHORIZE, {}, b""), code) is code
    dropped = hook(ProxyRequest("GET", AUTHORIZE, {}, b""),
                   front("https://rp.test/cb#code=x&id_token=a.b.c&state=s"))
    assert "state" not in dict(parse_qsl(urlsplit(dropped.header("Location") or "").fragment))


def test_nonce_defaulted_only_for_id_token_responses_without_nonce() -> None:
    hook = fault("nonce-defaulted").on_request
    changed = hook(ProxyRequest("GET", AUTHORIZE, {}, b""))
    assert isinstance(changed, ProxyRequest) and "nonce=provider-chosen" in changed.path
    code = ProxyRequest("GET", AUTHORIZE.replace("id_token", "code"), {}, b"")
    assert hook(code) is code


def test_any_method_accepted_turns_basic_into_a_client_assertion() -> None:
    basic = "Basic " + _b64(b"client:a-long-enough-client-secret")
    sent = ProxyRequest("POST", "/token", {"Authorization": basic, "Host": "127.0.0.1:9"},
                        b"grant_type=authorization_code&code=x")
    changed = fault("client-auth-method-not-enforced").on_request(sent)
    assert isinstance(changed, ProxyRequest) and changed.header("Authorization") is None
    form = dict(parse_qsl(changed.body.decode()))
    claims = json.loads(_unb64(form["client_assertion"].split(".")[1]))
    assert (claims["iss"], claims["sub"], claims["aud"]) == (
        "client", "client", "http://127.0.0.1:9/token")


def test_backchannel_faults_relay_the_registered_uri_through_the_proxy() -> None:
    hook = fault("logout-token-with-nonce").on_request
    registration = ProxyRequest(
        "POST", "/reg", {"Content-Type": "application/json", "Host": "127.0.0.1:9"},
        json.dumps({"backchannel_logout_uri": "http://127.0.0.1:7/bc"}).encode())
    changed = hook(registration)
    assert isinstance(changed, ProxyRequest)
    relay = (changed.json_object() or {})["backchannel_logout_uri"]
    assert relay.startswith(f"http://127.0.0.1:9{BACKCHANNEL_PATH}")
    assert _unb64(relay.rsplit("/", 1)[1]).decode() == "http://127.0.0.1:7/bc"


def test_form_post_response_is_read_without_posting() -> None:
    page = requests.Response()
    page.status_code = 400
    page.url = "http://op.test/auth"
    page.headers["Content-Type"] = "text/html"
    page._content = (b'<html><body><form method="post" action="https://rp.test/cb">'
                     b'<input type="hidden" name="error" value="login_required">'
                     b'<input type="hidden" name="state" value="s"></form></body></html>')
    client = rp.Client("c", "s", ("https://rp.test/cb",))
    outcome = rp.Browser("http://op.test", []).follow(page, client)
    assert outcome.callback is not None and outcome.callback.mode == "form_post"
    assert outcome.callback.params == {"error": "login_required", "state": "s"}


def test_half_hash_is_the_left_half_of_sha256() -> None:
    # Core §3.3.2.11's construction, checked against a value computed by hand.
    assert half_hash("abc", "RS256") == "ungWv48Bz-pBQUDeXa4iIw"
    assert half_hash("abc", "EdDSA") is None
