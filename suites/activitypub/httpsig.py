"""HTTP message signatures and body digests, written from the specifications.

- draft-cavage-http-signatures-12 (what most of the Fediverse speaks): the signing string of
  §2.3, the ``Signature`` header parameters of §2.1, algorithms ``rsa-sha256`` and ``hs2019``
  (RSA PKCS#1 v1.5 with SHA-256, or Ed25519 for an Ed25519 key).
- RFC 9421 HTTP Message Signatures: the signature base of §2.5 for the derived components
  ``@method``, ``@authority``, ``@path``, ``@query``, ``@target-uri`` and plain header fields,
  ``Signature-Input`` / ``Signature`` as RFC 8941 dictionaries, algorithms ``rsa-v1_5-sha256``
  and ``ed25519`` (§3.3).
- Digests: ``Digest: SHA-256=…`` (RFC 3230 as ActivityPub servers use it) and
  ``Content-Digest: sha-256=:…:`` (RFC 9530 §2).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey


class SignatureProblem(Exception):
    """Why a signature or digest does not verify, in words for a report."""


# --- digests ---------------------------------------------------------------------------------

def digest_header(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def content_digest_header(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def check_body_digest(headers: Mapping[str, str], body: bytes) -> str:
    """Which digest header vouches for ``body``; raises when none does or one is wrong."""
    lowered = {k.lower(): v for k, v in headers.items()}
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
    if "content-digest" in lowered:
        found = re.search(r"sha-256=:([^:]*):", lowered["content-digest"])
        if found is None:
            raise SignatureProblem("Content-Digest carries no sha-256 value")
        if found.group(1) != expected:
            raise SignatureProblem("Content-Digest does not match the body")
        return "Content-Digest"
    if "digest" in lowered:
        values = dict(part.strip().split("=", 1) for part in lowered["digest"].split(",")
                      if "=" in part)
        value = next((v for k, v in values.items() if k.lower() == "sha-256"), None)
        if value is None:
            raise SignatureProblem("Digest carries no SHA-256 value")
        if value != expected:
            raise SignatureProblem("Digest does not match the body")
        return "Digest"
    raise SignatureProblem("no Digest or Content-Digest header")


# --- raw signatures --------------------------------------------------------------------------

def _sign_bytes(key: PrivateKey, data: bytes) -> bytes:
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(data)
    return key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def _verify_bytes(key: PublicKey, signature: bytes, data: bytes) -> None:
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureProblem("the signature does not verify with the key") from None


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip()
    raise SignatureProblem(f"signed header {name!r} is not in the request")


# --- draft-cavage-http-signatures-12 ---------------------------------------------------------

@dataclass(frozen=True)
class CavageSignature:
    key_id: str
    algorithm: str | None
    headers: tuple[str, ...]
    signature: bytes
    created: str | None = None
    expires: str | None = None


_PARAM = re.compile(r'\s*([a-zA-Z]+)\s*=\s*(?:"([^"]*)"|([0-9.]+))\s*(?:,|$)')


def parse_cavage(value: str) -> CavageSignature:
    """The parameters of a ``Signature`` header (§2.1); unknown parameters are ignored."""
    params: dict[str, str] = {}
    position = 0
    while position < len(value):
        match = _PARAM.match(value, position)
        if match is None:
            raise SignatureProblem(f"malformed Signature header near {value[position:][:30]!r}")
        params[match.group(1)] = match.group(2) if match.group(2) is not None else match.group(3)
        position = match.end()
    if "keyId" not in params or "signature" not in params:
        raise SignatureProblem("Signature header lacks keyId or signature")
    try:
        raw = base64.b64decode(params["signature"], validate=True)
    except ValueError:
        raise SignatureProblem("the signature parameter is not base64") from None
    names = tuple(params.get("headers", "date").lower().split())
    return CavageSignature(params["keyId"], params.get("algorithm"), names, raw,
                           params.get("created"), params.get("expires"))


def cavage_signing_string(method: str, target: str, headers: Mapping[str, str],
                          names: tuple[str, ...], created: str | None = None,
                          expires: str | None = None) -> str:
    """§2.3: one ``name: value`` line per covered header, in the order given."""
    lines = []
    for name in names:
        if name == "(request-target)":
            value = f"{method.lower()} {target}"
        elif name == "(created)":
            if created is None:
                raise SignatureProblem("(created) is covered but not given")
            value = created
        elif name == "(expires)":
            if expires is None:
                raise SignatureProblem("(expires) is covered but not given")
            value = expires
        else:
            value = _header(headers, name)
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


def cavage_sign(key: PrivateKey, key_id: str, method: str, target: str,
                headers: Mapping[str, str], names: tuple[str, ...]) -> str:
    """The value of a ``Signature`` header covering ``names``."""
    text = cavage_signing_string(method, target, headers, names)
    signature = base64.b64encode(_sign_bytes(key, text.encode())).decode()
    algorithm = "hs2019" if isinstance(key, ed25519.Ed25519PrivateKey) else "rsa-sha256"
    return (f'keyId="{key_id}",algorithm="{algorithm}",headers="{" ".join(names)}",'
            f'signature="{signature}"')


def cavage_verify(parsed: CavageSignature, key: PublicKey, method: str, target: str,
                  headers: Mapping[str, str]) -> None:
    text = cavage_signing_string(method, target, headers, parsed.headers,
                                 parsed.created, parsed.expires)
    _verify_bytes(key, parsed.signature, text.encode())


# --- RFC 9421 HTTP Message Signatures --------------------------------------------------------

@dataclass(frozen=True)
class Rfc9421Signature:
    label: str
    components: tuple[str, ...]
    params: str  # the serialised parameters after the inner list, e.g. ';created=1;keyid="k"'
    key_id: str | None
    signature: bytes


_INNER = re.compile(r'\s*([a-z*][a-z0-9_\-.*]*)\s*=\s*\(([^)]*)\)((?:;[^,]*)?)\s*(?:,|$)')
_BYTES = re.compile(r'\s*([a-z*][a-z0-9_\-.*]*)\s*=\s*:([A-Za-z0-9+/=]*):[^,]*(?:,|$)')


def parse_rfc9421(signature_input: str, signature: str) -> list[Rfc9421Signature]:
    """Every labelled signature present in both headers (RFC 9421 §4.1, §4.2)."""
    values = {m.group(1): base64.b64decode(m.group(2)) for m in _BYTES.finditer(signature)}
    found = []
    for match in _INNER.finditer(signature_input):
        label, inner, params = match.group(1), match.group(2), match.group(3).strip()
        components = tuple(re.findall(r'"([^"]*)"', inner))
        key_id = re.search(r';keyid="([^"]*)"', params)
        if label in values:
            found.append(Rfc9421Signature(label, components, params,
                                          key_id.group(1) if key_id else None, values[label]))
    if not found:
        raise SignatureProblem("Signature-Input and Signature name no common signature")
    return found


def _component_value(name: str, method: str, authority: str, path: str, query: str,
                     headers: Mapping[str, str], scheme: str) -> str:
    if name == "@method":
        return method.upper()
    if name == "@authority":
        return authority.lower()
    if name == "@path":
        return path or "/"
    if name == "@query":
        return "?" + query
    if name == "@target-uri":
        # §2.2.2: the full target URI, as the sender addressed it.
        return f"{scheme}://{authority}{path or '/'}" + (f"?{query}" if query else "")
    if name.startswith("@"):
        raise SignatureProblem(f"unsupported derived component {name}")
    return _header(headers, name)


def rfc9421_signature_base(components: tuple[str, ...], params: str, method: str,
                           authority: str, path: str, query: str,
                           headers: Mapping[str, str], scheme: str = "https") -> str:
    """§2.5: one line per covered component, then ``"@signature-params"``."""
    inner = " ".join(f'"{c}"' for c in components)
    lines = [f'"{c}": {_component_value(c, method, authority, path, query, headers, scheme)}'
             for c in components]
    lines.append(f'"@signature-params": ({inner}){params}')
    return "\n".join(lines)


def rfc9421_sign(key: PrivateKey, key_id: str, label: str, components: tuple[str, ...],
                 created: int, method: str, authority: str, path: str, query: str,
                 headers: Mapping[str, str], alg: str | None = None) -> tuple[str, str]:
    """The ``Signature-Input`` and ``Signature`` header values."""
    params = f";created={created};keyid=\"{key_id}\""
    if alg:
        params += f';alg="{alg}"'
    base = rfc9421_signature_base(components, params, method, authority, path, query, headers)
    value = base64.b64encode(_sign_bytes(key, base.encode())).decode()
    inner = " ".join(f'"{c}"' for c in components)
    return f"{label}=({inner}){params}", f"{label}=:{value}:"


def rfc9421_verify(parsed: Rfc9421Signature, key: PublicKey, method: str, authority: str,
                   path: str, query: str, headers: Mapping[str, str],
                   scheme: str = "https") -> None:
    base = rfc9421_signature_base(parsed.components, parsed.params, method, authority, path,
                                  query, headers, scheme)
    _verify_bytes(key, parsed.signature, base.encode())
