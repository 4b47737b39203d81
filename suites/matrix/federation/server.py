"""The harness homeserver's HTTPS listener, on 127.0.0.1 only, at a free port; its server
name is ``127.0.0.1:PORT``, so a candidate reaches it without .well-known or SRV look-ups
(SS API v1.15 §resolving-server-names, step 2: an IP literal with a port).

It serves its key document and version, answers what a homeserver must answer to the
candidate's deliveries (transactions, invites, profile and key queries for its users, the
events of the rooms it hosts) and records every inbound request for the checks. During fault
runs an inbound fault's hooks rewrite the candidate's requests before they are handled.
"""

from __future__ import annotations

import http.server
import re
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signedjson.types import VerifyKey

from conformance.api import Fault, ProxyRequest, ProxyResponse
from suites.matrix.federation.identity import ServerIdentity, verify_request
from suites.matrix.federation.tls import server_context

Handler = Callable[["Inbound"], tuple[int, Any]]
KeyLookup = Callable[[str], dict[str, VerifyKey]]


@dataclass
class Inbound:
    """One request the candidate made to the harness homeserver."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    received: float = field(default_factory=time.monotonic)
    # Why its X-Matrix signature is not valid (None: valid; not checked for key requests).
    auth_problem: str | None = None
    checked: bool = False


class HarnessHomeserver:
    """The fake remote homeserver. ``routes`` maps (method, regex) to handlers that return a
    status and a JSON body; checks add their own for the rooms they host."""

    def __init__(self, remote_keys: KeyLookup, fault: Fault | None = None) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="eos-harness-hs-")
        context = server_context(Path(self._dir.name))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = int(self.server.server_address[1])
        self.identity = ServerIdentity.fresh(f"127.0.0.1:{self.port}")
        self.remote_keys = remote_keys
        self.fault = fault
        self.inbound: list[Inbound] = []
        self.changed = threading.Condition()
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.route("GET", r"/_matrix/key/v2/server/?", lambda r: (
            200, self.identity.key_document()))
        self.route("GET", r"/_matrix/federation/v1/version", lambda r: (
            200, {"server": {"name": "eos-conformance harness", "version": "1"}}))
        self.route("PUT", r"/_matrix/federation/v1/send/[^/]+", self._transaction)

    @property
    def server_name(self) -> str:
        return self.identity.server_name

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        # Newest first: a check's own handler wins over a default one.
        self.routes.insert(0, (method, re.compile(pattern + "$"), handler))

    def start(self) -> HarnessHomeserver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._dir.cleanup()

    # --- what the candidate sent -------------------------------------------------------

    def wait_for(self, found: Callable[[Inbound], bool], seconds: float = 10.0,
                 since: int = 0) -> Inbound | None:
        """The first request from index ``since`` on for which ``found`` is true."""
        deadline = time.monotonic() + seconds
        with self.changed:
            while True:
                match = next((r for r in self.inbound[since:] if found(r)), None)
                left = deadline - time.monotonic()
                if match is not None or left <= 0:
                    return match
                self.changed.wait(left)

    def pdus(self, since: int = 0) -> list[dict[str, Any]]:
        """Every PDU the candidate's transactions delivered, from request ``since`` on."""
        with self.changed:
            requests = list(self.inbound[since:])
        return [pdu for r in requests if "/federation/v1/send/" in r.path and r.method == "PUT"
                for pdu in (r.body or {}).get("pdus", []) if isinstance(pdu, dict)]

    def wait_for_pdu(self, found: Callable[[dict[str, Any]], bool], seconds: float = 10.0,
                     since: int = 0) -> dict[str, Any] | None:
        def match(request: Inbound) -> bool:
            return "/federation/v1/send/" in request.path and any(
                isinstance(p, dict) and found(p) for p in (request.body or {}).get("pdus", []))

        hit = self.wait_for(match, seconds, since)
        if hit is None:
            return None
        return next(p for p in hit.body["pdus"] if isinstance(p, dict) and found(p))

    def edus(self, since: int = 0) -> list[dict[str, Any]]:
        with self.changed:
            requests = list(self.inbound[since:])
        return [edu for r in requests if "/federation/v1/send/" in r.path and r.method == "PUT"
                for edu in (r.body or {}).get("edus", []) if isinstance(edu, dict)]

    def wait_for_edu(self, found: Callable[[dict[str, Any]], bool], seconds: float = 10.0,
                     since: int = 0) -> dict[str, Any] | None:
        def match(request: Inbound) -> bool:
            return "/federation/v1/send/" in request.path and any(
                isinstance(e, dict) and found(e) for e in (request.body or {}).get("edus", []))

        hit = self.wait_for(match, seconds, since)
        if hit is None:
            return None
        return next(e for e in hit.body["edus"] if isinstance(e, dict) and found(e))

    def mark(self) -> int:
        with self.changed:
            return len(self.inbound)

    # --- handling ----------------------------------------------------------------------

    def _transaction(self, request: Inbound) -> tuple[int, Any]:
        pdus = (request.body or {}).get("pdus", [])
        return 200, {"pdus": {str(p.get("event_id", i)): {} for i, p in enumerate(pdus)
                              if isinstance(p, dict)}}

    def _authenticate(self, request: Inbound) -> None:
        if request.path.startswith("/_matrix/key/"):
            return
        request.checked = True
        params = request.headers.get("Authorization") or request.headers.get("authorization")
        origin = None
        if params and 'origin="' in params:
            origin = params.split('origin="', 1)[1].split('"', 1)[0]
        try:
            keys = self.remote_keys(origin) if origin else {}
        except Exception as error:  # a key fetch that failed is a reason, not a crash
            request.auth_problem = f"the origin's keys could not be fetched: {error}"
            return
        request.auth_problem = verify_request(params, request.method, request.path,
                                              self.server_name, request.body, keys)

    def handle(self, raw: ProxyRequest) -> ProxyResponse:
        fault = self.fault
        if fault is not None:
            changed = fault.on_request(raw)
            if isinstance(changed, ProxyResponse):
                return changed
            raw = changed
        body = raw.json() if raw.body else None
        request = Inbound(raw.method, raw.path, raw.headers, body)
        self._authenticate(request)
        with self.changed:
            self.inbound.append(request)
            self.changed.notify_all()
        path = raw.path_only
        for method, pattern, handler in self.routes:
            if method == raw.method and pattern.match(path):
                try:
                    status, answer = handler(request)
                except Exception as error:  # a handler bug answers 500, as a server would
                    status, answer = 500, {"errcode": "M_UNKNOWN", "error": str(error)}
                break
        else:
            status, answer = 404, {"errcode": "M_UNRECOGNIZED", "error": "not served here"}
        response = ProxyResponse.from_json(status, answer)
        return fault.on_response(raw, response) if fault is not None else response

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        homeserver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                response = homeserver.handle(
                    ProxyRequest(self.command, self.path, dict(self.headers.items()), body))
                self.send_response_only(response.status)
                for name, value in response.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body)

            do_GET = do_PUT = do_POST = _serve

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: inbound requests are recorded as data."""

        return Handler

