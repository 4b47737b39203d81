"""Matrix provisioning from the manifest: test users and the versions the server announces.
Nothing here knows a homeserver by name.

Manifest settings under ``[settings.matrix]`` (all optional):
- ``registration``: ``"open"`` (default) creates every test user through the spec's own
  ``POST /register`` with the m.login.dummy stage; ``"accounts"`` signs in with the
  ``[accounts.*]`` the manifest gives (checks needing more users than given cannot tell);
- ``rate_limit_probe``: ``"failed-login"`` says the candidate is configured to rate-limit
  failed logins to one account soon enough for ``rate_limit_attempts`` (default 8) wrong
  passwords to reach it. Without it the rate-limiting checks cannot tell.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.api import CandidateContext, RecordingSession, cant_tell, inapplicable, observe
from suites.matrix import mx
from suites.matrix.registrar import Registrar


@pytest.fixture(scope="session")
def matrix_settings(candidate: CandidateContext) -> dict[str, Any]:
    return candidate.settings("matrix")


@pytest.fixture(scope="session")
def http(candidate: CandidateContext) -> RecordingSession:
    """An unauthenticated recording session; checks add their access tokens per request."""
    return candidate.session(None)


@pytest.fixture(scope="session")
def versions(http: RecordingSession) -> list[str]:
    """The spec versions the candidate announces, recorded in the report."""
    response = mx.call(http, "GET", "_matrix/client/versions")
    if response.status_code != 200:
        cant_tell(f"GET /_matrix/client/versions answered {response.status_code}")
    try:
        announced = response.json().get("versions")
    except (ValueError, AttributeError):
        cant_tell("GET /_matrix/client/versions did not answer a JSON object")
    if not isinstance(announced, list):
        cant_tell("GET /_matrix/client/versions names no 'versions' list")
    observe("matrix.versions", announced)
    return [str(v) for v in announced]


@pytest.fixture(scope="session")
def require_version(versions: list[str]) -> Callable[[int, int], None]:
    """Inapplicable for a check whose feature came in a spec version the candidate does not
    announce: /versions is how the spec has a server say which versions it supports
    (CS API v1.15 §get_matrixclientversions), so its list is a positive signal."""

    def require(major: int, minor: int) -> None:
        if not any(v >= (major, minor) for v in mx.version_numbers(versions)):
            inapplicable(
                f"GET /_matrix/client/versions announces no version >= v{major}.{minor} "
                f"(announced: {', '.join(versions)}; CS API v1.15 §get_matrixclientversions)",
                f"the feature was added in v{major}.{minor}, which the candidate does not "
                "claim to support")

    return require


@pytest.fixture(scope="session")
def registrar(candidate: CandidateContext, http: RecordingSession,
              matrix_settings: dict[str, Any]) -> Registrar:
    return Registrar(candidate, http, matrix_settings)


@pytest.fixture(scope="session")
def alice(registrar: Registrar) -> mx.User:
    """A user shared by checks that only read or add their own rooms and events."""
    return registrar.new_user("alice")


@pytest.fixture(scope="session")
def bob(registrar: Registrar) -> mx.User:
    return registrar.new_user("bob")


@pytest.fixture
def fresh_user(registrar: Registrar) -> mx.User:
    """A user of its own, for checks that change or end its sessions."""
    return registrar.new_user("fresh")


@pytest.fixture
def room(alice: mx.User) -> str:
    """A fresh private room alice created."""
    return mx.create_room(alice, preset="private_chat")
