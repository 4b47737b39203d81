"""Fault injection: a reverse proxy in front of a real candidate that breaks one rule.

A suite's fault catalogue lists ``Fault`` values, each naming the requirement(s) it must make
fail. The harness's own tests (and ``conformance faults run``) put the proxy in front of a
reference candidate and prove every fault is caught. Only the proxy is fake; the peer is real.
"""

from __future__ import annotations

import http.cookiejar
import http.server
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from conformance.jsonfile import loads_bounded

# Hop-by-hop headers (RFC 9110 §7.6.1) and ones requests recomputes are not forwarded.
_NOT_FORWARDED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "content-length",
        "host",
        "accept-encoding",
        "content-encoding",
    }
)


class _JsonBody:
    """Reading a proxied body as JSON; what the candidate sent may be hostile, so nesting is
    bounded and anything unreadable is simply not JSON."""

    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON, or None when it is not JSON (or empty, or ``null``)."""
        try:
            return loads_bounded(self.body)
        except ValueError:  # UnicodeDecodeError and too deep nesting included
            return None

    def json_object(self) -> dict[str, Any] | None:
        """The body when it is a JSON object, else None (other JSON values included)."""
        value = self.json()
        return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class ProxyRequest(_JsonBody):
    method: str
    path: str  # path and query, as the client sent it
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def without_header(self, name: str) -> ProxyRequest:
        return replace(
            self, headers={k: v for k, v in self.headers.items() if k.lower() != name.lower()}
        )

    def with_body(self, body: bytes) -> ProxyRequest:
        return replace(self, body=body)

    @property
    def path_only(self) -> str:
        """The path without the query: everything before the first ``?``."""
        return self.path.split("?")[0]

    @property
    def query(self) -> dict[str, str]:
        """The query parameters (blank values kept; a repeated name keeps its last value)."""
        return dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))

    def with_path(self, path: str) -> ProxyRequest:
        return replace(self, path=path)

    def with_header(self, name: str, value: str) -> ProxyRequest:
        """``name`` set to ``value``, replacing any header of that name in any case."""
        return replace(self, headers={**self.without_header(name).headers, name: value})

    def with_json(self, value: Any) -> ProxyRequest:
        """The body replaced by ``value`` serialised as JSON (``json.dumps`` defaults).

        Headers stay as they are: the proxy never forwards Content-Length (the upstream request
        gets the new length) and the Content-Type is left to the caller.
        """
        return self.with_body(json.dumps(value).encode())


@dataclass(frozen=True)
class ProxyResponse(_JsonBody):
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def without_header(self, name: str) -> ProxyResponse:
        return replace(self, headers=[(k, v) for k, v in self.headers if k.lower() != name.lower()])

    def with_header(self, name: str, value: str) -> ProxyResponse:
        return replace(self, headers=[*self.without_header(name).headers, (name, value)])

    def with_status(self, status: int) -> ProxyResponse:
        return replace(self, status=status)

    def with_body(self, body: bytes) -> ProxyResponse:
        return replace(self, body=body)

    @classmethod
    def from_json(cls, status: int, value: Any,
                  content_type: str = "application/json") -> ProxyResponse:
        """A response of its own (not the candidate's): ``value`` as JSON, one Content-Type."""
        return cls(status, [("Content-Type", content_type)], json.dumps(value).encode())

    def with_json(self, value: Any) -> ProxyResponse:
        """The body replaced by ``value`` serialised as JSON (``json.dumps`` defaults).

        Headers stay as they are: the proxy sends the Content-Length of the body it actually
        writes, and the candidate's Content-Type is kept.
        """
        return self.with_body(json.dumps(value).encode())


RequestHook = Callable[[ProxyRequest], "ProxyRequest | ProxyResponse"]
ResponseHook = Callable[[ProxyRequest, ProxyResponse], ProxyResponse]


def _unchanged_request(request: ProxyRequest) -> ProxyRequest:
    return request


def _unchanged_response(request: ProxyRequest, response: ProxyResponse) -> ProxyResponse:
    return response


@dataclass(frozen=True)
class Exemption:
    """Why a MUST or SHOULD requirement has no fault proving its check can fail.

    ``proven_by`` names a bundled reference candidate whose real failure of the requirement
    (a known deviation in its manifest) shows the check can fail; without one, ``reason``
    must say why neither a fault nor a real product can show it yet.
    """

    reason: str
    proven_by: str | None = None


@dataclass(frozen=True)
class Fault:
    """One injected deviation and the requirements a correct suite must then fail."""

    name: str
    description: str
    breaks: tuple[str, ...]
    # Rewrite the client's request before it reaches the candidate, or answer it directly.
    on_request: RequestHook = field(default=_unchanged_request)
    # Rewrite the candidate's response before the client sees it.
    on_response: ResponseHook = field(default=_unchanged_response)
    # For rules no proxy can break: the name of a deliberately misconfigured variant of the
    # candidate, started instead of it (see conformance.suite.fault_runner.variant_manifest_path).
    variant: str | None = None
    # A fault on the way back: requests the candidate itself makes to servers the suite runs
    # (federation deliveries, callbacks). The suite puts a proxy with this fault in front of
    # its own server when the fault is active (see ``active_fault``).
    inbound: Fault | None = None
    # The reference candidate the fault is proven against, when it is not the suite's usual
    # one (a rule the usual one breaks itself is proven in front of a product that keeps it).
    proven_against: str | None = None

    @property
    def injected_by_harness(self) -> bool:
        """True when the fault runner can inject it: a proxy hook, a variant or an inbound fault.

        Faults that are none of these (a corrupted document, say) are applied by their suite's
        own tests and commands instead.
        """
        return (
            self.on_request is not _unchanged_request
            or self.on_response is not _unchanged_response
            or self.variant is not None
            or self.inbound is not None
        )


# Set by the fault runner for the checks' process: the name of the fault being injected.
ACTIVE_FAULT_ENV = "CONFORMANCE_ACTIVE_FAULT"


def active_fault(catalogue: list[Fault]) -> Fault | None:
    """The fault of ``catalogue`` the fault runner is injecting now, if any."""
    name = os.environ.get(ACTIVE_FAULT_ENV)
    return next((fault for fault in catalogue if fault.name == name), None)


NO_FAULT = Fault(name="none", description="a transparent proxy", breaks=())


class FaultProxy:
    """A threaded HTTP proxy on a free loopback port forwarding to ``upstream``."""

    def __init__(self, upstream: str, fault: Fault = NO_FAULT, port: int = 0) -> None:
        self.upstream = upstream.rstrip("/")
        self.fault = fault
        self.upstream_session = requests.Session()
        self.upstream_session.trust_env = False
        # The proxy passes cookies through but never keeps them: a shared jar would make every
        # client of the proxy one user agent (one login session for all).
        self.upstream_session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(
            allowed_domains=[]))
        handler = self._handler_class()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        # A short poll interval makes stop() quick; one proxy starts and stops per fault.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.upstream_session.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def forward(self, request: ProxyRequest) -> ProxyResponse:
        changed = self.fault.on_request(request)
        if isinstance(changed, ProxyResponse):
            return changed
        headers = {k: v for k, v in changed.headers.items() if k.lower() not in _NOT_FORWARDED}
        upstream_host = urlsplit(self.upstream).netloc
        headers["Host"] = upstream_host
        answer = self.upstream_session.request(
            changed.method,
            self.upstream + changed.path,
            headers=headers,
            data=changed.body or None,
            allow_redirects=False,
            timeout=30,
            stream=False,
        )
        response_headers = [
            (k, v) for k, v in answer.raw.headers.items() if k.lower() not in _NOT_FORWARDED
        ]
        response = ProxyResponse(answer.status_code, response_headers, answer.content)
        return self.fault.on_response(changed, response)

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def handle_one_request(self) -> None:
                self.raw_requestline = self.rfile.readline(65537)
                if not self.raw_requestline:
                    self.close_connection = True
                    return
                if not self.parse_request():
                    return
                self._proxy()
                self.wfile.flush()

            def _proxy(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = ProxyRequest(self.command, self.path, dict(self.headers.items()), body)
                try:
                    response = proxy.forward(request)
                except requests.RequestException as error:
                    response = ProxyResponse(
                        502,
                        [("Content-Type", "text/plain")],
                        f"fault proxy: upstream failed: {error}".encode(),
                    )
                self.send_response_only(response.status)
                for name, value in response.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: the harness records exchanges itself."""

        return Handler
