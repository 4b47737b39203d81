"""Faults for the implicit, hybrid and form_post responses, request parameters, client
authentication, registered metadata and logout (issue 19). Same idea as ``faults.py``: a
proxy in front of the real provider makes it break one rule as a buggy provider would.

Logout tokens travel from the provider to the client's backchannel_logout_uri, not through
the proxy: the back-channel faults rewrite that URI at registration to one of the proxy's
own paths, alter the real token there and pass it on to the client's URI."""

from __future__ import annotations

import json
import secrets
import time
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from joserfc import jwt
from joserfc.jwk import OctKey

from conformance.api import Fault, ProxyRequest, ProxyResponse, RequestHook, ResponseHook
from suites.oidc.faults_base import (
    DISCOVERY,
    _b64,
    _edit_discovery,
    _edit_id_token,
    _edit_token_response,
    _error_page,
    _form,
    _is_authorization_request,
    _is_registration,
    _is_token_request,
    _strip_query,
    _unb64,
)

FRONT = ("id_token", "access_token", "code")
OPTIONAL = ("display", "ui_locales", "claims_locales", "login_hint", "acr_values",
            "id_token_hint")
BACKCHANNEL_PATH = "/eos-backchannel/"
EVENT = "http://schemas.openid.net/event/backchannel-logout"

Params = dict[str, str]


def _front_redirect(response: ProxyResponse) -> tuple[Any, Params] | None:
    """A redirect carrying implicit or hybrid response parameters in its fragment."""
    location = response.header("Location")
    if not location or not 300 <= response.status < 400 or "#" not in location:
        return None
    parts = urlsplit(location)
    params = dict(parse_qsl(parts.fragment, keep_blank_values=True))
    return (parts, params) if set(FRONT) & set(params) else None


def _edit_fragment(edit: Callable[[Params], None]) -> ResponseHook:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        found = _front_redirect(response)
        if found is None:
            return response
        parts, params = found
        edit(params)
        return response.with_header("Location",
                                    urlunsplit(parts._replace(fragment=urlencode(params))))
    return on_response


def _to_query(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    found = _front_redirect(response)
    if found is None:
        return response
    parts, params = found
    return response.with_header("Location", urlunsplit(
        parts._replace(query=urlencode(params), fragment="")))


def _drop(*names: str) -> Callable[[Params], None]:
    def edit(params: Params) -> None:
        for name in names:
            params.pop(name, None)
    return edit


def _jwt_edit(token: str, header_edit: Callable[[dict[str, Any]], None] | None = None,
              claims_edit: Callable[[dict[str, Any]], None] | None = None,
              unsigned: bool = False) -> str:
    head, body, signature = token.split(".")
    header, claims = json.loads(_unb64(head)), json.loads(_unb64(body))
    if header_edit:
        header_edit(header)
    if claims_edit:
        claims_edit(claims)
    return ".".join((_b64(json.dumps(header).encode()), _b64(json.dumps(claims).encode()),
                     "" if unsigned else signature))


def _front_id_token(claims_edit: Callable[[dict[str, Any]], None]) -> Callable[[Params], None]:
    def edit(params: Params) -> None:
        if "id_token" in params:
            params["id_token"] = _jwt_edit(params["id_token"], claims_edit=claims_edit)
    return edit


def _tamper(params: Params) -> None:
    if "id_token" in params:
        head, body, signature = params["id_token"].split(".")
        raw = bytearray(_unb64(signature))
        raw[len(raw) // 2] ^= 0x01
        params["id_token"] = ".".join((head, body, _b64(bytes(raw))))


def _wrong_hash(name: str) -> Callable[[dict[str, Any]], None]:
    def edit(claims: dict[str, Any]) -> None:
        if name in claims:
            claims[name] = _b64(b"not-the-hash-of-it")
    return edit


def _replace_access_token(params: Params) -> None:
    if "access_token" in params:
        params["access_token"] = "forged-" + params["access_token"][::-1]


def _nonce_defaulted(request: ProxyRequest) -> ProxyRequest:
    """The provider supplies a nonce the client did not send (so it never refuses)."""
    query = request.query
    if not _is_authorization_request(request) or "nonce" in query \
            or "id_token" not in query.get("response_type", "").split():
        return request
    query["nonce"] = "provider-chosen"
    return request.with_path(f"{request.path_only}?{urlencode(query)}")


def _optional_refused(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if _is_authorization_request(request) and set(OPTIONAL) & set(request.query):
        return _error_page(request)
    return request


def _assertion_refused(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if _is_token_request(request) and "client_assertion" in _form(request):
        return ProxyResponse.from_json(401, {"error": "invalid_client",
                                             "error_description": "JWT client auth unsupported"})
    return request


def _any_method_accepted(request: ProxyRequest) -> ProxyRequest:
    """HTTP Basic credentials are taken whatever method the client registered: the proxy
    passes them on as the client_secret_jwt assertion they allow."""
    header = request.header("Authorization") or ""
    if not _is_token_request(request) or not header.startswith("Basic "):
        return request
    client_id, _, secret = _unb64(header[6:].strip()).decode().partition(":")
    audience = f"http://{request.header('Host')}{request.path_only}"
    now = int(time.time())
    assertion = jwt.encode({"alg": "HS256"}, {
        "iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + 60,
        "jti": secrets.token_hex(8)}, OctKey.import_key(secret.encode()))
    form = {**_form(request), "client_id": client_id, "client_assertion": assertion,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    return request.without_header("Authorization").with_body(urlencode(form).encode())


def _registration_request_drops(*names: str) -> RequestHook:
    def on_request(request: ProxyRequest) -> ProxyRequest:
        sent = request.json_object() if _is_registration(request) else None
        if sent is None or not set(names) & set(sent):
            return request
        return request.with_json({k: v for k, v in sent.items() if k not in names})
    return on_request


def _strip_logout_members(data: dict[str, Any]) -> None:
    data.pop("end_session_endpoint", None)
    data.pop("backchannel_logout_supported", None)
    data.pop("backchannel_logout_session_supported", None)


def _end_session_path() -> tuple[Callable[[str], bool], ResponseHook]:
    """The end_session_endpoint's path, learnt from the discovery document."""
    paths: set[str] = set()

    def learn(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        data = response.json_object() if request.path_only == DISCOVERY else None
        if data and isinstance(data.get("end_session_endpoint"), str):
            paths.add(urlsplit(data["end_session_endpoint"]).path)
        return response

    return (lambda path: any(path.startswith(p) for p in paths)), learn


def _logout_not_performed() -> tuple[RequestHook, ResponseHook]:
    """The end_session_endpoint sends the browser on without ending anything: to whatever
    post_logout_redirect_uri was given, registered or not, whatever the id_token_hint."""
    is_end_session, learn = _end_session_path()

    def on_request(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        if request.method != "GET" or not is_end_session(request.path_only):
            return request
        query = request.query
        target = query.get("post_logout_redirect_uri")
        if not target:
            return ProxyResponse(200, [("Content-Type", "text/html")], b"<p>Signed out</p>")
        state = {"state": query["state"]} if "state" in query else {}
        return ProxyResponse(303, [("Location", f"{target}?{urlencode(state)}")], b"")

    return on_request, learn


def _logout_state_invented() -> ResponseHook:
    is_end_session, learn = _end_session_path()

    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        learn(request, response)
        location = response.header("Location")
        if not location or not is_end_session(request.path_only) or "state=" in location \
                or not location.startswith("https://"):
            return response
        parts = urlsplit(location)
        query = urlencode([*parse_qsl(parts.query), ("state", "provider-state")])
        return response.with_header("Location", urlunsplit(parts._replace(query=query)))
    return on_response


def _logout_state_dropped() -> ResponseHook:
    is_end_session, learn = _end_session_path()

    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        learn(request, response)
        location = response.header("Location")
        if not location or not is_end_session(request.path_only) or "state=" not in location:
            return response
        parts = urlsplit(location)
        kept = [(k, v) for k, v in parse_qsl(parts.query) if k != "state"]
        return response.with_header("Location",
                                    urlunsplit(parts._replace(query=urlencode(kept))))
    return on_response


def _backchannel_altered(header_edit: Callable[[dict[str, Any]], None] | None = None,
                         claims_edit: Callable[[dict[str, Any]], None] | None = None,
                         unsigned: bool = False, as_json: bool = False) -> RequestHook:
    def on_request(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        sent = request.json_object() if _is_registration(request) else None
        if sent is not None and isinstance(sent.get("backchannel_logout_uri"), str):
            relay = (f"http://{request.header('Host')}{BACKCHANNEL_PATH}"
                     f"{_b64(sent['backchannel_logout_uri'].encode())}")
            return request.with_json({**sent, "backchannel_logout_uri": relay})
        if request.method != "POST" or not request.path_only.startswith(BACKCHANNEL_PATH):
            return request
        target = _unb64(request.path_only[len(BACKCHANNEL_PATH):]).decode()
        form = _form(request)
        if "logout_token" in form:
            form["logout_token"] = _jwt_edit(form["logout_token"], header_edit, claims_edit,
                                             unsigned)
        body, kind = ((json.dumps(form).encode(), "application/json") if as_json
                      else (urlencode(form).encode(), "application/x-www-form-urlencoded"))
        relayed = urllib.request.Request(target, data=body, method="POST",
                                         headers={"Content-Type": kind})
        with urllib.request.urlopen(relayed, timeout=5) as answer:
            # No keep-alive: the provider's HTTP agent would otherwise reuse the connection
            # for the next fault's relay, still served by this fault's hooks.
            return ProxyResponse(answer.status, [("Connection", "close")], b"")
    return on_request


_NOT_LOGGED_OUT, _LEARN_END_SESSION = _logout_not_performed()

FLOW_FAULTS = [
    Fault("front-params-in-query",
          "Implicit and hybrid responses put their parameters in the query, not the fragment.",
          ("oidc.implicit.fragment", "oidc.hybrid.fragment"), on_response=_to_query),
    Fault("front-state-dropped", "Implicit and hybrid responses lose the state.",
          ("oidc.implicit.state", "oidc.hybrid.state"), on_response=_edit_fragment(_drop("state"))),
    Fault("front-access-token-dropped",
          "Response types with token return no access_token or token_type.",
          ("oidc.implicit.id-token-token", "oidc.hybrid.code-token",
           "oidc.hybrid.code-id-token-token"),
          on_response=_edit_fragment(_drop("access_token", "token_type"))),
    Fault("front-id-token-dropped", "Response types with id_token return none.",
          ("oidc.implicit.id-token", "oidc.hybrid.code-id-token",
           "oidc.hybrid.code-id-token-token"),
          on_response=_edit_fragment(_drop("id_token"))),
    Fault("nonce-defaulted",
          "Implicit and hybrid requests without nonce get one chosen by the provider.",
          ("oidc.implicit.nonce-required", "oidc.hybrid.nonce-required"),
          on_request=_nonce_defaulted),
    Fault("front-id-token-nonce-dropped", "The front-channel ID token leaves out the nonce.",
          ("oidc.implicit.id-token.nonce", "oidc.hybrid.id-token.nonce"),
          on_response=_edit_fragment(_front_id_token(lambda c: c.pop("nonce", None)))),
    Fault("front-id-token-signature-tampered",
          "The front-channel ID token's signature does not verify.",
          ("oidc.implicit.id-token.signature", "oidc.hybrid.id-token.signature"),
          on_response=_edit_fragment(_tamper)),
    Fault("front-id-token-wrong-aud", "The front-channel ID token names another audience.",
          ("oidc.implicit.id-token.claims", "oidc.hybrid.id-token.claims"),
          on_response=_edit_fragment(_front_id_token(lambda c: c.update(aud="another")))),
    Fault("at-hash-wrong", "at_hash is not the hash of the access token.",
          ("oidc.implicit.at-hash", "oidc.hybrid.at-hash"),
          on_response=_edit_fragment(_front_id_token(_wrong_hash("at_hash")))),
    Fault("c-hash-wrong", "c_hash is not the hash of the code.",
          ("oidc.hybrid.c-hash", "oidc.hybrid.c-hash-with-token"),
          on_response=_edit_fragment(_front_id_token(_wrong_hash("c_hash")))),
    Fault("token-id-token-other-sub",
          "The token endpoint's ID token names another subject than the front-channel one.",
          ("oidc.hybrid.token-id-token",),
          on_response=_edit_id_token(lambda c: c.update(sub="someone-else"))),
    Fault("front-access-token-unknown",
          "The access token returned in the fragment is not one the provider knows.",
          ("oidc.implicit.userinfo", "oidc.hybrid.userinfo"),
          on_response=_edit_fragment(_replace_access_token)),
    Fault("response-mode-ignored",
          "response_mode is ignored: every response uses the response type's default mode.",
          ("oidc.formpost.code", "oidc.formpost.implicit", "oidc.formpost.hybrid",
           "oidc.formpost.implicit-token", "oidc.formpost.code-token",
           "oidc.formpost.hybrid-token", "oidc.formpost.error", "oidc.response-mode.fragment"),
          on_request=_strip_query("response_mode")),
    Fault("claims-parameter-ignored", "The claims request parameter is ignored.",
          ("oidc.claims-parameter.userinfo", "oidc.claims-parameter.voluntary",
           "oidc.claims-parameter.id-token"),
          on_request=_strip_query("claims")),
    Fault("request-object-ignored",
          "The request and request_uri parameters are ignored: the request object's state "
          "and nonce are lost.",
          ("oidc.request-object.unsigned", "oidc.request-object.signed",
           "oidc.request-uri.unsigned"),
          on_request=_strip_query("request", "request_uri")),
    Fault("optional-parameters-refused",
          "Requests with display, ui_locales, claims_locales, login_hint, acr_values or "
          "id_token_hint end on an error page.",
          ("oidc.authz.display-page", "oidc.authz.display-popup", "oidc.authz.ui-locales",
           "oidc.authz.claims-locales", "oidc.authz.login-hint", "oidc.authz.acr-values",
           "oidc.authz.id-token-hint"),
          on_request=_optional_refused),
    Fault("client-assertion-refused",
          "The token endpoint refuses client assertions although it advertises the JWT "
          "methods.",
          ("oidc.client-auth.client-secret-jwt", "oidc.client-auth.private-key-jwt"),
          on_request=_assertion_refused),
    Fault("client-auth-method-not-enforced",
          "A client's HTTP Basic credentials are taken although it registered "
          "client_secret_jwt.",
          ("oidc.client-auth.registered-method",), on_request=_any_method_accepted),
    Fault("registration-metadata-ignored",
          "Registration ignores id_token_signed_response_alg, userinfo_signed_response_alg "
          "and subject_type.",
          ("oidc.registration.id-token-alg", "oidc.userinfo.signed",
           "oidc.userinfo.signed-iss-aud", "oidc.subject.pairwise"),
          on_request=_registration_request_drops(
              "id_token_signed_response_alg", "userinfo_signed_response_alg", "subject_type")),
    Fault("discovery-no-logout",
          "The discovery document leaves out end_session_endpoint and "
          "backchannel_logout_supported.",
          ("oidc.logout.end-session-endpoint", "oidc.backchannel.discovery"),
          on_response=_edit_discovery(_strip_logout_members)),
    Fault("logout-not-performed",
          "The end_session_endpoint redirects to any post_logout_redirect_uri without ending "
          "the session, checking the hint or notifying the clients.",
          ("oidc.logout.session-ended", "oidc.logout.unregistered-redirect",
           "oidc.logout.modified-id-token-hint", "oidc.logout.no-post-logout-redirect",
           "oidc.logout.query-added", "oidc.logout.no-params", "oidc.backchannel.delivered"),
          on_request=_NOT_LOGGED_OUT, on_response=_LEARN_END_SESSION),
    Fault("logout-state-dropped", "The post-logout redirect loses the state.",
          ("oidc.logout.redirect",), on_response=_logout_state_dropped()),
    Fault("logout-state-invented",
          "The post-logout redirect carries a state although the logout request had none.",
          ("oidc.logout.no-state",), on_response=_logout_state_invented()),
    Fault("logout-token-as-json", "Logout tokens are POSTed as a JSON body.",
          ("oidc.backchannel.form-encoded",), on_request=_backchannel_altered(as_json=True)),
    Fault("hybrid-token-response-without-id-token",
          "The token endpoint's response to a hybrid code holds no ID token.",
          ("oidc.hybrid.code-token-redeemed",),
          on_response=_edit_token_response(lambda d: d.pop("id_token", None))),
    Fault("id-token-sid-dropped", "ID tokens leave out sid although the provider says "
          "backchannel_logout_session_supported.", ("oidc.backchannel.id-token-sid",),
          on_response=_edit_id_token(lambda c: c.pop("sid", None))),
    Fault("logout-token-with-nonce", "Logout tokens carry a nonce.",
          ("oidc.backchannel.token-claims",),
          on_request=_backchannel_altered(claims_edit=lambda c: c.update(nonce="n"))),
    Fault("logout-token-sid-dropped",
          "Logout tokens leave out sid although the client registered "
          "backchannel_logout_session_required.",
          ("oidc.backchannel.token-subject",),
          on_request=_backchannel_altered(claims_edit=lambda c: c.pop("sid", None))),
    Fault("logout-token-unsigned", "Logout tokens are sent unsigned (alg none).",
          ("oidc.backchannel.token-signature",),
          on_request=_backchannel_altered(header_edit=lambda h: h.update(alg="none"),
                                          unsigned=True)),
    Fault("logout-token-untyped", "Logout tokens are typed JWT, not logout+jwt.",
          ("oidc.backchannel.token-type",),
          on_request=_backchannel_altered(header_edit=lambda h: h.update(typ="JWT"))),
]
