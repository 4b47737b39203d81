"""JOSE the relying party produces or recomputes: client assertions (Core §9), request objects
(Core §6.1) and the left-half hashes at_hash and c_hash (Core §3.2.2.9, §3.3.2.11)."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import OctKey, RSAKey

HASHES = {"256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def half_hash(value: str, alg: str) -> str | None:
    """base64url of the left half of the hash of ``value``, the hash of the JWS ``alg``
    (RS256 → SHA-256, …); None for an algorithm without one (EdDSA, none)."""
    digest = HASHES.get(alg[-3:])
    if digest is None:
        return None
    raw = digest(value.encode("ascii")).digest()
    return base64.urlsafe_b64encode(raw[: len(raw) // 2]).rstrip(b"=").decode()


def client_assertion(client_id: str, audience: str, *, secret: str | None = None,
                     private_jwk: dict[str, Any] | None = None) -> str:
    """A client authentication JWT: HS256 with the client secret (client_secret_jwt) or
    RS256 with the client's private key (private_key_jwt)."""
    now = int(time.time())
    claims = {"iss": client_id, "sub": client_id, "aud": audience,
              "jti": secrets.token_urlsafe(16), "iat": now, "exp": now + 60}
    if private_jwk is not None:
        key = RSAKey.import_key(private_jwk)
        return jwt.encode({"alg": "RS256", "kid": private_jwk.get("kid")}, claims, key)
    assert secret is not None
    return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret.encode()))


def request_object(claims: dict[str, Any], secret: str | None) -> str:
    """A request object: signed with HS256 and the client secret, or unsigned (alg none,
    Core §6.1) without one."""
    if secret is not None:
        return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(secret.encode()))
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{body}."


def new_rsa_key() -> tuple[dict[str, Any], dict[str, Any]]:
    """A fresh RSA key for a client registered by a check: (private JWK, public JWK)."""
    key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(4), "use": "sig",
                                                "alg": "RS256"})
    return key.as_dict(private=True), key.as_dict(private=False)
