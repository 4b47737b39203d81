"""Front-channel responses of the implicit and hybrid flows (Core §3.2, §3.3) and of the
form_post response mode: the requests, and the ID tokens that come back with them."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from conformance.api import cant_tell, expect, expect_equal, inapplicable
from suites.oidc import rp
from suites.oidc.assertions import half_hash
from suites.oidc.flows import Flows


@dataclass
class FrontResponse:
    """One authorization response of a response type other than ``code``."""

    response_type: str
    state: str
    nonce: str
    callback: rp.Callback
    started: float

    def value(self, name: str) -> str:
        found = self.callback.params.get(name)
        if not found:
            cant_tell(f"the {self.response_type!r} response holds no {name} to check "
                      f"(got {sorted(self.callback.params)})")
        return found


def supported(metadata: dict[str, Any], response_type: str) -> None:
    """Inapplicable unless Discovery §3 response_types_supported lists ``response_type``
    (space-separated values compared as sets, as RFC 6749 §3.1.1 orders them freely)."""
    wanted = set(response_type.split())
    listed = metadata.get("response_types_supported")
    if not isinstance(listed, list):
        cant_tell("the discovery document has no response_types_supported list")
    if not any(isinstance(v, str) and set(v.split()) == wanted for v in listed):
        inapplicable(f"response_types_supported omits {response_type!r} (Discovery §3)",
                     f"the provider does not offer response_type={response_type}")


def form_post_supported(metadata: dict[str, Any]) -> None:
    # Discovery §3: omitted, response_modes_supported defaults to ["query", "fragment"].
    modes = metadata.get("response_modes_supported", ["query", "fragment"])
    if not isinstance(modes, list):
        cant_tell("response_modes_supported is not a list")
    if "form_post" not in modes:
        inapplicable("response_modes_supported omits form_post (Discovery §3; the default is "
                     "query and fragment)", "the provider does not offer form_post")


def front(flows: Flows, client: rp.Client, response_type: str, **params: Any) -> FrontResponse:
    supported(flows.metadata, response_type)
    state, nonce = rp.new_state(), rp.new_state()
    started = time.time()
    callback, _ = flows.authorize(client, response_type=response_type, state=state,
                                  nonce=nonce, **params)
    if callback.error:
        cant_tell(f"the {response_type!r} request was refused: {callback.params}")
    return FrontResponse(response_type, state, nonce, callback, started)


def expect_fragment(response: FrontResponse) -> None:
    """Core §3.2.2.5, §3.3.2.5: the parameters are in the fragment, none in the query."""
    callback = response.callback
    expect(callback.mode == "fragment", f"the {response.response_type!r} response is in the "
           "fragment of the redirect URI", expected="fragment", actual=callback.mode)
    leaked = sorted(set(callback.query) & {"code", "id_token", "access_token", "state"})
    expect(not leaked, "no response parameter is in the query component", actual=leaked)


def expect_hash(response: FrontResponse, claim: str, of: str) -> None:
    """at_hash / c_hash: the left half of the hash of ``of`` with the ID token's hash alg."""
    id_token = response.value("id_token")
    alg = str(rp.unverified_header(id_token).get("alg", ""))
    wanted = half_hash(response.value(of), alg)
    if wanted is None:
        cant_tell(f"the ID token's alg {alg!r} names no hash for {claim}")
    expect_equal(rp.unverified_claims(id_token).get(claim), wanted,
                 f"{claim} of the ID token (left half of the {alg} hash of {of})")


def expect_id_token_claims(id_token: str, client: rp.Client, issuer: str,
                           started: float) -> None:
    """Core §3.2.2.11 and §3.3.2.12 validate it as §3.1.3.7 does."""
    claims = rp.unverified_claims(id_token)
    expect_equal(claims.get("iss"), issuer, "iss of the front-channel ID token")
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    expect(client.client_id in audiences, "aud names the client", actual=aud)
    now = time.time()
    exp, iat = claims.get("exp"), claims.get("iat")
    expect(isinstance(exp, int | float) and exp > now, "exp is in the future", actual=exp)
    expect(isinstance(iat, int | float) and started - 60 <= iat <= now + 60,
           "iat lies between the request and now", actual=iat)
    sub = claims.get("sub")
    expect(isinstance(sub, str) and 0 < len(sub) <= 255, "sub is present", actual=sub)


def expect_signed(id_token: str, jwks: dict[str, Any], metadata: dict[str, Any]) -> None:
    """Signed with an advertised algorithm (never none: Core §2 allows it only for ID tokens
    that do not come from the authorization endpoint) and verifying with the JWK Set."""
    alg = rp.unverified_header(id_token).get("alg")
    advertised = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    expect(alg != "none" and alg in advertised,
           "the ID token is signed with an advertised algorithm other than none",
           expected=advertised, actual=alg)
    problem = rp.verify_signature(id_token, jwks, [str(alg)])
    expect(problem is None, "the ID token's signature verifies with the JWK Set",
           actual=problem)
