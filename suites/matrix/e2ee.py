"""Key material for the end-to-end encryption checks: real Ed25519 keys, and JSON signed the
way the spec's signing algorithm says (canonical JSON, unpadded base64; Appendices
§signing-json), through signedjson. The keys live only in the checks' memory; only public
keys and signatures reach the server or the report.
"""

from __future__ import annotations

import base64
import copy
import os
from dataclasses import dataclass
from typing import Any

import requests
from signedjson.key import encode_verify_key_base64, generate_signing_key
from signedjson.sign import sign_json

from suites.matrix import mx

ALGORITHMS = ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"]
OTK = "signed_curve25519"


def random_key() -> str:
    """A 32-byte public key, unpadded base64 (a Curve25519 key as the server sees it)."""
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


@dataclass
class Signer:
    """An Ed25519 key pair whose key id is ``ed25519:<version>``."""

    key: Any

    @property
    def public(self) -> str:
        return str(encode_verify_key_base64(self.key.verify_key))

    @property
    def key_id(self) -> str:
        return f"ed25519:{self.key.version}"

    def sign(self, value: dict[str, Any], user_id: str) -> dict[str, Any]:
        signed: dict[str, Any] = sign_json(copy.deepcopy(value), user_id, self.key)
        return signed


def device_signer(device_id: str) -> Signer:
    return Signer(generate_signing_key(device_id))


def cross_signer() -> Signer:
    # Cross-signing key ids are the public key itself (§cross-signing).
    key = generate_signing_key("pending")
    key.version = encode_verify_key_base64(key.verify_key)  # type: ignore[arg-type]
    return Signer(key)


def device_keys(user: mx.User, signer: Signer, device_id: str | None = None) -> dict[str, Any]:
    device = device_id or user.device_id
    unsigned = {"user_id": user.user_id, "device_id": device, "algorithms": ALGORITHMS,
                "keys": {f"curve25519:{device}": random_key(), f"ed25519:{device}": signer.public}}
    return signer.sign(unsigned, user.user_id)


def one_time_keys(user: mx.User, signer: Signer, count: int, fallback: bool = False,
                  algorithm: str = OTK) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    for _ in range(count):
        body: dict[str, Any] = {"key": random_key()}
        if fallback:
            body["fallback"] = True
        keys[f"{algorithm}:{mx.unique('K')}"] = signer.sign(body, user.user_id)
    return keys


@dataclass
class CrossSigning:
    """A user's three cross-signing keys, the self- and user-signing ones signed by the master."""

    master: Signer
    self_signing: Signer
    user_signing: Signer
    uploaded: dict[str, dict[str, Any]]

    @property
    def master_key(self) -> dict[str, Any]:
        return self.uploaded["master_key"]


def cross_signing_key(user: mx.User, signer: Signer, usage: str,
                      by: Signer | None = None) -> dict[str, Any]:
    body = {"user_id": user.user_id, "usage": [usage], "keys": {signer.key_id: signer.public}}
    return by.sign(body, user.user_id) if by else body


def cross_signing(user: mx.User) -> CrossSigning:
    master, ssk, usk = cross_signer(), cross_signer(), cross_signer()
    uploaded = {
        "master_key": cross_signing_key(user, master, "master"),
        "self_signing_key": cross_signing_key(user, ssk, "self_signing", master),
        "user_signing_key": cross_signing_key(user, usk, "user_signing", master),
    }
    return CrossSigning(master, ssk, usk, uploaded)


def password_auth(user: mx.User, session: str | None) -> dict[str, Any]:
    return {"type": "m.login.password", "session": session,
            "identifier": {"type": "m.id.user", "user": user.user_id},
            "password": user.password}


def without_unsigned(value: Any) -> Any:
    """Device keys as the owner uploaded them: the server may add only ``unsigned``
    (§post_matrixclientv3keysquery)."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "unsigned"}
    return value


# --- requests ------------------------------------------------------------------------------

def upload(user: mx.User, what: str = "POST /keys/upload", **body: Any) -> dict[str, Any]:
    return user.ok("POST", "keys/upload", what, body=body)


def key_counts(user: mx.User, what: str = "POST /keys/upload (nothing new)") -> dict[str, Any]:
    """The device's unclaimed one-time key counts, from an upload of nothing."""
    counts = upload(user, what).get("one_time_key_counts")
    return dict(counts) if isinstance(counts, dict) else {"<not an object>": counts}


def nonzero(counts: Any) -> Any:
    """Counts without the zero entries ("if an algorithm is not listed, the count for that
    algorithm is to be assumed zero", §post_matrixclientv3keysupload)."""
    if not isinstance(counts, dict):
        return counts
    return {k: v for k, v in counts.items() if not (type(v) is int and v == 0)}


def claim(by: mx.User, owner: mx.User, what: str = "POST /keys/claim",
          device_id: str | None = None, algorithm: str = OTK) -> Any:
    """The key map /keys/claim gives for one device (None when the device is absent)."""
    device = device_id or owner.device_id
    body = by.ok("POST", "keys/claim", what,
                 body={"one_time_keys": {owner.user_id: {device: algorithm}}})
    keys = body.get("one_time_keys")
    users = keys.get(owner.user_id, {}) if isinstance(keys, dict) else {}
    return users.get(device) if isinstance(users, dict) else users


def query(by: mx.User, devices: dict[str, list[str]], what: str = "POST /keys/query"
          ) -> dict[str, Any]:
    return by.ok("POST", "keys/query", what, body={"device_keys": devices})


def encrypted_room(user: mx.User) -> str:
    return mx.create_room(user, preset="public_chat", initial_state=[{
        "type": "m.room.encryption", "state_key": "",
        "content": {"algorithm": "m.megolm.v1.aes-sha2"}}])


def upload_cross_signing(user: mx.User, keys: dict[str, Any], what: str,
                         auth: dict[str, Any] | None = None) -> requests.Response:
    body = dict(keys, auth=auth) if auth else keys
    return user.call("POST", "keys/device_signing/upload", body=body)


def with_cross_signing(user: mx.User) -> CrossSigning:
    """New cross-signing keys for a user who has none (no UIA needed, v1.11+)."""
    keys = cross_signing(user)
    mx.ok(upload_cross_signing(user, keys.uploaded, "first upload"),
          "POST /keys/device_signing/upload (first keys)")
    return keys
