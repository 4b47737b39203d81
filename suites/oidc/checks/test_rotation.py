"""Signing key rotation (Core §10.1.1), after the OpenID Foundation's oidcc-server-rotate-keys:
the provider is asked to rotate its keys by the command the manifest declares
(``[settings.oidc] rotate_keys``, the harness's stand-in for the operator that module waits
for), then a new ID token must be signed with a key published at jwks_uri.

This changes the provider's key set, so ``conftest.py`` runs it after every other check.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from conformance.api import CandidateContext, cant_tell, expect, run_template
from suites.oidc import rp
from suites.oidc.flows import Flows
from suites.oidc.provider import absent, fetch_jwks

ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
DEFAULT_TIMEOUT = 5.0


def current_jwks(flows: Flows) -> dict[str, Any]:
    return fetch_jwks(flows.session, flows.metadata)


def kids(jwks: dict[str, Any]) -> list[Any]:
    return [k.get("kid") for k in jwks.get("keys") or [] if isinstance(k, dict)]


@pytest.mark.requirement("oidc.keys.rotation.rotated")
def test_rotated_signing_key_is_published(candidate: CandidateContext,
                                          oidc_settings: dict[str, Any], flows: Flows,
                                          client: rp.Client) -> None:
    absent(oidc_settings, "key-rotation")
    command = oidc_settings.get("rotate_keys")
    if command is None:
        cant_tell("the manifest declares no [settings.oidc] rotate_keys command, so the "
                  "provider cannot be asked to rotate its signing keys")
    if not (isinstance(command, list) and command and all(isinstance(a, str) for a in command)):
        cant_tell(f"[settings.oidc] rotate_keys must be a command, a list of strings "
                  f"(got {command!r})")
    timeout = float(oidc_settings.get("rotation_timeout", DEFAULT_TIMEOUT))
    before_kid = rp.unverified_header(flows.complete(client).id_token).get("kid")
    before_keys = current_jwks(flows).get("keys")
    run = run_template(candidate, command, {}, "settings.oidc.rotate_keys", timeout=timeout)
    if not run.succeeded:
        cant_tell(f"the rotate_keys command failed (exit {run.returncode}): {run.output[-300:]}")
    # The provider may take a moment to publish: wait for the key set to change, then sign in.
    # Keys are compared whole, so a provider that names no kid is seen rotating too.
    deadline = time.monotonic() + timeout
    while current_jwks(flows).get("keys") == before_keys and time.monotonic() < deadline:
        time.sleep(0.25)
    after = flows.complete(client).id_token
    after_kid = rp.unverified_header(after).get("kid")
    jwks = current_jwks(flows)
    if after_kid == before_kid and jwks.get("keys") == before_keys:
        cant_tell("after the rotate_keys command the provider publishes the same keys and "
                  f"signs with the same kid {before_kid!r}: no rotation happened to check")
    # Core §10.1: a kid is needed only when the JWK Set holds several keys.
    if after_kid is not None or len(kids(jwks)) > 1:
        expect(after_kid in kids(jwks),
               "the kid of an ID token signed after the rotation is published at jwks_uri",
               expected=kids(jwks), actual=after_kid)
    problem = rp.verify_signature(after, jwks, ALGORITHMS)
    expect(problem is None, "an ID token signed after the rotation verifies with the JWK Set "
           "published at jwks_uri", expected="a valid signature", actual=problem)
