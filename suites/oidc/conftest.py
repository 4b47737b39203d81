"""OpenID Connect provisioning from the manifest: the issuer, the clients the checks use, and
how a user logs in. Nothing here knows a product by name.

Manifest settings under ``[settings.oidc]``:
- ``account``: the account that logs in (default ``primary``; its username and password fill
  the ``{username}`` and ``{password}`` of the form steps);
- ``clients.basic`` and ``clients.post``: two confidential clients registered at the provider,
  with ``client_id``, ``client_secret``, ``redirect_uris`` (``basic`` needs at least two) and
  ``token_endpoint_auth_method`` (``client_secret_basic`` and ``client_secret_post``);
- ``[[settings.oidc.interaction]]``: the login and consent pages, in any order: ``form`` (the
  form's id or name), ``fields`` (name -> value, with ``{username}``/``{password}``) and
  ``submit`` (the button's name -> value, if it matters);
- ``scopes``: claims the account holds per scope, to check scope-to-claims mapping, e.g.
  ``scopes = { email = ["email"], profile = ["name"] }``;
- ``rotate_keys``: a command (placeholders of the launcher, e.g. ``{workdir}``) that makes the
  provider rotate its signing keys, and ``rotation_timeout`` (seconds, default 5) to wait for
  the new keys to be published.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from conformance.api import CandidateContext, RecordingSession, cant_tell
from suites.oidc import rp
from suites.oidc.flows import CodeFlow, Flows
from suites.oidc.provider import DISCOVERY_PATH, fetch_jwks

# Checks that change the provider's state for everyone run last, in this order: logouts (a
# provider may revoke every token of the End-User when one logs out, the shared flows' too),
# then the signing keys (so no other check meets a key set other than the one it fetched).
RUN_LAST = ("test_logout.py", "test_rotation.py")


def _run_order(item: pytest.Item) -> int:
    if item.path.parent.parent.name != "oidc" or item.path.name not in RUN_LAST:
        return 0
    return 1 + RUN_LAST.index(item.path.name)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_run_order)


@pytest.fixture(scope="session")
def oidc_settings(candidate: CandidateContext) -> dict[str, Any]:
    return candidate.settings("oidc")


@pytest.fixture(scope="session")
def issuer_url(candidate: CandidateContext) -> str:
    """The issuer identifier the RP was configured with: the base endpoint."""
    return candidate.base_url.rstrip("/")


@pytest.fixture(scope="session")
def session(candidate: CandidateContext) -> RecordingSession:
    """An unauthenticated back-channel session (discovery, JWKS, token, userinfo)."""
    return candidate.session(None)


@pytest.fixture(scope="session")
def discovery_response(session: RecordingSession, issuer_url: str) -> requests.Response:
    return session.get(f"{issuer_url}/{DISCOVERY_PATH}")


@pytest.fixture(scope="session")
def metadata(discovery_response: requests.Response) -> dict[str, Any]:
    """The provider's metadata; checks that need it cannot tell without it."""
    try:
        data = discovery_response.json()
    except ValueError:
        data = None
    if discovery_response.status_code != 200 or not isinstance(data, dict):
        cant_tell(f"the discovery document could not be read (HTTP "
                  f"{discovery_response.status_code})")
    return data




@pytest.fixture(scope="session")
def jwks(session: RecordingSession, metadata: dict[str, Any]) -> dict[str, Any]:
    return fetch_jwks(session, metadata)


@pytest.fixture(scope="session")
def clients(oidc_settings: dict[str, Any]) -> dict[str, rp.Client]:
    declared = oidc_settings.get("clients")
    if not isinstance(declared, dict):
        cant_tell("[settings.oidc.clients] declares no clients")
    return {name: rp.Client.from_settings(name, data) for name, data in declared.items()}


@pytest.fixture(scope="session")
def client(clients: dict[str, rp.Client]) -> rp.Client:
    """The confidential client that authenticates with client_secret_basic."""
    if "basic" not in clients:
        cant_tell("[settings.oidc.clients.basic] is not declared")
    return clients["basic"]


@pytest.fixture(scope="session")
def post_client(clients: dict[str, rp.Client]) -> rp.Client:
    if "post" not in clients:
        cant_tell("[settings.oidc.clients.post] is not declared")
    return clients["post"]


@pytest.fixture(scope="session")
def form_steps(candidate: CandidateContext, oidc_settings: dict[str, Any]) -> list[rp.FormStep]:
    account = candidate.account(str(oidc_settings.get("account", "primary")))
    return rp.form_steps(oidc_settings, account.username, account.password or "")


@pytest.fixture
def new_browser(candidate: CandidateContext,
                form_steps: list[rp.FormStep]) -> Callable[[], rp.Browser]:
    return lambda: rp.Browser(candidate.base_url, form_steps)




@pytest.fixture
def flows(metadata: dict[str, Any], session: RecordingSession,
          new_browser: Callable[[], rp.Browser]) -> Flows:
    return Flows(metadata, session, new_browser)


@pytest.fixture(scope="session")
def session_flows(metadata: dict[str, Any], session: RecordingSession, candidate: CandidateContext,
                  form_steps: list[rp.FormStep]) -> Flows:
    return Flows(metadata, session, lambda: rp.Browser(candidate.base_url, form_steps))


@pytest.fixture(scope="session")
def code_flow(session_flows: Flows, client: rp.Client) -> CodeFlow:
    """One code flow with state, nonce and max_age, shared by the ID token checks."""
    return session_flows.complete(client, max_age="3600")
