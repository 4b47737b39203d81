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
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from conformance.api import CandidateContext, RecordingSession, cant_tell
from suites.oidc import rp

DISCOVERY_PATH = ".well-known/openid-configuration"
# Checks that change the provider's state for everyone (its signing keys) run last, so no other
# check meets a key set other than the one it fetched.
RUN_LAST = ("test_rotation.py",)


def runs_last(item: pytest.Item) -> bool:
    return item.path.name in RUN_LAST and item.path.parent.parent.name == "oidc"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=runs_last)


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


def endpoint(metadata: dict[str, Any], name: str) -> str:
    value = metadata.get(name)
    if not isinstance(value, str) or not value:
        cant_tell(f"the discovery document names no {name}")
    return value


def fetch_jwks(session: RecordingSession, metadata: dict[str, Any]) -> dict[str, Any]:
    """The JWK Set at jwks_uri now; checks that need it cannot tell without it."""
    response = session.get(endpoint(metadata, "jwks_uri"))
    try:
        data = response.json()
    except ValueError:
        data = None
    if response.status_code != 200 or not isinstance(data, dict):
        cant_tell(f"the JWK Set could not be read (HTTP {response.status_code})")
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


@dataclass
class CodeFlow:
    """One completed authorization code flow and what the token endpoint answered."""

    client: rp.Client
    state: str
    nonce: str | None
    callback: rp.Callback
    token_response: requests.Response
    tokens: dict[str, Any]
    browser: rp.Browser
    verifier: str | None = None

    @property
    def id_token(self) -> str:
        value = self.tokens.get("id_token")
        if not isinstance(value, str):
            cant_tell("the token response holds no id_token to check")
        return value

    @property
    def access_token(self) -> str:
        value = self.tokens.get("access_token")
        if not isinstance(value, str):
            cant_tell("the token response holds no access_token to use")
        return value


class Flows:
    """Runs authorization code flows for checks."""

    def __init__(self, metadata: dict[str, Any], session: RecordingSession,
                 new_browser: Callable[[], rp.Browser]) -> None:
        self.metadata = metadata
        self.session = session
        self.new_browser = new_browser

    def authorize(self, client: rp.Client, browser: rp.Browser | None = None,
                  **params: Any) -> tuple[rp.Callback, rp.Browser]:
        browser = browser or self.new_browser()
        url = rp.authorization_url(endpoint(self.metadata, "authorization_endpoint"), client,
                                   **params)
        outcome = browser.authorize(url, client)
        if outcome.callback is None:
            cant_tell(f"the authorization request ended on a page, not at the redirect URI "
                      f"(HTTP {outcome.final.status_code} at {outcome.final.url})")
        return outcome.callback, browser

    def code(self, client: rp.Client, browser: rp.Browser | None = None, **params: Any
             ) -> tuple[str, rp.Callback, rp.Browser]:
        callback, browser = self.authorize(client, browser, **params)
        if not callback.code:
            cant_tell(f"no authorization code came back: {callback.params}")
        return callback.code, callback, browser

    def redeem(self, client: rp.Client, code: str, method: str | None = None,
               **extra: str) -> requests.Response:
        data = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": extra.pop("redirect_uri", client.redirect_uri), **extra}
        return rp.token_request(self.session, endpoint(self.metadata, "token_endpoint"),
                                client, data, method)

    def complete(self, client: rp.Client, browser: rp.Browser | None = None,
                 method: str | None = None, scope: str = "openid", **params: Any) -> CodeFlow:
        state, nonce = rp.new_state(), params.pop("nonce", rp.new_state())
        code, callback, browser = self.code(client, browser, state=state, nonce=nonce,
                                            scope=scope, **params)
        response = self.redeem(client, code, method)
        if response.status_code != 200:
            cant_tell(f"the token endpoint refused a fresh code (HTTP {response.status_code}: "
                      f"{response.text[:200]})")
        tokens = rp.json_body(response, "the token response")
        return CodeFlow(client, state, nonce, callback, response, tokens, browser)

    def userinfo(self, access_token: str, how: str = "get") -> requests.Response:
        url = endpoint(self.metadata, "userinfo_endpoint")
        if how == "get":
            return self.session.get(url, headers={"Authorization": f"Bearer {access_token}"})
        if how == "post-header":
            return self.session.post(url, headers={"Authorization": f"Bearer {access_token}"})
        return self.session.post(url, data={"access_token": access_token})


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
