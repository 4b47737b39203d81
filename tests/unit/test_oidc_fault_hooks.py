"""The OpenID Connect suite's own pieces, without a provider: what the fault hooks added for
issue 14 do to an exchange, the variants the variant faults need, and the relying party's
reading of callbacks and form steps the checks rely on. Each fault's catch against the real
oidc-provider is proven in tests/integration/test_oidc_faults.py."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from conformance.api import Fault, ProxyRequest, ProxyResponse
from conformance.candidate.manifest import load_manifest
from conformance.locations import bundled_candidates_dir
from conformance.suite.discovery import discover_suites
from conformance.suite.fault_runner import load_faults
from suites.oidc import faults, rp
from suites.oidc.checks.test_userinfo import SCOPE_CLAIMS, bearer_challenge, claims_of_other_scopes

AUTHORIZE = "/auth?response_type=code&client_id=c&scope=openid&state=s"


def request(path: str, method: str = "GET", body: bytes = b"") -> ProxyRequest:
    return ProxyRequest(method, path, {}, body)


def fault(name: str) -> Fault:
    return next(f for f in faults.FAULTS if f.name == name)


def test_variants_exist_for_every_variant_fault() -> None:
    suite = discover_suites()["oidc"]
    directory = bundled_candidates_dir() / "variants" / "oidc-provider"
    for item in load_faults(suite):
        if item.variant is not None:
            variant = load_manifest(directory / f"{item.variant}.toml").manifest
            assert variant.id == "oidc-provider"
            assert variant.launch["env"]["EOS_OIDC_MISCONFIGURE"] == item.variant


def test_code_in_fragment_moves_only_the_code_redirect() -> None:
    hook = fault("code-in-fragment").on_response
    to_client = ProxyResponse(303, [("Location", "https://rp.test/cb?code=abc&state=s")], b"")
    moved = hook(request(AUTHORIZE), to_client).header("Location")
    assert moved == "https://rp.test/cb#code=abc&state=s"
    inner = ProxyResponse(303, [("Location", "/interaction/xyz")], b"")
    assert hook(request(AUTHORIZE), inner).header("Location") == "/interaction/xyz"


def test_login_before_validation_shows_a_login_form_then_the_error() -> None:
    item = fault("login-before-validation")
    refused = ProxyResponse(400, [("Content-Type", "text/html")], b"<h1>invalid_redirect_uri</h1>")
    page = item.on_response(request(AUTHORIZE + "&redirect_uri=https://x.test"), refused)
    assert page.status == 200 and b'<form id="login"' in page.body
    action = page.body.split(b'action="')[1].split(b'"')[0].decode()
    answer = item.on_request(request(action, "POST", b"username=a&password=b"))
    assert isinstance(answer, ProxyResponse)
    assert (answer.status, answer.body) == (400, b"<h1>invalid_redirect_uri</h1>")
    # A request that is not refused goes through as it is.
    fine = ProxyResponse(303, [("Location", "/interaction/1")], b"")
    assert item.on_response(request(AUTHORIZE), fine) is fine


def test_reauthentication_as_consent_rewrites_prompt_login_and_max_age() -> None:
    hook = fault("reauthentication-as-consent").on_request
    for extra in ("&prompt=login", "&max_age=1"):
        rewritten = hook(request(AUTHORIZE + extra))
        assert isinstance(rewritten, ProxyRequest)
        query = dict(parse_qsl(urlsplit(rewritten.path).query))
        assert query["prompt"] == "consent" and "max_age" not in query
    untouched = request(AUTHORIZE + "&prompt=none")
    assert hook(untouched) is untouched


def test_challenge_scheme_dropped_keeps_the_auth_params() -> None:
    hook = fault("userinfo-challenge-scheme-dropped").on_response
    refused = ProxyResponse(401, [("WWW-Authenticate", 'Bearer realm="x", error="invalid_token"')],
                            b"")
    header = hook(request("/me"), refused).header("WWW-Authenticate")
    assert header == 'realm="x", error="invalid_token"'
    assert bearer_challenge(header or "")[0].lower() != "bearer"


def test_bearer_challenge_reads_scheme_and_error() -> None:
    scheme, params = bearer_challenge('Bearer realm="op", error="invalid_token", '
                                      'error_description="bad token"')
    assert scheme == "Bearer" and params["error"] == "invalid_token"
    # The old check searched the header for the word, and so passed this one.
    scheme, params = bearer_challenge("error=invalid_request,error_description=invalid_token")
    assert scheme == "" and params == {"error": "invalid_request",
                                       "error_description": "invalid_token"}


def test_unrequested_claims_never_come_from_an_empty_mapping_alone() -> None:
    # A manifest without scopes still leaves Core §5.4's claim names to look for.
    assert claims_of_other_scopes({}, ()) >= {c for cs in SCOPE_CLAIMS.values() for c in cs}
    settings = {"scopes": {"profile": ["name", "eos_nickname"]}}
    assert "eos_nickname" not in claims_of_other_scopes(settings, ("profile",))
    assert "email" in claims_of_other_scopes(settings, ("profile",))
    assert "name" not in claims_of_other_scopes(settings, ("profile",))


def test_callback_tells_query_from_fragment_and_counts_logins() -> None:
    steps = rp.form_steps({"interaction": [
        {"form": "login", "fields": {"username": "{username}", "password": "{password}"}},
        {"form": "consent", "submit": {"decision": "allow"}},
    ]}, "alice", "secret")
    assert [s.login for s in steps] == [True, False]
    assert steps[0].fields["password"] == "secret"
    callback = rp._callback("https://rp.test/cb?state=s#code=abc", [steps[1]])
    assert callback.code == "abc" and "code" not in callback.query
    assert (callback.pages, callback.logins) == (1, 0)
    assert rp._callback("https://rp.test/cb?code=abc", steps).logins == 1
