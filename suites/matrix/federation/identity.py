"""The harness homeserver's identity: a server name, a fresh Ed25519 signing key per run, its
key document (SS API v1.15 §get_matrixkeyv2server) and X-Matrix request signatures
(§request-authentication). The private key stays in memory; it is never written anywhere."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import signedjson.key
import signedjson.sign
from canonicaljson import encode_canonical_json
from signedjson.types import SigningKey, VerifyKey

KEY_LIFETIME_MS = 24 * 3600 * 1000
_PARAM = re.compile(r'\s*([a-z]+)=("(?:[^"\\]|\\.)*"|[^,]*)\s*(?:,|$)')


@dataclass
class ServerIdentity:
    server_name: str
    signing_key: SigningKey

    @classmethod
    def fresh(cls, server_name: str) -> ServerIdentity:
        return cls(server_name, signedjson.key.generate_signing_key("eos" + _suffix()))

    @property
    def key_id(self) -> str:
        return f"{self.signing_key.alg}:{self.signing_key.version}"

    @property
    def verify_key(self) -> VerifyKey:
        return signedjson.key.get_verify_key(self.signing_key)

    def sign(self, value: dict[str, Any]) -> dict[str, Any]:
        """``value`` with this server's signature added (its ``signatures`` and ``unsigned``
        are left out of what is signed, as the spec's signing algorithm says)."""
        return signedjson.sign.sign_json(value, self.server_name, self.signing_key)

    def key_document(self, valid_for_ms: int = KEY_LIFETIME_MS) -> dict[str, Any]:
        return self.sign({
            "server_name": self.server_name,
            "verify_keys": {self.key_id: {
                "key": signedjson.key.encode_verify_key_base64(self.verify_key)}},
            "old_verify_keys": {},
            "valid_until_ts": int(time.time() * 1000) + valid_for_ms,
        })

    def authorization(self, method: str, uri: str, destination: str,
                      content: Any = None, origin: str | None = None,
                      key_id: str | None = None) -> str:
        """The X-Matrix Authorization header for a request (``uri``: path and query)."""
        request: dict[str, Any] = {"method": method, "uri": uri,
                                   "origin": origin or self.server_name,
                                   "destination": destination}
        if content is not None:
            request["content"] = content
        signed = signedjson.sign.sign_json(request, self.server_name, self.signing_key)
        signature = signed["signatures"][self.server_name][self.key_id]
        return (f'X-Matrix origin="{origin or self.server_name}",'
                f'destination="{destination}",key="{key_id or self.key_id}",sig="{signature}"')


def _suffix() -> str:
    return hex(int(time.time() * 1000))[-6:]


def parse_authorization(header: str | None) -> dict[str, str] | None:
    """The parameters of an X-Matrix Authorization header, or None when it is not one."""
    if not header or not header.startswith("X-Matrix "):
        return None
    params = {}
    for name, value in _PARAM.findall(header[len("X-Matrix "):]):
        params[name] = value[1:-1].replace('\\"', '"') if value.startswith('"') else value
    return params


def verify_request(header: str | None, method: str, uri: str, destination: str,
                   content: Any, keys: dict[str, VerifyKey]) -> str | None:
    """Why an inbound request's X-Matrix signature is not valid, or None when it is."""
    params = parse_authorization(header)
    if params is None:
        return "no X-Matrix Authorization header"
    origin, key_id = params.get("origin"), params.get("key")
    if not origin or not key_id or "sig" not in params:
        return f"X-Matrix lacks origin, key or sig: {params}"
    if params.get("destination", destination) != destination:
        return f"X-Matrix destination {params.get('destination')!r} is not {destination!r}"
    if key_id not in keys:
        return f"unknown key {key_id}"
    request: dict[str, Any] = {"method": method, "uri": uri, "origin": origin,
                               "destination": destination,
                               "signatures": {origin: {key_id: params["sig"]}}}
    if content is not None:
        request["content"] = content
    try:
        signedjson.sign.verify_signed_json(request, origin, keys[key_id])
    except signedjson.sign.SignatureVerifyException as error:
        return f"the signature does not verify: {error}"
    return None


def canonical(value: Any) -> bytes:
    return bytes(encode_canonical_json(value))
