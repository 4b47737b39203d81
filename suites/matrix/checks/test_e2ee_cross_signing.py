"""Cross-signing keys and signatures (CS API v1.15 §cross-signing,
§post_matrixclientv3keysdevice_signingupload, §post_matrixclientv3keyssignaturesupload): real
Ed25519 master, self-signing and user-signing keys, the UIA rules of v1.11 for replacing them,
and signatures of devices and of other users' master keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import requests

from conformance.api import expect
from suites.matrix import e2ee, mx

upload_cross_signing = e2ee.upload_cross_signing
with_cross_signing = e2ee.with_cross_signing


def queried(by: mx.User, owner: mx.User, part: str) -> Any:
    body = e2ee.query(by, {owner.user_id: []}, f"POST /keys/query ({part})")
    found = body.get(part)
    return found.get(owner.user_id) if isinstance(found, dict) else None


def check_uia_challenge(response: requests.Response, what: str) -> None:
    expect(response.status_code == 401, f"{what} answered {response.status_code}, not a 401 "
           "User-Interactive Authentication challenge", 401, response.status_code)
    body = mx.json_body(response, what)
    flows = body.get("flows") if isinstance(body, dict) else None
    expect(isinstance(flows, list) and bool(flows) and isinstance(body.get("session"), str),
           f"{what}: the 401 is not a UIA challenge (flows and session)", "flows, session", body)


@pytest.mark.requirement("matrix.cross-signing.first-upload")
def test_first_upload(fresh_user: mx.User, require_version: Callable[[int, int], None]
                      ) -> None:
    require_version(1, 11)
    keys = e2ee.cross_signing(fresh_user)
    response = upload_cross_signing(fresh_user, keys.uploaded, "first upload")
    # v1.11: no UIA when the user has no master key yet.
    expect(response.status_code == 200, "the first cross-signing keys were refused without "
           f"UIA: {response.status_code} {response.text[:200]}", 200, response.status_code)


@pytest.mark.requirement("matrix.cross-signing.query")
def test_query_cross_signing(fresh_user: mx.User, alice: mx.User) -> None:
    keys = with_cross_signing(fresh_user)
    for part, uploaded in (("master_keys", keys.uploaded["master_key"]),
                           ("self_signing_keys", keys.uploaded["self_signing_key"])):
        got = queried(alice, fresh_user, part)
        expect(got == uploaded, f"/keys/query {part} is not the key as uploaded", uploaded, got)


@pytest.mark.requirement("matrix.cross-signing.own-user-signing")
def test_own_user_signing_key(fresh_user: mx.User) -> None:
    keys = with_cross_signing(fresh_user)
    got = queried(fresh_user, fresh_user, "user_signing_keys")
    expected = keys.uploaded["user_signing_key"]
    expect(got == expected, "the user's own query does not return the user-signing key as "
           "uploaded", expected, got)


@pytest.mark.requirement("matrix.cross-signing.user-signing-private")
def test_user_signing_key_private(fresh_user: mx.User, alice: mx.User) -> None:
    with_cross_signing(fresh_user)
    expect(queried(alice, fresh_user, "master_keys") is not None,
           "another user's query has no master key", "a master key", None)
    got = queried(alice, fresh_user, "user_signing_keys")
    expect(got is None, "another user's /keys/query shows the user's user-signing key", None, got)


@pytest.mark.requirement("matrix.cross-signing.idempotent")
def test_same_keys_again(fresh_user: mx.User, require_version: Callable[[int, int], None]
                         ) -> None:
    require_version(1, 11)
    keys = with_cross_signing(fresh_user)
    again = upload_cross_signing(fresh_user, keys.uploaded, "the same keys again")
    expect(again.status_code == 200, "uploading exactly the stored keys again needed UIA or "
           f"failed: {again.status_code} {again.text[:200]}", 200, again.status_code)


@pytest.mark.requirement("matrix.cross-signing.replace-needs-uia")
def test_replace_needs_uia(fresh_user: mx.User, alice: mx.User) -> None:
    old = with_cross_signing(fresh_user)
    new = e2ee.cross_signing(fresh_user)
    response = upload_cross_signing(fresh_user, new.uploaded, "new keys without auth")
    check_uia_challenge(response, "replacing the master key without auth")
    got = queried(alice, fresh_user, "master_keys")
    expect(got == old.master_key, "the master key changed without UIA", old.master_key, got)


@pytest.mark.requirement("matrix.cross-signing.replace-with-uia")
def test_replace_with_uia(fresh_user: mx.User, alice: mx.User) -> None:
    with_cross_signing(fresh_user)
    new = e2ee.cross_signing(fresh_user)
    challenge = upload_cross_signing(fresh_user, new.uploaded, "new keys without auth")
    check_uia_challenge(challenge, "replacing the master key without auth")
    session = mx.json_body(challenge, "challenge").get("session")
    mx.ok(upload_cross_signing(fresh_user, new.uploaded, "with auth",
                               e2ee.password_auth(fresh_user, session)),
          "POST /keys/device_signing/upload with m.login.password")
    got = queried(alice, fresh_user, "master_keys")
    expect(got == new.master_key, "after UIA, /keys/query does not serve the new master key",
           new.master_key, got)


@pytest.mark.requirement("matrix.cross-signing.invalid-signature")
def test_invalid_signature(fresh_user: mx.User) -> None:
    keys = e2ee.cross_signing(fresh_user)
    impostor = e2ee.cross_signer()
    body = dict(keys.uploaded, self_signing_key=e2ee.cross_signing_key(
        fresh_user, keys.self_signing, "self_signing", impostor))
    mx.error(upload_cross_signing(fresh_user, body, "bad signature"), 400,
             "M_INVALID_SIGNATURE", "a self-signing key not signed by the master key")


@pytest.mark.requirement("matrix.cross-signing.missing-master")
def test_missing_master(fresh_user: mx.User) -> None:
    keys = e2ee.cross_signing(fresh_user)
    body = {"self_signing_key": keys.uploaded["self_signing_key"]}
    mx.error(upload_cross_signing(fresh_user, body, "no master"), 400, "M_MISSING_PARAM",
             "a self-signing key while the user has no master key")


def device_with_keys(user: mx.User) -> dict[str, Any]:
    signer = e2ee.device_signer(user.device_id)
    keys = e2ee.device_keys(user, signer)
    e2ee.upload(user, "POST /keys/upload (device keys)", device_keys=keys)
    return keys


def upload_signatures(user: mx.User, signed: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return user.ok("POST", "keys/signatures/upload", "POST /keys/signatures/upload", body=signed)


@pytest.mark.requirement("matrix.cross-signing.device-signature")
def test_device_signature(fresh_user: mx.User, alice: mx.User) -> None:
    device = device_with_keys(fresh_user)
    keys = with_cross_signing(fresh_user)
    unsigned = {k: v for k, v in device.items() if k != "signatures"}
    signed = keys.self_signing.sign(unsigned, fresh_user.user_id)
    body = upload_signatures(fresh_user, {fresh_user.user_id: {fresh_user.device_id: signed}})
    expect(not body.get("failures"), "a valid self-signing signature was refused", {},
           body.get("failures"))
    got = e2ee.query(alice, {fresh_user.user_id: [fresh_user.device_id]}).get(
        "device_keys", {}).get(fresh_user.user_id, {}).get(fresh_user.device_id, {})
    # The device's own signature and the new one, nothing else.
    expected = {fresh_user.user_id: {**device["signatures"][fresh_user.user_id],
                                     **signed["signatures"][fresh_user.user_id]}}
    expect(isinstance(got, dict) and got.get("signatures") == expected,
           "/keys/query does not carry the device's self-signing signature", expected,
           got.get("signatures") if isinstance(got, dict) else got)


@pytest.mark.requirement("matrix.cross-signing.signature-failures")
def test_bad_signature_reported(fresh_user: mx.User, alice: mx.User) -> None:
    device = device_with_keys(fresh_user)
    keys = with_cross_signing(fresh_user)
    unsigned = {k: v for k, v in device.items() if k != "signatures"}
    # Signed with a key the server does not know under the self-signing key's id.
    forged = e2ee.Signer(e2ee.cross_signer().key)
    forged.key.version = keys.self_signing.key.version
    signed = forged.sign(unsigned, fresh_user.user_id)
    body = upload_signatures(fresh_user, {fresh_user.user_id: {fresh_user.device_id: signed}})
    failure = body.get("failures", {}).get(fresh_user.user_id, {}).get(fresh_user.device_id)
    expect(isinstance(failure, dict) and failure.get("errcode") == "M_INVALID_SIGNATURE",
           "an invalid signature is not reported as M_INVALID_SIGNATURE in 'failures'",
           "M_INVALID_SIGNATURE", body.get("failures"))
    got = e2ee.query(alice, {fresh_user.user_id: [fresh_user.device_id]}).get(
        "device_keys", {}).get(fresh_user.user_id, {}).get(fresh_user.device_id, {})
    expect(isinstance(got, dict) and got.get("signatures") == device["signatures"],
           "the invalid signature was stored", device["signatures"],
           got.get("signatures") if isinstance(got, dict) else got)


@pytest.mark.requirement("matrix.cross-signing.user-signature")
def test_user_signature(fresh_user: mx.User, bob: mx.User) -> None:
    signer = with_cross_signing(fresh_user)
    target = with_cross_signing_of(bob)
    unsigned = {k: v for k, v in target.items() if k != "signatures"}
    signed = signer.user_signing.sign(unsigned, fresh_user.user_id)
    body = upload_signatures(fresh_user, {bob.user_id: {
        target["keys"][next(iter(target["keys"]))]: signed}})
    expect(not body.get("failures"), "a valid user-signing signature was refused", {},
           body.get("failures"))
    got = queried(fresh_user, bob, "master_keys")
    mine = got.get("signatures", {}).get(fresh_user.user_id) if isinstance(got, dict) else None
    expected = signed["signatures"][fresh_user.user_id]
    expect(mine == expected, "the signer's /keys/query does not show its signature of the "
           "other user's master key", expected, mine)


def with_cross_signing_of(user: mx.User) -> dict[str, Any]:
    """The user's master key, uploading one first if the user has none."""
    current = queried(user, user, "master_keys")
    if isinstance(current, dict):
        return current
    return with_cross_signing(user).master_key
