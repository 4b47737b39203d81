"""The relying party the checks play: authorization requests, the login and consent pages
completed as the manifest says, token requests and ID token parsing.

Requests are built with authlib (authorization URLs, PKCE) and JOSE is validated with
joserfc (authlib's JOSE library). Token requests are sent as plain HTTP so checks can see
status codes and headers of refusals too. Every exchange goes through a ``RecordingSession``
and becomes evidence.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from lxml import html

from conformance.api import RecordingSession, cant_tell, expect
from suites.oidc.assertions import ASSERTION_TYPE, client_assertion

MAX_PAGES = 12


@dataclass(frozen=True)
class Client:
    """A client registered at the provider (from the manifest, or registered by a check)."""

    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    auth_method: str = "client_secret_basic"
    post_logout_redirect_uris: tuple[str, ...] = ()
    # The private JWK of a client registered by a check for private_key_jwt (never a file).
    private_jwk: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def redirect_uri(self) -> str:
        return self.redirect_uris[0]

    @classmethod
    def from_settings(cls, name: str, data: Any) -> Client:
        if not isinstance(data, dict) or "client_id" not in data or "redirect_uris" not in data:
            cant_tell(f"[settings.oidc.clients.{name}] needs client_id and redirect_uris")
        return cls(
            client_id=str(data["client_id"]),
            client_secret=str(data.get("client_secret", "")),
            redirect_uris=tuple(str(u) for u in data["redirect_uris"]),
            auth_method=str(data.get("token_endpoint_auth_method", "client_secret_basic")),
            post_logout_redirect_uris=tuple(
                str(u) for u in data.get("post_logout_redirect_uris", ())),
        )


@dataclass(frozen=True)
class FormStep:
    """One page of the login/consent interaction: which form, which fields, which button.
    ``login`` is a form that asks for the account's password (the End-User authenticates);
    the others are consent or confirmation pages."""

    form: str
    fields: dict[str, str] = field(default_factory=dict)
    submit: dict[str, str] = field(default_factory=dict)
    login: bool = False


def form_steps(settings: dict[str, Any], username: str, password: str) -> list[FormStep]:
    steps = settings.get("interaction")
    if not isinstance(steps, list) or not steps:
        cant_tell("[[settings.oidc.interaction]] declares no login/consent form steps")
    values = {"username": username, "password": password}
    result = []
    for index, step in enumerate(steps):
        if not isinstance(step, dict) or "form" not in step:
            cant_tell(f"settings.oidc.interaction[{index}] names no 'form'")
        templates = {k: str(v) for k, v in dict(step.get("fields", {})).items()}
        result.append(FormStep(
            form=str(step["form"]),
            fields={k: v.format(**values) for k, v in templates.items()},
            submit={k: str(v) for k, v in dict(step.get("submit", {})).items()},
            login=any("{password}" in v for v in templates.values()),
        ))
    return result


@dataclass
class Callback:
    """Where the provider finally sent the browser: the redirect URI and its parameters
    (``params`` merges the query and the fragment; ``query`` is the query component alone)."""

    url: str
    params: dict[str, str]
    pages: int  # how many login/consent pages were completed on the way
    query: dict[str, str] = field(default_factory=dict)
    forms: tuple[FormStep, ...] = ()  # the forms completed on the way, in order
    fragment: dict[str, str] = field(default_factory=dict)
    form_post: dict[str, str] | None = None  # the fields of a form_post response, if one

    @property
    def mode(self) -> str:
        """How the parameters came back: form_post, fragment, query (or none)."""
        if self.form_post is not None:
            return "form_post"
        return "fragment" if self.fragment else "query" if self.query else "none"

    @property
    def logins(self) -> int:
        """How many times the End-User was asked for the password on the way."""
        return sum(1 for step in self.forms if step.login)

    @property
    def code(self) -> str | None:
        return self.params.get("code")

    @property
    def error(self) -> str | None:
        return self.params.get("error")


@dataclass
class Outcome:
    """The end of an authorization request: a callback, or a page the provider stopped on."""

    callback: Callback | None
    final: requests.Response
    pages: int


def new_state() -> str:
    return secrets.token_urlsafe(16)


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    return verifier, create_s256_code_challenge(verifier)


def authorization_url(endpoint: str, client: Client, **params: Any) -> str:
    redirect_uri = params.pop("redirect_uri", client.redirect_uri)
    response_type = params.pop("response_type", "code")
    scope = params.pop("scope", "openid")
    state = params.pop("state", None)
    extra = {k: v for k, v in params.items() if v is not None}
    url: str = prepare_grant_uri(endpoint, client.client_id, response_type,
                                 redirect_uri=redirect_uri, scope=scope, state=state, **extra)
    return url


def _matches_redirect(url: str, redirect_uris: tuple[str, ...]) -> bool:
    target = url.split("?")[0].split("#")[0]
    return any(target == uri.split("?")[0] for uri in redirect_uris)


def _callback(url: str, forms: list[FormStep]) -> Callback:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    fragment = {k: v[0] for k, v in parse_qs(parts.fragment).items()}
    return Callback(url=url, params={**query, **fragment}, pages=len(forms), query=query,
                    forms=tuple(forms), fragment=fragment)


def _form_post(page: requests.Response, redirect_uris: tuple[str, ...],
               forms: list[FormStep]) -> Callback | None:
    """A form_post response (OAuth 2.0 Form Post Response Mode §2): an HTML page whose form
    POSTs the parameters to a redirect URI. The RP reads its fields; nothing is posted."""
    if "html" not in page.headers.get("Content-Type", "") or not page.content:
        return None
    for form in html.fromstring(page.content).forms:
        action = urljoin(page.url, form.get("action") or "")
        if (form.get("method") or "get").lower() == "post" and _matches_redirect(
                action, redirect_uris):
            fields = {name: value for name, value in form.form_values()}
            return Callback(url=action, params=dict(fields), pages=len(forms),
                            forms=tuple(forms), form_post=fields)
    return None


class Browser:
    """A user agent with its own cookies: follows the provider's redirects and completes its
    login and consent forms as the manifest describes, until the provider redirects to one
    of the client's redirect URIs (never requested: the RP only reads the parameters)."""

    def __init__(self, base_url: str, steps: list[FormStep]) -> None:
        self.session = RecordingSession(base_url)
        self.steps = steps

    def authorize(self, url: str, client: Client, interact: bool = True,
                  watch: tuple[str, ...] = ()) -> Outcome:
        """Follow ``url``; with ``interact`` False, stop at the first page instead of filling
        it in. ``watch`` are further URIs treated as redirect URIs (to catch a provider that
        redirects to an unregistered one)."""
        return self.follow(self.session.get(url), client, interact, watch)

    def follow(self, response: requests.Response, client: Client, interact: bool = True,
               watch: tuple[str, ...] = (), sign_in: bool = True) -> Outcome:
        """Go on from a response of the provider, as ``authorize`` does; with ``sign_in``
        False, stop at a login form (after a logout, signing in again would hide it)."""
        redirect_uris = (*client.redirect_uris, *watch)
        forms: list[FormStep] = []
        for _ in range(MAX_PAGES):
            if response.is_redirect:
                target = urljoin(response.url, response.headers["Location"])
                if _matches_redirect(target, redirect_uris):
                    return Outcome(_callback(target, forms), response, len(forms))
                response = self.session.get(target)
                continue
            # Form Post §2 sets no status code: a provider may post an error with a 400.
            posted = _form_post(response, redirect_uris, forms)
            if posted is not None:
                return Outcome(posted, response, len(forms))
            if not interact or response.status_code != 200:
                return Outcome(None, response, len(forms))
            found = self.interaction_form(response)
            if found is not None and found[0].login and not sign_in:
                return Outcome(None, response, len(forms))
            submitted = self._submit_form(response)
            if submitted is None:
                return Outcome(None, response, len(forms))
            forms.append(submitted[0])
            response = submitted[1]
        cant_tell(f"the authorization request went through more than {MAX_PAGES} pages")

    def interaction_form(self, page: requests.Response) -> tuple[FormStep, Any] | None:
        """The first of the manifest's login/consent forms that ``page`` shows, if any."""
        if "html" not in page.headers.get("Content-Type", "") or not page.content:
            return None
        document = html.fromstring(page.content)
        for step in self.steps:
            forms = [f for f in document.forms
                     if step.form in (f.get("id"), f.get("name"))]
            if forms:
                return step, forms[0]
        return None

    def _submit_form(self, page: requests.Response
                     ) -> tuple[FormStep, requests.Response] | None:
        found = self.interaction_form(page)
        if found is None:
            return None
        step, form = found
        data = {name: value for name, value in form.form_values()}
        data.update(step.fields)
        data.update(step.submit)
        action = urljoin(page.url, form.get("action") or page.url)
        if (form.get("method") or "get").lower() == "post":
            return step, self.session.post(action, data=data, allow_redirects=False)
        return step, self.session.get(action, params=data)


def unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a compact JWS, read without trusting it (claim checks use it even when
    the signature does not verify: each rule is judged by its own check)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError) as error:
        raise_failure(f"the ID token is not a compact JWS with a JSON payload ({error})")
    if not isinstance(data, dict):
        raise_failure("the ID token's payload is not a JSON object")
    return dict(data)


def unverified_header(token: str) -> dict[str, Any]:
    try:
        part = token.split(".")[0]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError) as error:
        raise_failure(f"the ID token's JOSE header is not JSON ({error})")
    return data if isinstance(data, dict) else {}


def raise_failure(message: str) -> Any:
    expect(False, message)


def verify_signature(token: str, jwks: dict[str, Any], algorithms: list[str]) -> str | None:
    """None when ``token`` verifies with a key of ``jwks``; else why not."""
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        jwt.decode(token, keys, algorithms=algorithms)
    except (JoseError, ValueError, TypeError, KeyError) as error:
        return f"{type(error).__name__}: {error}"
    return None


def token_request(session: RecordingSession, endpoint: str, client: Client,
                  data: dict[str, str], method: str | None = None) -> requests.Response:
    """A token endpoint request authenticated as ``client`` (its own method unless given)."""
    how = method or client.auth_method
    body = dict(data)
    auth = None
    if how == "client_secret_basic":
        auth = (client.client_id, client.client_secret)
    elif how == "client_secret_post":
        body.update(client_id=client.client_id, client_secret=client.client_secret)
    elif how in ("client_secret_jwt", "private_key_jwt"):
        body.update(client_id=client.client_id, client_assertion_type=ASSERTION_TYPE,
                    client_assertion=client_assertion(
                        client.client_id, endpoint, secret=client.client_secret,
                        private_jwk=client.private_jwk if how == "private_key_jwt" else None))
    else:
        body["client_id"] = client.client_id
    return session.post(endpoint, data=body, auth=auth,
                        headers={"Accept": "application/json"})


def json_body(response: requests.Response, what: str) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise_failure(f"{what} is not JSON (HTTP {response.status_code}, "
                      f"{response.headers.get('Content-Type')})")
    if not isinstance(data, dict):
        raise_failure(f"{what} is not a JSON object")
    return dict(data)
