"""Authorization code flows for the checks: the relying party (``rp``) asks the provider's
authorization endpoint, completes the login and consent pages in a browser, and redeems the
code at the token endpoint. Anything that stops a flow short makes the check cannot tell."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from conformance.api import RecordingSession, cant_tell
from suites.oidc import rp
from suites.oidc.provider import endpoint


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
    started: float  # time.time() just before the authorization request was sent
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
        started = time.time()
        code, callback, browser = self.code(client, browser, state=state, nonce=nonce,
                                            scope=scope, **params)
        response = self.redeem(client, code, method)
        if response.status_code != 200:
            cant_tell(f"the token endpoint refused a fresh code (HTTP {response.status_code}: "
                      f"{response.text[:200]})")
        tokens = rp.json_body(response, "the token response")
        return CodeFlow(client, state, nonce, callback, response, tokens, browser, started)

    def userinfo(self, access_token: str, how: str = "get") -> requests.Response:
        url = endpoint(self.metadata, "userinfo_endpoint")
        if how == "get":
            return self.session.get(url, headers={"Authorization": f"Bearer {access_token}"})
        if how == "post-header":
            return self.session.post(url, headers={"Authorization": f"Bearer {access_token}"})
        return self.session.post(url, data={"access_token": access_token})
