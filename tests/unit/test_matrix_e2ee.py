"""The end-to-end encryption checks sign with real Ed25519 keys: what they upload verifies
under the public keys they upload with it (suites/matrix/e2ee.py)."""

from __future__ import annotations

import base64

from signedjson.key import decode_verify_key_bytes
from signedjson.sign import SignatureVerifyException, verify_signed_json
from signedjson.types import VerifyKey

from suites.matrix import e2ee, mx


def user() -> mx.User:
    return mx.User(None, "@alice:eos.test", "pw", "token", "DEVICEID")  # type: ignore[arg-type]


def verify_key(public: str, key_id: str) -> VerifyKey:
    return decode_verify_key_bytes(key_id, base64.b64decode(public + "=" * (-len(public) % 4)))


def test_device_keys_are_signed_by_the_device_key() -> None:
    alice = user()
    signer = e2ee.device_signer(alice.device_id)
    keys = e2ee.device_keys(alice, signer)
    assert keys["keys"]["ed25519:DEVICEID"] == signer.public
    verify_signed_json(keys, alice.user_id, verify_key(signer.public, "ed25519:DEVICEID"))
    for key in e2ee.one_time_keys(alice, signer, 2, fallback=True).values():
        assert key["fallback"] is True
        verify_signed_json(key, alice.user_id, verify_key(signer.public, "ed25519:DEVICEID"))


def test_cross_signing_keys_are_signed_by_the_master_key() -> None:
    alice = user()
    keys = e2ee.cross_signing(alice)
    master = keys.master
    assert keys.master_key["keys"] == {f"ed25519:{master.public}": master.public}
    for part in ("self_signing_key", "user_signing_key"):
        verify_signed_json(keys.uploaded[part], alice.user_id,
                           verify_key(master.public, master.key_id))


def test_a_signature_by_another_key_does_not_verify() -> None:
    alice = user()
    keys = e2ee.cross_signing(alice)
    forged = e2ee.cross_signing_key(alice, keys.self_signing, "self_signing", e2ee.cross_signer())
    forged["signatures"] = {alice.user_id: {
        keys.master.key_id: next(iter(forged["signatures"][alice.user_id].values()))}}
    try:
        verify_signed_json(forged, alice.user_id, verify_key(keys.master.public,
                                                             keys.master.key_id))
    except SignatureVerifyException:
        return
    raise AssertionError("a signature by another key verified")
