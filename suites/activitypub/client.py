"""How the harness talks to the candidate as a remote server: signed fetches and deliveries.

Every request goes through the check's ``RecordingSession`` (so it is evidence). URLs the
candidate publishes live under its public ``origin``; they are re-rooted onto the endpoint the
harness reaches it at (the same, or a fault proxy in front of it), and the ``Host`` header
keeps naming the origin, since signatures cover it.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from conformance.api import RecordingSession
from suites.activitypub import httpsig
from suites.activitypub.remote import AP_MEDIA_TYPE, LocalActor

LD_MEDIA_TYPE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
SIGNED_GET_HEADERS = ("(request-target)", "host", "date")
SIGNED_POST_HEADERS = ("(request-target)", "host", "date", "digest", "content-type")


def webfinger_url(resource: str) -> str:
    """The WebFinger query for ``resource`` (RFC 7033 §4), relative to the origin."""
    return f".well-known/webfinger?resource={quote(resource, safe=':@')}"


def http_date() -> str:
    return email.utils.formatdate(usegmt=True)


class FederationClient:
    def __init__(self, session: RecordingSession, origin: str) -> None:
        self.session = session
        self.origin = origin if origin.endswith("/") else origin + "/"
        self.authority = urlsplit(self.origin).netloc

    def route(self, url: str) -> str:
        """The URL to request for a candidate URL (re-rooted onto the reached endpoint)."""
        if url.startswith(self.origin):
            return self.session.base_url + url[len(self.origin):]
        return url

    def target(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def get(self, url: str, signer: LocalActor | None = None, accept: str = AP_MEDIA_TYPE,
            extra: Mapping[str, str] | None = None) -> requests.Response:
        headers = {"Accept": accept, "Host": self.authority, "Date": http_date(), **(extra or {})}
        if signer is not None:
            headers["Signature"] = httpsig.cavage_sign(
                signer.key, signer.key_id, "GET", self.target(url), headers, SIGNED_GET_HEADERS)
        return self.session.get(self.route(url), headers=headers)

    def get_json(self, url: str, signer: LocalActor | None) -> tuple[requests.Response,
                                                                     dict[str, Any] | None]:
        response = self.get(url, signer)
        try:
            document = response.json()
        except ValueError:
            document = None
        return response, document if isinstance(document, dict) else None

    def post(self, url: str, activity: Mapping[str, Any] | bytes, signer: LocalActor | None,
             *, key_id: str | None = None, content_type: str = AP_MEDIA_TYPE,
             scheme: str = "cavage", body_after_signing: bytes | None = None,
             extra: Mapping[str, str] | None = None,
             signed_headers: tuple[str, ...] = SIGNED_POST_HEADERS) -> requests.Response:
        """POST ``activity``; signed by ``signer`` unless None. ``body_after_signing`` swaps the
        body once signed (a digest mismatch); ``key_id`` claims another key."""
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        headers: dict[str, str] = {"Host": self.authority, "Date": http_date(),
                                   "Content-Type": content_type, "Accept": AP_MEDIA_TYPE,
                                   "Digest": httpsig.digest_header(body), **(extra or {})}
        if signer is not None:
            if scheme == "rfc9421":
                headers["Content-Digest"] = httpsig.content_digest_header(body)
                parts = urlsplit(url)
                headers["Signature-Input"], headers["Signature"] = httpsig.rfc9421_sign(
                    signer.key, key_id or signer.key_id, "sig1",
                    ("@method", "@authority", "@path", "content-digest", "date"),
                    int(time.time()), "POST", self.authority, parts.path, parts.query, headers,
                    alg="rsa-v1_5-sha256")
            else:
                headers["Signature"] = httpsig.cavage_sign(
                    signer.key, key_id or signer.key_id, "POST", self.target(url), headers,
                    signed_headers)
        data = body if body_after_signing is None else body_after_signing
        return self.session.request("POST", self.route(url), data=data, headers=headers)
