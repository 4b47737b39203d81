"""The standard error response, common error codes, access tokens, CORS and rate limiting."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import RecordingSession, cant_tell, expect
from suites.matrix import mx
from suites.matrix.registrar import Registrar


@pytest.mark.requirement("matrix.error.format")
def test_error_format(http: RecordingSession, alice: mx.User) -> None:
    # Three different failures, three different code paths of a server.
    mx.error(mx.call(http, "GET", "account/whoami"), 401, (), "whoami without a token")
    mx.error(alice.call("GET", f"rooms/{mx.q('!nowhere:' + alice.server_name)}/state"),
             (403, 404), (), "state of an unknown room")
    mx.error(alice.call("GET", f"user/{mx.q(alice.user_id)}/filter/999999"), 404, (),
             "an unknown filter")


@pytest.mark.requirement("matrix.error.json-content-type")
def test_json_content_type(http: RecordingSession) -> None:
    for path in ("_matrix/client/versions", "account/whoami"):
        response = mx.call(http, "GET", path)
        content_type = response.headers.get("Content-Type", "")
        expect(content_type.split(";")[0].strip() == "application/json",
               f"GET {path}: Content-Type is {content_type!r}", "application/json", content_type)


@pytest.mark.requirement("matrix.error.unrecognized-404")
def test_unknown_endpoint(http: RecordingSession) -> None:
    mx.error(mx.call(http, "GET", "_matrix/client/v3/eos-no-such-endpoint"), 404,
             "M_UNRECOGNIZED", "an unknown endpoint")


@pytest.mark.requirement("matrix.error.unrecognized-405")
def test_wrong_method(http: RecordingSession) -> None:
    mx.error(mx.call(http, "DELETE", "_matrix/client/versions"), 405, "M_UNRECOGNIZED",
             "DELETE on GET-only /versions")


@pytest.mark.requirement("matrix.error.not-json")
def test_not_json(alice: mx.User) -> None:
    response = alice.call("POST", "createRoom", data=b"this is {not json",
                          headers={"Content-Type": "application/json"})
    mx.error(response, 400, "M_NOT_JSON", "createRoom with a body that is not JSON")


@pytest.mark.requirement("matrix.error.bad-json")
def test_bad_json(alice: mx.User) -> None:
    response = alice.call("PUT", f"profile/{mx.q(alice.user_id)}/displayname",
                          body={"displayname": {"not": "a string"}})
    mx.error(response, 400, ("M_BAD_JSON", "M_INVALID_PARAM"), "displayname as an object")


@pytest.mark.requirement("matrix.auth.missing-token")
def test_missing_token(http: RecordingSession) -> None:
    for path in ("account/whoami", "joined_rooms", "capabilities"):
        mx.error(mx.call(http, "GET", path), 401, "M_MISSING_TOKEN", f"GET {path} without token")


@pytest.mark.requirement("matrix.auth.unknown-token")
def test_unknown_token(http: RecordingSession) -> None:
    mx.error(mx.call(http, "GET", "account/whoami", token="eos_no_such_token"), 401,
             "M_UNKNOWN_TOKEN", "whoami with a made-up token")


@pytest.mark.requirement("matrix.auth.bearer-header")
def test_bearer_header(alice: mx.User) -> None:
    body = alice.ok("GET", "account/whoami", "whoami with Authorization: Bearer")
    expect(body.get("user_id") == alice.user_id, "whoami names another user",
           alice.user_id, body.get("user_id"))


@pytest.mark.requirement("matrix.cors.headers")
def test_cors(http: RecordingSession) -> None:
    preflight = mx.call(http, "OPTIONS", "login", headers={
        "Origin": "https://client.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    expect(preflight.status_code in (200, 204), f"OPTIONS preflight answered "
           f"{preflight.status_code}", "200", preflight.status_code)
    for response in (preflight, mx.call(http, "GET", "_matrix/client/versions",
                                        headers={"Origin": "https://client.example"})):
        origin = response.headers.get("Access-Control-Allow-Origin")
        expect(origin == "*", f"{response.request.method}: Access-Control-Allow-Origin is "
               f"{origin!r}", "*", origin)
    methods = preflight.headers.get("Access-Control-Allow-Methods", "").upper()
    headers = preflight.headers.get("Access-Control-Allow-Headers", "").lower()
    for method in ("GET", "POST", "PUT", "DELETE", "OPTIONS"):
        expect(method in methods, f"preflight does not allow {method}", method, methods)
    for header in ("authorization", "content-type"):
        expect(header in headers, f"preflight does not allow the {header} header", header,
               headers)


def _hit_rate_limit(registrar: Registrar, settings: dict[str, Any]) -> Any:
    if settings.get("rate_limit_probe") != "failed-login":
        cant_tell("the manifest declares no rate limit the suite can reach "
                  "([settings.matrix] rate_limit_probe = 'failed-login')")
    user = registrar.new_user("limited")
    attempts = int(settings.get("rate_limit_attempts", 8))
    for _ in range(attempts):
        response = mx.call(user.session, "POST", "login", body={
            "type": "m.login.password", "password": "eos-wrong-password",
            "identifier": {"type": "m.id.user", "user": user.localpart}})
        if response.status_code == 429 or (response.status_code != 403 and
                                            response.status_code >= 400):
            return response
    return response


@pytest.mark.requirement("matrix.ratelimit.limit-exceeded")
def test_rate_limited(registrar: Registrar, matrix_settings: dict[str, Any]) -> None:
    response = _hit_rate_limit(registrar, matrix_settings)
    mx.error(response, 429, "M_LIMIT_EXCEEDED", "repeated failed logins beyond the limit")


@pytest.mark.requirement("matrix.ratelimit.retry-after")
def test_retry_after(registrar: Registrar, matrix_settings: dict[str, Any]) -> None:
    response = _hit_rate_limit(registrar, matrix_settings)
    if response.status_code != 429:
        cant_tell(f"the rate limit was not reached (last answer {response.status_code})")
    body = mx.json_body(response, "429 answer")
    header = response.headers.get("Retry-After")
    retry_ms = body.get("retry_after_ms") if isinstance(body, dict) else None
    expect(header is not None or retry_ms is not None,
           "a 429 gives neither Retry-After nor retry_after_ms", "Retry-After", None)
    if header is not None:
        expect(header.strip().isdigit(), f"Retry-After {header!r} is not delay-seconds",
               "seconds", header)
    if retry_ms is not None:
        expect(isinstance(retry_ms, int) and not isinstance(retry_ms, bool) and retry_ms >= 0,
               "retry_after_ms is not a non-negative integer", "integer", retry_ms)
