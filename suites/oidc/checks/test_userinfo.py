"""The UserInfo endpoint (Core §5.3) and the claims scopes release (Core §5.4)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from conformance.api import cant_tell, expect, expect_equal
from suites.oidc import rp
from suites.oidc.flows import CodeFlow, Flows

STANDARD_SCOPES = ("profile", "email", "address", "phone")


def userinfo_claims(response: requests.Response, how: str) -> dict[str, Any]:
    expect_equal(response.status_code, 200, f"status of the UserInfo request ({how})")
    return rp.json_body(response, f"the UserInfo response ({how})")


@pytest.mark.requirement("oidc.userinfo.get")
def test_userinfo_get(flows: Flows, code_flow: CodeFlow) -> None:
    body = userinfo_claims(flows.userinfo(code_flow.access_token, "get"), "GET")
    expect(isinstance(body.get("sub"), str), "the UserInfo response has sub", actual=body)


@pytest.mark.requirement("oidc.userinfo.post-header")
def test_userinfo_post_header(flows: Flows, code_flow: CodeFlow) -> None:
    body = userinfo_claims(flows.userinfo(code_flow.access_token, "post-header"), "POST")
    expect(isinstance(body.get("sub"), str), "the UserInfo response has sub", actual=body)


@pytest.mark.requirement("oidc.userinfo.post-body")
def test_userinfo_post_body(flows: Flows, code_flow: CodeFlow) -> None:
    body = userinfo_claims(flows.userinfo(code_flow.access_token, "post-body"), "POST body")
    expect(isinstance(body.get("sub"), str), "the UserInfo response has sub", actual=body)


@pytest.mark.requirement("oidc.userinfo.sub-matches")
def test_userinfo_sub_matches_id_token(flows: Flows, code_flow: CodeFlow) -> None:
    body = userinfo_claims(flows.userinfo(code_flow.access_token), "GET")
    expect_equal(body.get("sub"), rp.unverified_claims(code_flow.id_token).get("sub"),
                 "sub of UserInfo compared with the ID token's")


@pytest.mark.requirement("oidc.userinfo.requires-token")
def test_userinfo_without_token(flows: Flows, code_flow: CodeFlow) -> None:
    response = flows.session.get(str(flows.metadata.get("userinfo_endpoint")))
    # RFC 6750 §3 shows 401; §3.1 allows 400 invalid_request for a request missing a parameter.
    expect(response.status_code in (400, 401), "a UserInfo request without a token is refused",
           expected="401 (or 400)", actual=response.status_code)
    expect("sub" not in response.text, "no claims are released without a token",
           actual=response.text[:200])
    challenge = response.headers.get("WWW-Authenticate", "")
    expect(challenge.lower().startswith("bearer"), "a Bearer challenge is sent",
           expected="WWW-Authenticate: Bearer …", actual=challenge or None)


def bearer_challenge(header: str) -> tuple[str, dict[str, str]]:
    """The auth-scheme of a WWW-Authenticate challenge and its auth-params (RFC 6750 §3)."""
    scheme, _, rest = header.strip().partition(" ")
    if "=" in scheme:  # bare auth-params: no scheme at all
        scheme, rest = "", header
    params = {name.lower(): value for name, value in
              re.findall(r'([A-Za-z_]+)\s*=\s*"?([^",]*)"?', rest)}
    return scheme, params


@pytest.mark.requirement("oidc.userinfo.invalid-token")
def test_userinfo_with_unknown_token(flows: Flows, code_flow: CodeFlow) -> None:
    response = flows.userinfo(rp.new_state() + rp.new_state())
    expect_equal(response.status_code, 401, "status of a UserInfo request with a bogus token")
    header = response.headers.get("WWW-Authenticate", "")
    scheme, params = bearer_challenge(header)
    # RFC 6750 §3: a Bearer challenge whose error attribute is invalid_token (§3.1).
    expect(scheme.lower() == "bearer", "the challenge uses the Bearer auth-scheme",
           expected='Bearer error="invalid_token"', actual=header or None)
    expect_equal(params.get("error"), "invalid_token", "error attribute of the challenge")


# Core §5.4: the claims each standard scope requests, whatever the manifest lists.
SCOPE_CLAIMS = {
    "profile": ("name", "family_name", "given_name", "middle_name", "nickname",
                "preferred_username", "profile", "picture", "website", "gender", "birthdate",
                "zoneinfo", "locale", "updated_at"),
    "email": ("email", "email_verified"),
    "address": ("address",),
    "phone": ("phone_number", "phone_number_verified"),
}


def expected_claims(oidc_settings: dict[str, Any], scope: str) -> list[str]:
    mapping = oidc_settings.get("scopes")
    if not isinstance(mapping, dict) or not mapping.get(scope):
        cant_tell(f"[settings.oidc] scopes names no claims the account holds for {scope}")
    return [str(c) for c in mapping[scope]]


def claims_of_other_scopes(oidc_settings: dict[str, Any], requested: tuple[str, ...]
                           ) -> set[str]:
    """The claims of the standard scopes not requested (Core §5.4, and those the manifest
    maps them to); none of them may be released."""
    mapping = oidc_settings.get("scopes") or {}
    others = [s for s in STANDARD_SCOPES if s not in requested]
    unrequested = {c for s in others for c in (*SCOPE_CLAIMS[s], *mapping.get(s, []))}
    return unrequested - {c for s in requested for c in mapping.get(s, [])}


def claims_for(flows: Flows, client: rp.Client, scope: str) -> dict[str, Any]:
    flow = flows.complete(client, scope=scope)
    return userinfo_claims(flows.userinfo(flow.access_token), "GET")


def expect_scope_claims(flows: Flows, client: rp.Client, oidc_settings: dict[str, Any],
                        scopes: tuple[str, ...]) -> None:
    wanted = [c for s in scopes for c in expected_claims(oidc_settings, s)]
    body = claims_for(flows, client, " ".join(("openid", *scopes)))
    missing = [c for c in wanted if c not in body]
    expect(not missing, f"scope {' '.join(scopes)} releases its claims", expected=wanted,
           actual=sorted(body))
    extra = sorted(claims_of_other_scopes(oidc_settings, scopes) & set(body))
    expect(not extra, f"scope {' '.join(scopes)} releases no claim of a scope not requested",
           expected=[], actual=extra)


@pytest.mark.requirement("oidc.claims.scope-profile")
def test_scope_profile(flows: Flows, client: rp.Client, oidc_settings: dict[str, Any]) -> None:
    expect_scope_claims(flows, client, oidc_settings, ("profile",))


@pytest.mark.requirement("oidc.claims.scope-email")
def test_scope_email(flows: Flows, client: rp.Client, oidc_settings: dict[str, Any]) -> None:
    expect_scope_claims(flows, client, oidc_settings, ("email",))


@pytest.mark.requirement("oidc.claims.scope-address-phone")
def test_scope_address_and_phone(flows: Flows, client: rp.Client,
                                 oidc_settings: dict[str, Any]) -> None:
    expect_scope_claims(flows, client, oidc_settings, ("address", "phone"))


@pytest.mark.requirement("oidc.claims.not-requested")
def test_no_claims_without_scope(flows: Flows, code_flow: CodeFlow,
                                 oidc_settings: dict[str, Any]) -> None:
    released = userinfo_claims(flows.userinfo(code_flow.access_token), "GET")
    # Core §5.4's claim names, not only the manifest's: the set is never empty.
    unrequested = sorted(claims_of_other_scopes(oidc_settings, ()) & set(released))
    expect(not unrequested, "scope openid alone releases no profile/email/address/phone "
           "claims", expected=[], actual=unrequested)
