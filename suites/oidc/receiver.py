"""A relying party's back-channel logout endpoint for one check (Back-Channel Logout 1.0
§2.5): a loopback HTTP server on a free port that records each POSTed logout_token."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs


class LogoutReceiver:
    def __init__(self) -> None:
        self.posts: list[dict[str, str]] = []
        self.content_types: list[str] = []
        received = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                kind = self.headers.get("Content-Type", "")
                received.content_types.append(kind)
                try:  # read a JSON body too, so a wrong media type is judged by its own check
                    fields = json.loads(body) if "json" in kind else None
                except ValueError:
                    fields = None
                if not isinstance(fields, dict):
                    fields = {k: v[0] for k, v in parse_qs(body).items()}
                received.posts.append({str(k): str(v) for k, v in fields.items()})
                self.send_response(200)
                self.send_header("Cache-Control", "no-store")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/backchannel-logout"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LogoutReceiver:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait(self, timeout: float) -> dict[str, str] | None:
        """The first POST, waiting up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        while not self.posts and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.posts[0] if self.posts else None


class ObjectHost:
    """Serves one request object at a loopback URL for a request_uri (Core §6.2), and counts
    how often the provider fetched it."""

    def __init__(self, body: str) -> None:
        self.fetches = 0
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.fetches += 1
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/oauth-authz-req+jwt")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/request.jwt"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> ObjectHost:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()
