"""Signed Server-Server requests from the harness homeserver to the candidate, through the
recording session (so each exchange is evidence), and the candidate's own server keys."""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import urlencode

import requests
import signedjson.key
from signedjson.types import VerifyKey

from conformance.api import RecordingSession, expect
from suites.matrix.federation.identity import ServerIdentity

FEDERATION = "_matrix/federation"


class FederationClient:
    def __init__(self, session: RecordingSession, identity: ServerIdentity,
                 destination: str) -> None:
        self.session = session
        self.identity = identity
        self.destination = destination
        self._keys: dict[str, VerifyKey] | None = None
        self._lock = threading.Lock()

    def request(self, method: str, path: str, body: Any = None,
                params: list[tuple[str, str]] | dict[str, str] | None = None,
                sign: bool = True, origin: str | None = None, destination: str | None = None,
                key_id: str | None = None, signed_body: Any = None) -> requests.Response:
        """``path`` from the server root (``/_matrix/...``). ``signed_body``: sign other
        content than what is sent (a forged signature); ``origin``/``key_id``: claim another
        origin or key in the header than the one that signed."""
        query = ("?" + urlencode(params, doseq=True)) if params else ""
        uri = path + query
        headers = {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if sign:
            headers["Authorization"] = self.identity.authorization(
                method, uri, destination or self.destination,
                body if signed_body is None else signed_body, origin, key_id)
        data = json.dumps(body).encode() if body is not None else None
        return self.session.request(method, uri.lstrip("/"), data=data, headers=headers)

    def candidate_keys(self) -> dict[str, VerifyKey]:
        """The candidate's current verify keys, from its own key document (unauthenticated)."""
        with self._lock:
            if self._keys is None:
                response = self.session.request("GET", "_matrix/key/v2/server")
                expect(response.status_code == 200,
                       f"GET /_matrix/key/v2/server answered {response.status_code}",
                       200, response.status_code)
                document = response.json()
                keys = {}
                for key_id, value in document.get("verify_keys", {}).items():
                    algorithm, version = key_id.split(":", 1)
                    keys[key_id] = signedjson.key.decode_verify_key_base64(
                        algorithm, version, value["key"])
                self._keys = keys
            return self._keys
