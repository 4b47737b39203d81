"""Builders shared by the harness's own tests: manifests, catalogues, journal entries and a
tiny loopback HTTP server (a test peer, never a candidate under assessment)."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.report.build import build_report
from conformance.report.events import events_from
from conformance.report.model import Report

ZERO_DIGEST = "sha256:" + "0" * 64

# A complete, valid manifest; tests derive broken ones from it by editing single lines.
VALID_MANIFEST = f"""\
id = "demo-server"
product = "Demo Server"
vendor = "Example Vendor"
version = "1.2.3"

[[artefacts]]
name = "demo"
digest = "{ZERO_DIGEST}"

[claims]
demo = ["core"]

[launch]
kind = "process"
command = ["{{python}}", "-m", "http.server", "{{port}}"]

[endpoints]
base = "http://127.0.0.1:{{port}}/"

[accounts.primary]
username = "alice"
password = "alice-secret"

[[known_deviations]]
requirement = "demo.b"
reason = "not implemented yet"
reference = "https://example.org/issues/1"
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@dataclass(frozen=True)
class Req:
    """One catalogue requirement, for building catalogue files and journal headers."""

    id: str
    level: str = "MUST"
    profiles: tuple[str, ...] = ("core",)
    section: str = "1"
    spec: str = "spec"


def catalogue_text(
    requirements: Sequence[Req], standard: str = "demo", profiles: Sequence[str] = ("core",)
) -> str:
    lines = [
        f'standard = "{standard}"',
        'title = "Demo standard"',
        'version = "2026.1"',
        "",
        "[specs.spec]",
        'title = "The Demo Specification"',
        'url = "https://example.org/spec"',
        'section_url = "https://example.org/spec#section-{section}"',
        "",
    ]
    for profile in profiles:
        lines += [f"[profiles.{profile}]", f'title = "Profile {profile}"', 'version = "1.0"', ""]
    for req in requirements:
        names = ", ".join(f'"{p}"' for p in req.profiles)
        lines += [
            "[[requirements]]",
            f'id = "{req.id}"',
            f'spec = "{req.spec}"',
            f'section = "{req.section}"',
            f'level = "{req.level}"',
            f"profiles = [{names}]",
            f'summary = "Requirement {req.id}"',
            "",
        ]
    return "\n".join(lines)


# --- journal entries, shaped like the ones conformance.run.plugin writes ---------------------

STARTED = "2026-01-01T10:00:00.000+00:00"
FINISHED = "2026-01-01T10:00:05.500+00:00"


def start_entry(
    requirements: Sequence[Req],
    profiles: Sequence[str] = ("core",),
    known_deviations: dict[str, dict[str, str]] | None = None,
    standard: str = "demo",
) -> dict[str, Any]:
    return {
        "type": "start",
        "started": STARTED,
        "harness": {"name": "eos-conformance", "version": "0.1.0", "python": "3.11.7"},
        "campaign": {"id": "unit", "kind": "self-assessment", "assessor": "tester"},
        "candidate": {
            "id": "demo-server",
            "product": "Demo Server",
            "vendor": "Example Vendor",
            "version": "1.2.3",
            "manifest_sha256": ZERO_DIGEST,
            "artefacts": [
                {"name": "demo", "digest": ZERO_DIGEST, "kind": "declared", "version": None}
            ],
            "launcher": "process",
            "known_deviations": known_deviations or {},
        },
        "suites": [
            {
                "standard": standard,
                "title": "Demo standard",
                "catalogue_version": "2026.1",
                "catalogue_digest": ZERO_DIGEST,
                "suite_digest": ZERO_DIGEST,
            }
        ],
        "profiles": [
            {"standard": standard, "id": p, "title": f"Profile {p}", "version": "1.0"}
            for p in profiles
        ],
        "requirements": [
            {
                "id": r.id,
                "standard": standard,
                "spec": r.spec,
                "spec_title": "The Demo Specification",
                "section": r.section,
                "url": f"https://example.org/spec#section-{r.section}",
                "level": r.level,
                "profiles": list(r.profiles),
                "summary": f"Requirement {r.id}",
            }
            for r in requirements
        ],
        "seeds": {"hypothesis": 42},
        "selected_requirements": None,
    }


def check_entry(
    nodeid: str,
    requirements: Sequence[str],
    outcome: str,
    message: str = "",
    evidence: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "type": "check",
        "check": {
            "nodeid": nodeid,
            "requirements": list(requirements),
            "outcome": outcome,
            "duration_seconds": 0.25,
            "message": message,
            "expected": None,
            "actual": None,
            "evidence": evidence if evidence is not None else {"exchangeCount": 0},
        },
    }


def event_entry(
    kind: str, message: str, at: str = "2026-01-01T10:00:03.000+00:00"
) -> dict[str, Any]:
    return {"type": "event", "event": {"kind": kind, "message": message, "at": at, "log_tail": []}}


def end_entry(complete: bool = True, stop_reason: str | None = None) -> dict[str, Any]:
    return {
        "type": "end",
        "finished": FINISHED,
        "complete": complete,
        "stop_reason": stop_reason,
        "start_parameters": {"kind": "process"},
        "artefacts": None,
    }


# --- a tiny loopback HTTP server ---------------------------------------------------------


@dataclass
class Seen:
    """What the test server received, so a test can tell what really reached it."""

    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Answers every method from a routing table on the server object."""

    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        server: Any = self.server
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        server.seen.requests.append((self.command, self.path, dict(self.headers.items()), body))
        status, headers, payload = server.route(self.command, self.path, body)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PROPFIND = do_OPTIONS = _answer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


Route = Any  # Callable[[str, str, bytes], tuple[int, list[tuple[str, str]], bytes]]


def default_route(method: str, path: str, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    if path.startswith("/redirect"):
        return 302, [("Location", "/elsewhere")], b""
    if path.startswith("/missing"):
        return 404, [("Content-Type", "text/plain")], b"not here"
    return (
        200,
        [("Content-Type", "text/plain; charset=utf-8"), ("ETag", '"v1"'), ("X-Demo", "yes")],
        b"hello " + method.encode() + b" " + path.encode() + (b" " + body if body else b""),
    )


@contextmanager
def local_http_server(route: Route = default_route) -> Iterator[tuple[str, Seen]]:
    """Serve on a free loopback port in a thread; yields the base URL and what it saw."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    seen = Seen()
    server.seen = seen  # type: ignore[attr-defined]
    server.route = route  # type: ignore[attr-defined]
    # A short poll interval keeps shutdown() from costing half a second per test.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", seen
    finally:
        server.shutdown()
        server.server_close()


def port_answers(port: int) -> bool:
    """Whether anything still accepts TCP connections on this loopback port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def report_from(entries: Sequence[dict[str, Any]]) -> Report:
    """The report folded from journal-shaped entries, as ``report rebuild`` does."""
    return build_report(events_from(entries))
