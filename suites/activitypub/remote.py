"""The remote server the harness plays: actors with key pairs, WebFinger, objects, and inboxes
that record what the candidate delivers.

It runs on loopback in a thread. Key pairs are made per run and live only in memory; nothing
here writes a private key anywhere. Deliveries are recorded raw (method, path, headers, body)
and verified later by the checks, so the key fetches that verification needs are evidence of
the check that looks at them.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
AP_MEDIA_TYPE = "application/activity+json"


@dataclass(frozen=True)
class Delivery:
    """One request the candidate made to a harness inbox."""

    received: float
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == name.lower()), None)

    def json(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.body)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None


@dataclass
class LocalActor:
    name: str
    origin: str
    key: rsa.RSAPrivateKey = field(repr=False)

    @property
    def id(self) -> str:
        return f"{self.origin}actors/{self.name}"

    @property
    def key_id(self) -> str:
        return f"{self.id}#main-key"

    @property
    def inbox(self) -> str:
        return f"{self.id}/inbox"

    @property
    def acct(self) -> str:
        return f"acct:{self.name}@{urlsplit(self.origin).netloc}"

    def public_pem(self) -> str:
        return self.key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    def document(self) -> dict[str, Any]:
        return {
            "@context": [AS_CONTEXT, SECURITY_CONTEXT],
            "id": self.id,
            "type": "Person",
            "preferredUsername": self.name,
            "name": f"EOS conformance {self.name}",
            "inbox": self.inbox,
            "outbox": f"{self.id}/outbox",
            "followers": f"{self.id}/followers",
            "following": f"{self.id}/following",
            "publicKey": {"id": self.key_id, "owner": self.id, "publicKeyPem": self.public_pem()},
        }


def _collection(url: str) -> dict[str, Any]:
    return {"@context": AS_CONTEXT, "id": url, "type": "OrderedCollection", "totalItems": 0,
            "orderedItems": []}


class RemoteServer:
    """A threaded HTTP server on a free loopback port playing the remote Fediverse server."""

    def __init__(self, actor_names: tuple[str, ...] = ("eos-alice", "eos-mallory")) -> None:
        self.deliveries: list[Delivery] = []
        self.fetches: list[Delivery] = []
        self.objects: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        # The origin actors are published under; a fault proxy may stand in front of us.
        self.origin = self.local_url
        self.actors = {name: LocalActor(name, self.origin, _new_key()) for name in actor_names}

    @property
    def local_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def publish_at(self, origin: str) -> None:
        """Publish every id under ``origin`` (where a proxy in front of this server listens)."""
        self.origin = origin
        for actor in self.actors.values():
            actor.origin = origin

    def start(self) -> RemoteServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def new_object_id(self) -> str:
        return f"{self.origin}objects/{uuid.uuid4().hex}"

    def publish(self, document: dict[str, Any]) -> None:
        """Serve ``document`` at its id (the candidate may dereference what it receives)."""
        with self._lock:
            self.objects[urlsplit(str(document["id"])).path] = document

    def deliveries_since(self, mark: int) -> list[Delivery]:
        with self._lock:
            return list(self.deliveries[mark:])

    def mark(self) -> int:
        with self._lock:
            return len(self.deliveries)

    def wait_for(self, mark: int, accept: Callable[[Delivery], bool],
                 timeout: float) -> Delivery | None:
        """The first delivery after ``mark`` that ``accept`` likes, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for delivery in self.deliveries[mark:]:
                    if accept(delivery):
                        return delivery
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._arrived.wait(left)

    def _record(self, delivery: Delivery) -> None:
        with self._arrived:
            self.deliveries.append(delivery)
            self._arrived.notify_all()

    def _answer_get(self, path: str, query: str) -> tuple[int, str, dict[str, Any] | None]:
        if path == "/.well-known/webfinger":
            resource = parse_qs(query).get("resource", [""])[0]
            actor = next((a for a in self.actors.values() if resource in (a.acct, a.id)), None)
            if actor is None:
                return 404, "application/jrd+json", {"error": "unknown resource"}
            return 200, "application/jrd+json", {
                "subject": actor.acct, "aliases": [actor.id],
                "links": [{"rel": "self", "type": AP_MEDIA_TYPE, "href": actor.id}]}
        for actor in self.actors.values():
            actor_path = urlsplit(actor.id).path
            if path == actor_path:
                return 200, AP_MEDIA_TYPE, actor.document()
            if path in (f"{actor_path}/outbox", f"{actor_path}/followers",
                        f"{actor_path}/following"):
                return 200, AP_MEDIA_TYPE, _collection(self.origin.rstrip("/") + path)
        with self._lock:
            document = self.objects.get(path)
        if document is not None:
            return 200, AP_MEDIA_TYPE, document
        return 404, "application/json", {"error": "not found"}

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        remote = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, status: int, media_type: str, document: dict[str, Any] | None) -> None:
                body = json.dumps(document).encode() if document is not None else b""
                self.send_response(status)
                self.send_header("Content-Type", media_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def _request(self) -> Delivery:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                return Delivery(time.time(), self.command, self.path,
                                dict(self.headers.items()), body)

            def do_GET(self) -> None:
                request = self._request()
                with remote._lock:
                    remote.fetches.append(request)
                parts = urlsplit(self.path)
                self._send(*remote._answer_get(parts.path, parts.query))

            do_HEAD = do_GET

            def do_POST(self) -> None:
                request = self._request()
                inboxes = {urlsplit(a.inbox).path for a in remote.actors.values()}
                if urlsplit(self.path).path not in inboxes:
                    self._send(404, "application/json", {"error": "not an inbox"})
                    return
                remote._record(request)
                self._send(202, "application/json", {"status": "recorded"})

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: checks report what matters."""

        return Handler


def _new_key() -> rsa.RSAPrivateKey:
    # 2048 bits: what Fediverse servers expect of actor keys; made per run, kept in memory.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)
