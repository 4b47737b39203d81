"""Verifying what the candidate delivered to a harness inbox: signature, digest, key owner."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from conformance.api import current_evidence
from suites.activitypub import httpsig
from suites.activitypub.client import FederationClient
from suites.activitypub.remote import Delivery, LocalActor

CAVAGE = "draft-cavage-http-signatures-12"
RFC9421 = "RFC 9421"


@dataclass
class DeliveryCheck:
    scheme: str | None = None
    key_id: str | None = None
    key_owner: str | None = None
    digest: str | None = None
    covered: tuple[str, ...] = ()
    problems: list[str] = field(default_factory=list)

    @property
    def signature_ok(self) -> bool:
        return self.scheme is not None and not self.problems


def _public_key(pem: str) -> httpsig.PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise httpsig.SignatureProblem(f"unsupported key type {type(key).__name__}")
    return key


def fetch_key(fed: FederationClient, fetcher: LocalActor, key_id: str
              ) -> tuple[httpsig.PublicKey, str | None]:
    """The public key named ``key_id`` and its owner, from the document the id leads to."""
    response, document = fed.get_json(urldefrag(key_id)[0], fetcher)
    if document is None:
        raise httpsig.SignatureProblem(
            f"keyId {key_id} does not dereference (HTTP {response.status_code})")
    keys = document.get("publicKey", document)
    candidates: list[Any] = keys if isinstance(keys, list) else [keys]
    for entry in candidates:
        if isinstance(entry, dict) and entry.get("id") == key_id and entry.get("publicKeyPem"):
            owner = entry.get("owner")
            return _public_key(str(entry["publicKeyPem"])), str(owner) if owner else None
    raise httpsig.SignatureProblem(f"the document at {key_id} holds no key with that id")


def check_delivery(delivery: Delivery, fed: FederationClient, fetcher: LocalActor,
                   published_origin: str) -> DeliveryCheck:
    """Verifies a delivery as its receiver must; every problem is listed, none raised."""
    result = DeliveryCheck()
    # The signature covers the host the sender addressed (our published origin), whatever
    # Host a proxy in between may have rewritten.
    headers = {k: v for k, v in delivery.headers.items() if k.lower() != "host"}
    headers["host"] = urlsplit(published_origin).netloc
    try:
        result.digest = httpsig.check_body_digest(headers, delivery.body)
    except httpsig.SignatureProblem as problem:
        result.problems.append(str(problem))
    try:
        _verify_signature(delivery, headers, fed, fetcher, result,
                          urlsplit(published_origin).scheme)
    except httpsig.SignatureProblem as problem:
        result.problems.append(str(problem))
    log = current_evidence()
    if log is not None:
        log.note(f"delivery to {delivery.path}: scheme {result.scheme or 'none'}, keyId "
                 f"{result.key_id}, covers {' '.join(result.covered)}, digest {result.digest}, "
                 f"problems: {'; '.join(result.problems) or 'none'}")
    return result


def _verify_signature(delivery: Delivery, headers: dict[str, str], fed: FederationClient,
                      fetcher: LocalActor, result: DeliveryCheck, scheme: str) -> None:
    signature = delivery.header("Signature")
    if not signature:
        raise httpsig.SignatureProblem("the delivery carries no Signature header")
    signature_input = delivery.header("Signature-Input")
    parts = urlsplit(delivery.path)
    if signature_input:
        result.scheme = RFC9421
        parsed = httpsig.parse_rfc9421(signature_input, signature)[0]
        result.key_id, result.covered = parsed.key_id, parsed.components
        if not parsed.key_id:
            raise httpsig.SignatureProblem("the RFC 9421 signature names no keyid")
        key, result.key_owner = fetch_key(fed, fetcher, parsed.key_id)
        httpsig.rfc9421_verify(parsed, key, delivery.method, headers["host"], parts.path,
                               parts.query, headers, scheme)
        covered = set(parsed.components)
        if "content-digest" not in covered and "digest" not in covered:
            raise httpsig.SignatureProblem("the signature does not cover the body digest")
        return
    result.scheme = CAVAGE
    cavage = httpsig.parse_cavage(signature)
    result.key_id, result.covered = cavage.key_id, cavage.headers
    key, result.key_owner = fetch_key(fed, fetcher, cavage.key_id)
    httpsig.cavage_verify(cavage, key, delivery.method, delivery.path, headers)
    if "digest" not in cavage.headers and "content-digest" not in cavage.headers:
        raise httpsig.SignatureProblem("the signature does not cover the Digest header")
    if "(request-target)" not in cavage.headers:
        raise httpsig.SignatureProblem("the signature does not cover (request-target)")
