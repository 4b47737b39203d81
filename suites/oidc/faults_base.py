"""The OpenID Connect faults of the Basic, Config, Dynamic, PKCE and refresh rules (the
catalogue is faults.py, which joins these with faults_flows.py): each fault makes a real
provider break one rule, and names the requirements whose checks must then fail.

Most faults sit in a rewriting proxy in front of the provider, imitating what a client would
see from a buggy provider: a wrong discovery document, a tampered ID token, a leaked private
key, a dropped state. Rules a proxy cannot break honestly (accepting a reused code, refusing
revoking a reused code's tokens,
closed registration, not implementing S256) use a misconfigured variant of the
candidate instead (``variant=``): the same product started with a deliberately wrong
configuration, described by the candidate's ``variants/<id>/<variant>.toml`` manifest.
``conformance faults run oidc --candidate oidc-provider`` proves each is caught.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from conformance.api import Exemption, Fault, ProxyRequest, ProxyResponse, RequestHook, ResponseHook

DISCOVERY = "/.well-known/openid-configuration"


# --- helpers --------------------------------------------------------------------------------

def _form(request: ProxyRequest) -> dict[str, str]:
    return dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _is_token_request(request: ProxyRequest) -> bool:
    return request.method == "POST" and "grant_type" in _form(request)


def _is_authorization_request(request: ProxyRequest) -> bool:
    query = request.query
    return request.method == "GET" and "client_id" in query and "scope" in query


def _edit_discovery(edit: Callable[[dict[str, Any]], None]
                    ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        data = response.json_object() if request.path_only == DISCOVERY else None
        if data is None:
            return response
        edit(data)
        return response.with_json(data)
    return on_response


def _edit_jwks(edit: Callable[[dict[str, Any]], None]
               ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        data = response.json_object()
        if data is None or not isinstance(data.get("keys"), list):
            return response
        for key in data["keys"]:
            if isinstance(key, dict):
                edit(key)
        return response.with_json(data)
    return on_response


def _edit_id_token(edit: Callable[[dict[str, Any]], None]
                   ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    """Rewrite the payload of the ID token in token responses (the signature then no longer
    matches, as with a provider that signs one thing and sends another)."""
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        data = response.json_object() if _is_token_request(request) else None
        if data is None or not isinstance(data.get("id_token"), str):
            return response
        header, payload, signature = data["id_token"].split(".")
        claims = json.loads(_unb64(payload))
        edit(claims)
        data["id_token"] = ".".join((header, _b64(json.dumps(claims).encode()), signature))
        return response.with_json(data)
    return on_response


def _tamper_signature(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    data = response.json_object() if _is_token_request(request) else None
    if data is None or not isinstance(data.get("id_token"), str):
        return response
    header, payload, signature = data["id_token"].split(".")
    raw = bytearray(_unb64(signature))
    raw[len(raw) // 2] ^= 0x01
    data["id_token"] = ".".join((header, payload, _b64(bytes(raw))))
    return response.with_json(data)


def _strip_query(*names: str) -> Callable[[ProxyRequest], ProxyRequest]:
    """Authorization requests reach the provider without these parameters."""
    def on_request(request: ProxyRequest) -> ProxyRequest:
        if not _is_authorization_request(request):
            return request
        parts = urlsplit(request.path)
        kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                if k not in names]
        return request.with_path(urlunsplit(("", "", parts.path, urlencode(kept), "")))
    return on_request


def _strip_form(request: ProxyRequest, *names: str) -> ProxyRequest:
    kept = [(k, v) for k, v in parse_qsl(request.body.decode(), keep_blank_values=True)
            if k not in names]
    return request.with_body(urlencode(kept).encode())


# --- faults that need a little state --------------------------------------------------------

def _pkce_ignored() -> Callable[[ProxyRequest], ProxyRequest]:
    strip_challenge = _strip_query("code_challenge", "code_challenge_method")

    def on_request(request: ProxyRequest) -> ProxyRequest:
        if _is_token_request(request):
            return _strip_form(request, "code_verifier")
        return strip_challenge(request)
    return on_request


def _drop_state(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    location = response.header("Location")
    if not location or "state=" not in location or not (300 <= response.status < 400):
        return response
    parts = urlsplit(location)
    if "code=" not in parts.query and "error=" not in parts.query:
        return response
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "state"]
    return response.with_header("Location", urlunsplit(parts._replace(query=urlencode(kept))))


def _open_redirector(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    """An authorization error for a bad redirect_uri is sent to that redirect_uri anyway."""
    query = request.query
    if response.status != 400 or not _is_authorization_request(request) \
            or "redirect_uri" not in query:
        return response
    target = query["redirect_uri"] + "?" + urlencode(
        {"error": "invalid_request", "state": query.get("state", "")})
    return ProxyResponse(303, [("Location", target)], b"")


def _userinfo_without_auth() -> tuple[RequestHook, ResponseHook]:
    """The UserInfo endpoint answers requests without a token with some user's claims. The
    endpoint's path is learnt from the discovery document passing through the proxy."""
    paths: set[str] = set()

    def on_request(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        if request.header("Authorization") is None and "access_token" not in _form(request) \
                and request.path_only in paths:
            return ProxyResponse.from_json(200, {"sub": "alice", "name": "Anonymous visitor"})
        return request

    def learn(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        data = response.json_object() if request.path_only == DISCOVERY else None
        if data and isinstance(data.get("userinfo_endpoint"), str):
            paths.add(urlsplit(data["userinfo_endpoint"]).path)
        return response

    return on_request, learn


_UNAUTHENTICATED_USERINFO, _LEARN_USERINFO = _userinfo_without_auth()


def _userinfo_sub(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    data = response.json_object()
    if (request.header("Authorization") is None and "access_token" not in _form(request)) \
            or data is None or "sub" not in data or "keys" in data or _is_token_request(request):
        return response
    data["sub"] = "someone-else"
    return response.with_json(data)


def _invalid_client_as_invalid_grant(request: ProxyRequest,
                                     response: ProxyResponse) -> ProxyResponse:
    """A failed client authentication is reported as a bad grant (400 invalid_grant)."""
    data = response.json_object() if _is_token_request(request) else None
    if data is None or data.get("error") != "invalid_client":
        return response
    data["error"] = "invalid_grant"
    return response.with_status(400).without_header("WWW-Authenticate").with_json(data)


def _refresh_refused(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    if _is_token_request(request) and _form(request).get("grant_type") == "refresh_token":
        return ProxyResponse.from_json(400, {"error": "invalid_grant",
                                             "error_description": "grant request is invalid"})
    return request


def _drop_cache_control(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if _is_token_request(request):
        return response.without_header("Cache-Control").without_header("Pragma")
    return response


def _private_key_leak(key: dict[str, Any]) -> None:
    if key.get("kty") in ("RSA", "EC"):
        key["d"] = _b64(b"not-really-the-private-exponent")


def _drop_kid(key: dict[str, Any]) -> None:
    key.pop("kid", None)


def _frozen_jwks() -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    """jwks_uri keeps answering with the first JWK Set it served, like a stale cache in front
    of the provider: keys added by a rotation are never published."""
    first: list[bytes] = []

    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        data = response.json_object()
        if data is None or not isinstance(data.get("keys"), list) or set(data) != {"keys"}:
            return response
        if not first:
            first.append(response.body)
        return response.with_body(first[0])
    return on_response


# --- more faults: one rule each -------------------------------------------------------------

def _discovery_as_html(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if request.path_only != DISCOVERY:
        return response
    return response.with_header("Content-Type", "text/html; charset=utf-8").with_body(
        b"<html><body>" + response.body + b"</body></html>")


def _strip_members(data: dict[str, Any]) -> None:
    for name in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint",
                 "registration_endpoint", "claims_supported", "subject_types_supported",
                 "response_types_supported"):
        data.pop(name, None)
    data["scopes_supported"] = ["profile", "email"]


def _jwks_single_key(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    data = response.json_object()
    if data is None or not isinstance(data.get("keys"), list) or not data["keys"]:
        return response
    return response.with_json(data["keys"][0])


def _drop_kty(key: dict[str, Any]) -> None:
    key.pop("kty", None)


def _edit_token_response(edit: Callable[[dict[str, Any]], None], grant: str | None = None
                         ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if not _is_token_request(request) or (grant and _form(request).get("grant_type") != grant):
            return response
        data = response.json_object()
        if data is None:
            return response
        edit(data)
        return response.with_json(data)
    return on_response


def _edit_id_token_header(edit: Callable[[dict[str, Any]], None], drop_signature: bool = False
                          ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def change(data: dict[str, Any]) -> None:
        if not isinstance(data.get("id_token"), str):
            return
        header, payload, signature = data["id_token"].split(".")
        fields = json.loads(_unb64(header))
        edit(fields)
        data["id_token"] = ".".join((_b64(json.dumps(fields).encode()), payload,
                                     "" if drop_signature else signature))
    return _edit_token_response(change)


def _edit_refreshed_id_token(edit: Callable[[dict[str, Any]], None]
                             ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    inner = _edit_id_token(edit)

    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if _form(request).get("grant_type") != "refresh_token":
            return response
        return inner(request, response)
    return on_response


def _error_renamed(grant: str, old: str, new: str
                   ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def change(data: dict[str, Any]) -> None:
        if data.get("error") == old:
            data["error"] = new
    return _edit_token_response(change, grant)


def _is_userinfo(request: ProxyRequest) -> bool:
    auth = request.header("Authorization") or ""
    return (auth.startswith("Bearer ") or "access_token" in _form(request)) \
        and not _is_token_request(request)


def _userinfo_method_refused(method: str) -> Callable[[ProxyRequest], ProxyRequest | ProxyResponse]:
    def on_request(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        if _is_userinfo(request) and request.method == method:
            return ProxyResponse.from_json(405, {"error": "invalid_request",
                                      "error_description": f"{method} not supported"})
        return request
    return on_request


def _userinfo_edit(edit: Callable[[dict[str, Any]], None]
                   ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        data = response.json_object() if _is_userinfo(request) and response.status == 200 else None
        if data is None:
            return response
        edit(data)
        return response.with_json(data)
    return on_response


def _only_sub(data: dict[str, Any]) -> None:
    for name in list(data):
        if name != "sub":
            del data[name]


def _all_claims(data: dict[str, Any]) -> None:
    data.update(name="Alice Example", given_name="Alice", family_name="Example",
                email="alice@example.test", email_verified=True, phone_number="+32 2 000 00 00",
                address={"country": "BE"})


def _any_token_accepted(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    if _is_userinfo(request) and response.status == 401:
        return ProxyResponse.from_json(200, {"sub": "alice"})
    return response


def _is_registration(request: ProxyRequest) -> bool:
    return request.method == "POST" and (request.header("Content-Type") or "").startswith(
        "application/json")


def _registration_edit(edit: Callable[[dict[str, Any]], None]
                       ) -> Callable[[ProxyRequest, ProxyResponse], ProxyResponse]:
    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        created = _is_registration(request) and response.status == 201
        data = response.json_object() if created else None
        if data is None:
            return response
        edit(data)
        return response.with_json(data)
    return on_response


def _registration_unvalidated(request: ProxyRequest,
                              response: ProxyResponse) -> ProxyResponse:
    """Invalid registrations are stored as sent instead of being refused."""
    if not _is_registration(request) or response.status != 400:
        return response
    sent = request.json_object()
    if sent is None:
        return response
    return ProxyResponse.from_json(201, {**sent, "client_id": "unvalidated-client",
                              "client_secret": "s", "client_secret_expires_at": 0})


def _registration_errors_as_text(request: ProxyRequest,
                                 response: ProxyResponse) -> ProxyResponse:
    if not _is_registration(request) or response.status != 400:
        return response
    return ProxyResponse(400, [("Content-Type", "text/plain")], b"bad registration")


def _authz_request_edit(edit: Callable[[ProxyRequest, dict[str, str]], ProxyRequest | ProxyResponse]
                        ) -> Callable[[ProxyRequest], ProxyRequest | ProxyResponse]:
    def on_request(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        if request.method == "GET" and "client_id" in request.query:
            return edit(request, request.query)
        return request
    return on_request


def _error_page(request: ProxyRequest) -> ProxyResponse:
    return ProxyResponse(400, [("Content-Type", "text/html")],
                         b"<html><body><h1>invalid_request</h1></body></html>")


def _default_response_type(request: ProxyRequest, query: dict[str, str]
                           ) -> ProxyRequest | ProxyResponse:
    if "response_type" in query:
        return request
    return request.with_path(request.path + "&response_type=code")


def _nonce_required(request: ProxyRequest, query: dict[str, str]) -> ProxyRequest | ProxyResponse:
    return _error_page(request) if "nonce" not in query else request


def _unknown_parameter_refused(request: ProxyRequest, query: dict[str, str]
                               ) -> ProxyRequest | ProxyResponse:
    known = {"response_type", "client_id", "redirect_uri", "scope", "state", "nonce", "prompt",
             "max_age", "code_challenge", "code_challenge_method", "response_mode", "display",
             "ui_locales", "id_token_hint", "login_hint", "acr_values", "claims", "request",
             "request_uri", "claims_locales", "registration"}
    return _error_page(request) if set(query) - known else request


def _authz_post_refused(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
    form = _form(request)
    if request.method == "POST" and "response_type" in form and "client_id" in form:
        return ProxyResponse(405, [("Content-Type", "text/plain"), ("Allow", "GET")], b"")
    return request


def _session_lost_with_prompt_none(request: ProxyRequest) -> ProxyRequest:
    if request.method == "GET" and request.query.get("prompt") == "none":
        return request.without_header("Cookie")
    return request


def _client_auth_refused(how: str) -> Callable[[ProxyRequest], ProxyRequest | ProxyResponse]:
    def on_request(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        if not _is_token_request(request):
            return request
        basic = (request.header("Authorization") or "").startswith("Basic ")
        post = "client_secret" in _form(request)
        if (how == "basic" and basic) or (how == "post" and post):
            return ProxyResponse.from_json(401, {"error": "invalid_client",
                                      "error_description": f"client_secret_{how} unsupported"})
        return request
    return on_request


# --- faults added with issue 14: rules whose checks were not yet proven able to fail --------

def _code_in_fragment(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    """The code flow's answer is sent in the fragment (as for the implicit flow), not in the
    query component Core §3.1.2.5 names."""
    location = response.header("Location")
    if not location or not (300 <= response.status < 400):
        return response
    parts = urlsplit(location)
    if "code" not in dict(parse_qsl(parts.query)):
        return response
    return response.with_header(
        "Location", urlunsplit(parts._replace(query="", fragment=parts.query)))


LOGIN_FIRST_PATH = "/eos-login-first/"


def _login_before_validation() -> tuple[RequestHook, ResponseHook]:
    """A provider that shows its login form for every authorization request and validates
    the request only after the End-User signed in: the error page it has for a bad request
    comes after the login form."""
    held: dict[str, bytes] = {}

    def on_request(request: ProxyRequest) -> ProxyRequest | ProxyResponse:
        if request.method == "POST" and request.path_only.startswith(LOGIN_FIRST_PATH):
            body = held.pop(request.path_only[len(LOGIN_FIRST_PATH):], b"")
            return ProxyResponse(400, [("Content-Type", "text/html; charset=utf-8")], body)
        return request

    def on_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
        if not _is_authorization_request(request) or response.status != 400:
            return response
        key = _b64(json.dumps([request.path, len(held)]).encode())[:24]
        held[key] = response.body
        return ProxyResponse(200, [("Content-Type", "text/html; charset=utf-8")], (
            f'<!DOCTYPE html><html><body><h1>Sign in</h1><form id="login" method="post" '
            f'action="{LOGIN_FIRST_PATH}{key}"><input name="username"><input name="password" '
            f'type="password"><button type="submit">Sign in</button></form></body></html>'
        ).encode())

    return on_request, on_response


_LOGIN_FIRST_REQUEST, _LOGIN_FIRST_RESPONSE = _login_before_validation()


def _reauthentication_as_consent(request: ProxyRequest) -> ProxyRequest:
    """prompt=login and max_age make the provider ask for consent again, not for a login."""
    query = request.query
    if not _is_authorization_request(request) \
            or ("login" not in query.get("prompt", "").split() and "max_age" not in query):
        return request
    query.pop("max_age", None)
    query["prompt"] = "consent"
    return request.with_path(f"{request.path_only}?{urlencode(query)}")


def _max_age_always_reauthenticates(request: ProxyRequest) -> ProxyRequest:
    """Any max_age, however large, makes the provider ask for the login again."""
    query = request.query
    if not _is_authorization_request(request) or "max_age" not in query:
        return request
    query["prompt"] = "login"
    return request.with_path(f"{request.path_only}?{urlencode(query)}")


def _shift_claim(name: str, seconds: int) -> Callable[[dict[str, Any]], None]:
    def edit(claims: dict[str, Any]) -> None:
        if isinstance(claims.get(name), int | float):
            claims[name] = int(claims[name]) + seconds
    return edit


def _empty_jwks(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    data = response.json_object()
    if data is None or not isinstance(data.get("keys"), list):
        return response
    return response.with_json({**data, "keys": []})


def _second_audience_without_azp(claims: dict[str, Any]) -> None:
    claims["aud"] = [claims["aud"], "other-client"]
    claims.pop("azp", None)


def _same_kid(key: dict[str, Any]) -> None:
    key["kid"] = "signing-key"


def _client_not_stored(data: dict[str, Any]) -> None:
    """The registration answers with a client it never stored."""
    data["client_id"] = "never-stored-" + _b64(json.dumps(sorted(data)).encode())[:12]


def _secret_hash_returned(data: dict[str, Any]) -> None:
    """The registration returns the stored hash of the client secret, not the secret."""
    if isinstance(data.get("client_secret"), str):
        data["client_secret"] = hashlib.sha256(data["client_secret"].encode()).hexdigest()


def _updated_at_always(data: dict[str, Any]) -> None:
    data["updated_at"] = 1767225600


def _challenge_without_scheme(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    """The UserInfo challenge is sent as bare auth-params, without the Bearer scheme."""
    challenge = response.header("WWW-Authenticate")
    if response.status not in (400, 401) or not challenge \
            or not challenge.lower().startswith("bearer "):
        return response
    return response.with_header("WWW-Authenticate", challenge[len("bearer "):])


FAULTS = [
    Fault("discovery-issuer-mismatch",
          "The discovery document names an issuer other than the URL it was fetched from.",
          ("oidc.discovery.issuer-matches",),
          on_response=_edit_discovery(lambda d: d.update(issuer="https://login.example.test"))),
    Fault("discovery-no-jwks-uri",
          "The discovery document leaves out jwks_uri.",
          ("oidc.discovery.jwks-uri",),
          on_response=_edit_discovery(lambda d: d.pop("jwks_uri", None))),
    Fault("discovery-no-rs256",
          "The discovery document does not list RS256 among the ID token algorithms.",
          ("oidc.discovery.id-token-algs",),
          on_response=_edit_discovery(
              lambda d: d.update(id_token_signing_alg_values_supported=["ES256"]))),
    Fault("jwks-private-key-leak",
          "The JWK Set publishes private key members (d) beside the public keys.",
          ("oidc.jwks.public-only",),
          on_response=_edit_jwks(_private_key_leak)),
    Fault("jwks-kid-dropped",
          "The JWK Set's keys carry no kid, so the ID token's kid names no published key.",
          ("oidc.jwks.kid-distinct", "oidc.keys.rotation"),
          on_response=_edit_jwks(_drop_kid)),
    Fault("jwks-frozen-after-rotation",
          "jwks_uri keeps serving the key set it served first, so a rotated signing key is "
          "never published.",
          ("oidc.keys.rotation.rotated",),
          on_response=_frozen_jwks()),
    Fault("id-token-wrong-aud",
          "The ID token is issued for another audience than the client.",
          ("oidc.id-token.aud", "oidc.id-token.signature"),
          on_response=_edit_id_token(lambda c: c.update(aud="some-other-client"))),
    Fault("id-token-signature-tampered",
          "The ID token's signature does not verify.",
          ("oidc.id-token.signature",),
          on_response=_tamper_signature),
    Fault("id-token-wrong-iss",
          "The ID token names another issuer.",
          ("oidc.id-token.iss",),
          on_response=_edit_id_token(lambda c: c.update(iss="https://login.example.test"))),
    Fault("id-token-nonce-dropped",
          "The ID token leaves out the nonce of the request.",
          ("oidc.id-token.nonce",),
          on_response=_edit_id_token(lambda c: c.pop("nonce", None))),
    Fault("id-token-expired",
          "The ID token expired an hour before it was issued.",
          ("oidc.id-token.exp", "oidc.id-token.iat"),
          on_response=_edit_id_token(lambda c: c.update(exp=int(c.get("iat", 0)) - 3600))),
    Fault("token-response-cacheable",
          "The token response is sent without Cache-Control: no-store.",
          ("oidc.token.no-store",),
          on_response=_drop_cache_control),
    Fault("state-dropped",
          "Redirects to the client lose the state parameter.",
          ("oidc.authz.state-returned", "oidc.authz.error-state"),
          on_response=_drop_state),
    Fault("open-redirector",
          "An unregistered redirect_uri gets the error redirected to it instead of a page.",
          ("oidc.authz.unregistered-redirect-uri",),
          on_response=_open_redirector),
    Fault("prompt-ignored",
          "The prompt parameter is ignored: prompt=none shows the login page, prompt=login "
          "does not.",
          ("oidc.prompt.none-not-logged-in", "oidc.prompt.login"),
          on_request=_strip_query("prompt")),
    Fault("max-age-ignored",
          "max_age is ignored: no re-authentication, no auth_time.",
          ("oidc.max-age.reauthenticate", "oidc.id-token.auth-time"),
          on_request=_strip_query("max_age")),
    Fault("pkce-ignored",
          "PKCE is not enforced: any code_verifier, or none, redeems a code.",
          ("oidc.pkce.wrong-verifier", "oidc.pkce.missing-verifier"),
          on_request=_pkce_ignored()),
    Fault("userinfo-without-auth",
          "The UserInfo endpoint releases claims to requests without an access token.",
          ("oidc.userinfo.requires-token",),
          on_request=_UNAUTHENTICATED_USERINFO,
          on_response=_LEARN_USERINFO),
    Fault("userinfo-sub-mismatch",
          "The UserInfo response names another subject than the ID token.",
          ("oidc.userinfo.sub-matches",),
          on_response=_userinfo_sub),
    Fault("invalid-client-as-invalid-grant",
          "A wrong client secret is answered 400 invalid_grant instead of invalid_client.",
          ("oidc.token.invalid-client",),
          on_response=_invalid_client_as_invalid_grant),
    Fault("refresh-grant-refused",
          "The refresh token grant is refused although a refresh token was issued.",
          ("oidc.refresh.grant",),
          on_request=_refresh_refused),
    Fault("discovery-served-as-html",
          "The discovery document is wrapped in HTML and sent as text/html.",
          ("oidc.discovery.served",),
          on_response=_discovery_as_html),
    Fault("issuer-with-query",
          "The issuer carries a query component.",
          ("oidc.discovery.issuer-form", "oidc.discovery.issuer-matches"),
          on_response=_edit_discovery(lambda d: d.update(issuer=d["issuer"] + "?tenant=a"))),
    Fault("issuer-plain-http",
          "The issuer is a plain-http URL of a host other than loopback.",
          ("oidc.discovery.issuer-form",),
          on_response=_edit_discovery(lambda d: d.update(issuer="http://login.example.test"))),
    Fault("discovery-members-missing",
          "The discovery document leaves out the endpoints and supported-value lists, and its "
          "scopes_supported omits openid.",
          ("oidc.discovery.authorization-endpoint", "oidc.discovery.token-endpoint",
           "oidc.discovery.userinfo-endpoint", "oidc.discovery.registration-endpoint",
           "oidc.discovery.claims-supported", "oidc.discovery.subject-types",
           "oidc.discovery.response-types", "oidc.discovery.scopes-openid"),
          on_response=_edit_discovery(_strip_members)),
    Fault("jwks-not-a-set",
          "jwks_uri serves a single JWK instead of a JWK Set.",
          ("oidc.jwks.served",),
          on_response=_jwks_single_key),
    Fault("jwks-kty-missing",
          "The published keys have no kty.",
          ("oidc.jwks.kty", "oidc.jwks.signing-key"),
          on_response=_edit_jwks(_drop_kty)),
    Fault("token-type-wrong",
          "The token response names token_type mac for a bearer token.",
          ("oidc.token.response",),
          on_response=_edit_token_response(lambda d: d.update(token_type="mac"))),
    Fault("basic-auth-refused",
          "The token endpoint refuses HTTP Basic client authentication.",
          ("oidc.token.client-secret-basic",),
          on_request=_client_auth_refused("basic")),
    Fault("post-auth-refused",
          "The token endpoint refuses client_secret_post although it advertises it.",
          ("oidc.token.client-secret-post",),
          on_request=_client_auth_refused("post")),
    Fault("code-errors-as-invalid-request",
          "Refused code redemptions answer invalid_request instead of invalid_grant.",
          ("oidc.token.redirect-uri-match", "oidc.token.code-bound-to-client"),
          on_response=_error_renamed("authorization_code", "invalid_grant", "invalid_request")),
    Fault("id-token-not-a-jwt",
          "The id_token is an opaque string.",
          ("oidc.id-token.jwt",),
          on_response=_edit_token_response(lambda d: d.update(id_token="opaque-id-token"))),
    Fault("id-token-alg-none",
          "The ID token is unsigned (alg none).",
          ("oidc.id-token.alg-rs256", "oidc.id-token.signature"),
          on_response=_edit_id_token_header(lambda h: h.update(alg="none"), drop_signature=True)),
    Fault("id-token-kid-dropped",
          "The ID token header has no kid although the JWK Set holds several keys.",
          ("oidc.id-token.kid",),
          on_response=_edit_id_token_header(lambda h: h.pop("kid", None))),
    Fault("id-token-azp-missing",
          "The ID token has a second audience but no azp.",
          ("oidc.id-token.azp",),
          on_response=_edit_id_token(_second_audience_without_azp)),
    Fault("id-token-sub-too-long",
          "The ID token's sub is 300 characters long.",
          ("oidc.id-token.sub",),
          on_response=_edit_id_token(lambda c: c.update(sub="s" * 300))),
    Fault("userinfo-get-refused",
          "The UserInfo endpoint refuses GET.",
          ("oidc.userinfo.get",),
          on_request=_userinfo_method_refused("GET")),
    Fault("userinfo-post-refused",
          "The UserInfo endpoint refuses POST.",
          ("oidc.userinfo.post-header", "oidc.userinfo.post-body"),
          on_request=_userinfo_method_refused("POST")),
    Fault("userinfo-any-token-accepted",
          "The UserInfo endpoint answers for any bearer token.",
          ("oidc.userinfo.invalid-token",),
          on_response=_any_token_accepted),
    Fault("userinfo-claims-withheld",
          "The UserInfo endpoint releases only sub, whatever the scopes.",
          ("oidc.claims.scope-profile", "oidc.claims.scope-email",
           "oidc.claims.scope-address-phone"),
          on_response=_userinfo_edit(_only_sub)),
    Fault("userinfo-scopes-ignored",
          "The UserInfo endpoint releases every claim, whatever the scopes.",
          ("oidc.claims.not-requested", "oidc.claims.scope-profile", "oidc.claims.scope-email",
           "oidc.claims.scope-address-phone"),
          on_response=_userinfo_edit(_all_claims)),
    Fault("refresh-id-token-other-sub",
          "ID tokens returned on refresh name another subject.",
          ("oidc.refresh.id-token",),
          on_response=_edit_refreshed_id_token(lambda c: c.update(sub="someone-else"))),
    Fault("refresh-errors-as-invalid-request",
          "Refused refresh tokens answer invalid_request instead of invalid_grant.",
          ("oidc.refresh.bound-to-client", "oidc.refresh.invalid"),
          on_response=_error_renamed("refresh_token", "invalid_grant", "invalid_request")),
    Fault("registration-secret-expiry-dropped",
          "The registration response issues a secret without client_secret_expires_at.",
          ("oidc.registration.secret-expiry",),
          on_response=_registration_edit(lambda d: d.pop("client_secret_expires_at", None))),
    Fault("registration-metadata-rewritten",
          "The registration response returns other redirect_uris than registered.",
          ("oidc.registration.metadata-returned",),
          on_response=_registration_edit(
              lambda d: d.update(redirect_uris=["https://elsewhere.example.test/cb"]))),
    Fault("registration-unvalidated",
          "Invalid registration requests are accepted as sent.",
          ("oidc.registration.redirect-uri-fragment", "oidc.registration.redirect-uris-required",
           "oidc.registration.invalid-metadata"),
          on_response=_registration_unvalidated),
    Fault("registration-errors-as-text",
          "Registration errors are plain text.",
          ("oidc.registration.error-json",),
          on_response=_registration_errors_as_text),
    Fault("response-type-defaulted",
          "A request without response_type is treated as response_type=code.",
          ("oidc.authz.response-type-missing",),
          on_request=_authz_request_edit(_default_response_type)),
    Fault("nonce-required",
          "Code flow requests without nonce are refused.",
          ("oidc.authz.nonce-optional",),
          on_request=_authz_request_edit(_nonce_required)),
    Fault("unknown-parameter-refused",
          "Authorization requests with unknown parameters are refused.",
          ("oidc.authz.unknown-parameter",),
          on_request=_authz_request_edit(_unknown_parameter_refused)),
    Fault("authorization-post-refused",
          "The authorization endpoint refuses POST.",
          ("oidc.authz.post",),
          on_request=_authz_post_refused),
    Fault("prompt-none-session-lost",
          "prompt=none requests never see the user's session.",
          ("oidc.prompt.none-logged-in",),
          on_request=_session_lost_with_prompt_none),
    Fault("code-in-fragment",
          "The code flow's redirect carries the code in the fragment, not the query.",
          ("oidc.authz.code-issued",),
          on_response=_code_in_fragment),
    Fault("login-before-validation",
          "A request with an unregistered redirect_uri is shown the login form first; its "
          "error page comes only after the End-User signed in.",
          ("oidc.authz.redirect-uri-checked-first",),
          on_request=_LOGIN_FIRST_REQUEST, on_response=_LOGIN_FIRST_RESPONSE),
    Fault("redirect-uri-defaulted",
          "A request without redirect_uri is sent to the client's first registered redirect "
          "URI although it has several (a provider misconfigured to default it).",
          ("oidc.authz.redirect-uri-required",),
          variant="redirect-uri-defaulted"),
    Fault("reauthentication-as-consent",
          "prompt=login and max_age make the provider ask for consent again instead of a "
          "login.",
          ("oidc.prompt.login", "oidc.max-age.reauthenticate"),
          on_request=_reauthentication_as_consent),
    Fault("max-age-always-reauthenticates",
          "Any max_age, even 10000 s right after a login, makes the provider ask for the "
          "login again.",
          ("oidc.id-token.auth-time",),
          on_request=_max_age_always_reauthenticates),
    Fault("id-token-auth-time-stale",
          "The ID token's auth_time is a day before the End-User logged in.",
          ("oidc.id-token.auth-time",),
          on_response=_edit_id_token(_shift_claim("auth_time", -86400))),
    Fault("id-token-iat-stale",
          "The ID token's iat is a day before it was issued (its exp unchanged).",
          ("oidc.id-token.iat",),
          on_response=_edit_id_token(_shift_claim("iat", -86400))),
    Fault("id-token-kid-unknown",
          "The ID token header names a kid the JWK Set does not publish.",
          ("oidc.id-token.kid", "oidc.keys.rotation"),
          on_response=_edit_id_token_header(lambda h: h.update(kid="kid-not-published"))),
    Fault("refresh-id-token-future-iat",
          "ID tokens returned on refresh carry an iat a day in the future.",
          ("oidc.refresh.id-token",),
          on_response=_edit_refreshed_id_token(_shift_claim("iat", 86400))),
    Fault("jwks-empty",
          "jwks_uri serves a JWK Set with no keys.",
          ("oidc.jwks.signing-key",),
          on_response=_empty_jwks),
    Fault("jwks-kid-duplicated",
          "Every key of the JWK Set has the same kid.",
          ("oidc.jwks.kid-distinct",),
          on_response=_edit_jwks(_same_kid)),
    Fault("registration-client-not-stored",
          "The registration answers 201 with a client_id it never stored, so the new client "
          "is never known.",
          ("oidc.registration.usable",),
          on_response=_registration_edit(_client_not_stored)),
    Fault("registration-secret-hash-returned",
          "The registration returns the stored hash of the client secret, not the secret.",
          ("oidc.registration.usable",),
          on_response=_registration_edit(_secret_hash_returned)),
    Fault("userinfo-updated-at-always",
          "The UserInfo endpoint adds the profile claim updated_at whatever the scopes.",
          ("oidc.claims.not-requested", "oidc.claims.scope-email",
           "oidc.claims.scope-address-phone"),
          on_response=_userinfo_edit(_updated_at_always)),
    Fault("userinfo-challenge-scheme-dropped",
          "UserInfo refusals send their challenge without the Bearer auth-scheme.",
          ("oidc.userinfo.requires-token", "oidc.userinfo.invalid-token"),
          on_response=_challenge_without_scheme),
    Fault("code-reuse-accepted",
          "The provider's code store never records that a code was redeemed (a misconfigured "
          "provider), so a code works twice.",
          ("oidc.token.code-reuse", "oidc.hybrid.code-reuse"),
          variant="code-reuse"),
    Fault("grant-tokens-not-revoked",
          "The provider's store never revokes a grant's tokens (a misconfigured provider), so "
          "the access token of a reused code stays valid.",
          ("oidc.token.code-reuse-revokes",),
          variant="no-grant-revocation"),
    Fault("registration-closed",
          "Dynamic registration is configured to need an initial access token.",
          ("oidc.registration.created",),
          variant="registration-closed"),
    Fault("pkce-s256-unsupported",
          "The provider is configured with PKCE plain only, without the mandatory S256.",
          ("oidc.pkce.s256",),
          variant="pkce-plain-only"),
]


# MUST/SHOULD requirements no fault breaks, and why (tests/unit/test_fault_coverage.py).
EXEMPTIONS: dict[str, Exemption] = {
    "oidc.authz.invalid-scope": Exemption(
        "oidc-provider, the reference every fault runs in front of, ignores a malformed scope "
        "itself (RFC 6749 §3.3 lets it), so the clean run never passes and no fault can show "
        "the check failing; oidc-provider's own steady known deviation shows it does",
        proven_by="oidc-provider"),
}
