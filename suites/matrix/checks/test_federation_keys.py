"""Server-Server API: the candidate's server keys, its notary key query, its version, and
the authentication of requests both ways (SS API v1.15 §retrieving-server-keys,
§request-authentication)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
import signedjson.key
import signedjson.sign

from conformance.api import expect, expect_equal
from suites.matrix import mx
from suites.matrix.federation.client import FederationClient
from suites.matrix.federation.fixtures import fed, harness
from suites.matrix.federation.server import HarnessHomeserver

__all__ = ["fed", "harness"]
KEY_ID = re.compile(r"^ed25519:[a-zA-Z0-9_]+$")
UNAUTHORIZED = "/_matrix/federation/v1/query/profile"


def key_document(fed: FederationClient) -> dict[str, Any]:
    return mx.ok(fed.session.request("GET", "_matrix/key/v2/server"), "GET /_matrix/key/v2/server")


def verify_keys(document: dict[str, Any]) -> dict[str, Any]:
    keys = {}
    for key_id, value in document.get("verify_keys", {}).items():
        algorithm, version = key_id.split(":", 1)
        keys[key_id] = signedjson.key.decode_verify_key_base64(algorithm, version, value["key"])
    return keys


def signed_by(document: dict[str, Any], server: str, keys: dict[str, Any]) -> list[str]:
    """The key ids of ``keys`` whose signature of ``server`` on the document verifies."""
    good = []
    for key_id, key in keys.items():
        try:
            signedjson.sign.verify_signed_json(document, server, key)
            good.append(key_id)
        except signedjson.sign.SignatureVerifyException:
            pass
    return good


@pytest.mark.requirement("matrix.federation.keys.shape")
def test_key_document_shape(fed: FederationClient) -> None:
    document = key_document(fed)
    expect_equal(document.get("server_name"), fed.destination,
                 "server_name is not the server's own name")
    keys = document.get("verify_keys")
    expect(isinstance(keys, dict) and bool(keys), "verify_keys is not a non-empty object",
           "object", keys)
    assert isinstance(keys, dict)
    for key_id, value in keys.items():
        expect(isinstance(value, dict) and isinstance(value.get("key"), str),
               f"verify_keys[{key_id}] has no 'key' string", "key", value)
    old = document.get("old_verify_keys", {})
    expect(isinstance(old, dict), "old_verify_keys is not an object", "object", old)


@pytest.mark.requirement("matrix.federation.keys.key-ids")
def test_key_ids(fed: FederationClient) -> None:
    document = key_document(fed)
    ids = list(document.get("verify_keys", {}))
    expect(bool(ids) and all(KEY_ID.match(k) for k in ids),
           "a verify key id is not 'ed25519:' and a version of [a-zA-Z0-9_]", "ed25519:…", ids)


@pytest.mark.requirement("matrix.federation.keys.self-signed")
def test_key_document_signed(fed: FederationClient) -> None:
    document = key_document(fed)
    keys = verify_keys(document)
    good = signed_by(document, fed.destination, keys)
    expect_equal(sorted(good), sorted(keys),
                 "the key document is not signed by each of its own verify keys")


@pytest.mark.requirement("matrix.federation.keys.valid-until")
def test_valid_until(fed: FederationClient) -> None:
    valid_until = key_document(fed).get("valid_until_ts")
    expect(isinstance(valid_until, int) and not isinstance(valid_until, bool),
           "valid_until_ts is not an integer", "integer", valid_until)
    assert isinstance(valid_until, int)
    expect(valid_until > time.time() * 1000, "valid_until_ts is not in the future",
           "> now", valid_until)


def _query_result(fed: FederationClient, answer: dict[str, Any], server: str) -> dict[str, Any]:
    listed = answer.get("server_keys")
    expect(isinstance(listed, list), "server_keys is not a list", "list", listed)
    assert isinstance(listed, list)
    found = [d for d in listed if isinstance(d, dict) and d.get("server_name") == server]
    expect(len(found) == 1, f"server_keys does not list {server} once", server, listed)
    return found[0]


@pytest.mark.requirement("matrix.federation.notary.query")
def test_notary_post(fed: FederationClient, harness: HarnessHomeserver) -> None:
    name = harness.server_name
    answer = mx.ok(fed.session.request(
        "POST", "_matrix/key/v2/query", json={"server_keys": {name: {}}}), "POST /key/v2/query")
    document = _query_result(fed, answer, name)
    ours = harness.identity.key_document()
    expect_equal(document.get("verify_keys"), ours["verify_keys"],
                 "the notary changed the harness's verify keys")
    expect_equal(signed_by(document, name, verify_keys(ours)), [harness.identity.key_id],
                 "the harness's own signature on its key document was not kept")


@pytest.mark.requirement("matrix.federation.notary.signed")
def test_notary_signs(fed: FederationClient, harness: HarnessHomeserver) -> None:
    name = harness.server_name
    answer = mx.ok(fed.session.request(
        "GET", f"_matrix/key/v2/query/{name}"), "GET /key/v2/query/{serverName}")
    document = _query_result(fed, answer, name)
    notary = verify_keys(key_document(fed))
    expect(bool(signed_by(document, fed.destination, notary)),
           "the notary did not sign the key document it returned", fed.destination,
           sorted(document.get("signatures", {})))


@pytest.mark.requirement("matrix.federation.version")
def test_version(fed: FederationClient) -> None:
    body = mx.ok(fed.request("GET", "/_matrix/federation/v1/version"), "GET /version")
    server = body.get("server")
    expect(isinstance(server, dict) and isinstance(server.get("name"), str)
           and isinstance(server.get("version"), str),
           "server.name and server.version are not strings", "strings", server)


def _profile_path(alice: mx.User) -> tuple[str, dict[str, str]]:
    return UNAUTHORIZED, {"user_id": alice.user_id}


@pytest.mark.requirement("matrix.federation.auth.required")
def test_unsigned_request(fed: FederationClient, alice: mx.User) -> None:
    path, params = _profile_path(alice)
    mx.error(fed.request("GET", path, params=params, sign=False), 401, (),
             "an unsigned federation request")


@pytest.mark.requirement("matrix.federation.auth.signature")
def test_wrong_signature(fed: FederationClient, alice: mx.User) -> None:
    path, params = _profile_path(alice)
    # Signed, but over another URI than the one requested.
    header = fed.identity.authorization("GET", f"{path}?user_id=%40x%3Aexample.org",
                                        fed.destination)
    response = fed.session.request("GET", path.lstrip("/"), params=params,
                                   headers={"Authorization": header})
    mx.error(response, 401, (), "a request whose signature does not verify")


@pytest.mark.requirement("matrix.federation.auth.body-signed")
def test_body_not_the_signed_one(fed: FederationClient, alice: mx.User) -> None:
    body: dict[str, Any] = {"device_keys": {alice.user_id: []}}
    response = fed.request("POST", "/_matrix/federation/v1/user/keys/query", body=body,
                           signed_body={"device_keys": {}})
    mx.error(response, 401, (), "a request whose signed content is not its body")


@pytest.mark.requirement("matrix.federation.auth.origin")
def test_wrong_origin(fed: FederationClient, alice: mx.User) -> None:
    path, params = _profile_path(alice)
    # A server the candidate can reach (itself) is claimed; the harness's key signed.
    response = fed.request("GET", path, params=params, origin=fed.destination)
    mx.error(response, 401, (), "a request claiming another origin")


@pytest.mark.requirement("matrix.federation.auth.destination")
def test_wrong_destination(fed: FederationClient, alice: mx.User) -> None:
    path, params = _profile_path(alice)
    response = fed.request("GET", path, params=params, destination="other.example.org")
    mx.error(response, 401, (), "a request signed for another destination")


@pytest.mark.requirement("matrix.federation.auth.unknown-key")
def test_unknown_key(fed: FederationClient, alice: mx.User) -> None:
    path, params = _profile_path(alice)
    response = fed.request("GET", path, params=params, key_id="ed25519:notpublished")
    mx.error(response, 401, (), "a request naming a key the origin never published")


@pytest.mark.requirement("matrix.federation.auth.outbound")
def test_candidate_signs_its_requests(fed: FederationClient, harness: HarnessHomeserver,
                                      alice: mx.User) -> None:
    # A key query about a harness user makes the candidate call the harness, signed.
    mark = harness.mark()
    alice.call("POST", "keys/query", body={"device_keys": {f"@x:{harness.server_name}": []}})
    request = harness.wait_for(lambda r: r.checked, 6, mark)
    expect(request is not None, "the candidate made no signed request to the harness",
           "a request", None)
    assert request is not None
    expect(request.auth_problem is None,
           f"the candidate's request to {request.path} is not properly signed: "
           f"{request.auth_problem}", "a valid X-Matrix signature", request.auth_problem)
