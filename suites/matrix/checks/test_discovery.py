"""Discovery: /versions, .well-known/matrix/client, /capabilities."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.api import RecordingSession, expect, inapplicable
from suites.matrix import mx


@pytest.mark.requirement("matrix.versions.shape")
def test_versions_shape(http: RecordingSession) -> None:
    body = mx.ok(mx.call(http, "GET", "_matrix/client/versions"), "GET /versions (no token)")
    announced = body.get("versions")
    expect(isinstance(announced, list) and bool(announced)
           and all(isinstance(v, str) for v in announced),
           "'versions' is not a non-empty list of strings", "list of strings", announced)


@pytest.mark.requirement("matrix.versions.format")
def test_versions_format(versions: list[str]) -> None:
    malformed = [v for v in versions if not mx.VERSION.match(v)]
    expect(not malformed, f"versions that are no spec version identifier: {malformed}",
           "rX.Y.Z or vX.Y", malformed)
    expect(any(major == 1 for major, _ in mx.version_numbers(versions)),
           "no v1.x version is announced", "v1.x", versions)


@pytest.mark.requirement("matrix.versions.unstable-features")
def test_unstable_features(http: RecordingSession) -> None:
    body = mx.ok(mx.call(http, "GET", "_matrix/client/versions"), "GET /versions")
    features = body.get("unstable_features")
    if features is None or features == {}:
        # Passing on nothing would prove nothing; the key is optional.
        inapplicable("GET /_matrix/client/versions announces no unstable_features "
                     "(optional, CS API v1.15 §get_matrixclientversions)",
                     "the server names no unstable feature whose value could be checked")
    expect(isinstance(features, dict), "'unstable_features' is not an object", "object", features)
    wrong = {k: v for k, v in features.items() if not isinstance(v, bool)}
    expect(not wrong, f"unstable features whose value is not a boolean: {wrong}", "bool", wrong)


@pytest.mark.requirement("matrix.wellknown.base-url")
def test_well_known(http: RecordingSession) -> None:
    response = mx.call(http, "GET", ".well-known/matrix/client")
    if response.status_code == 404:
        # The spec defines this 404 ("No server discovery information available") and tells
        # clients to IGNORE it; any other non-200 answer fails below (FAIL_PROMPT).
        inapplicable("GET /.well-known/matrix/client answered 404, which CS API v1.15 "
                     "§getwell-knownmatrixclient defines as 'no server discovery "
                     "information available' (§well-known-uris: IGNORE)",
                     "the server publishes no client discovery information")
    body = mx.ok(response, "GET /.well-known/matrix/client")
    homeserver = body.get("m.homeserver")
    expect(isinstance(homeserver, dict) and isinstance(homeserver.get("base_url"), str),
           "m.homeserver.base_url is not a string", "base_url", homeserver)


@pytest.mark.requirement("matrix.capabilities.shape")
def test_capabilities(alice: mx.User) -> None:
    body = alice.ok("GET", "capabilities", "GET /capabilities")
    expect(isinstance(body.get("capabilities"), dict), "no 'capabilities' object",
           "object", body)


def _capability(user: mx.User, name: str) -> dict[str, Any] | None:
    """One capability's object, None when it is not listed; anything else fails."""
    capabilities: Any = user.ok("GET", "capabilities", "GET /capabilities").get("capabilities")
    expect(isinstance(capabilities, dict), "no 'capabilities' object", "object", capabilities)
    capability = capabilities.get(name)
    expect(capability is None or isinstance(capability, dict), f"{name} is not an object",
           "object", capability)
    return None if capability is None else dict(capability)


@pytest.mark.requirement("matrix.capabilities.room-versions")
def test_capabilities_room_versions(alice: mx.User) -> None:
    capability = _capability(alice, "m.room_versions")
    if capability is None:
        inapplicable("GET /capabilities does not list m.room_versions (an optional "
                     "capability, CS API v1.15 §mroom_versions-capability)",
                     "the server does not advertise its room versions")
    available: Any = capability.get("available")
    expect(isinstance(available, dict), "m.room_versions.available is not an object",
           "object", capability)
    expect(capability.get("default") in available,
           "the default room version is not among the available ones",
           sorted(available), capability.get("default"))
    odd = {k: v for k, v in available.items() if v not in ("stable", "unstable")}
    expect(not odd, f"room versions neither stable nor unstable: {odd}", "stable|unstable", odd)


@pytest.mark.requirement("matrix.capabilities.change-password")
def test_capabilities_change_password(alice: mx.User) -> None:
    capability = _capability(alice, "m.change_password")
    if capability is None:
        inapplicable("GET /capabilities does not list m.change_password (optional; when "
                     "absent clients assume it is enabled, CS API v1.15 "
                     "§mchange_password-capability)",
                     "the server does not advertise the capability")
    expect(isinstance(capability.get("enabled"), bool),
           "m.change_password.enabled is not a boolean", "bool", capability)
