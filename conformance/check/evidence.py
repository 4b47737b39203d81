"""Evidence of what a check saw: HTTP exchanges and notes, bounded and with secrets redacted.

The plugin binds an ``EvidenceLog`` to the running check through a context variable, so any
HTTP client with a response hook (requests, niquests) can record into it without the check
passing the log around.
"""

from __future__ import annotations

import contextvars
from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.check.redaction import redact_text, redact_url

BODY_EXCERPT_LIMIT = 2000
MAX_EXCHANGES_KEPT = 12
REDACTED_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})
# Headers that explain a protocol exchange; others are left out of the evidence to keep it short.
RELEVANT_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "etag",
        "if-match",
        "if-none-match",
        "location",
        "depth",
        "dav",
        "allow",
        "www-authenticate",
        "authorization",
        "destination",
        "overwrite",
        "prefer",
        "preference-applied",
        "schedule-tag",
        "retry-after",
        "accept",
        "signature",
        "digest",
        "cache-control",
        "last-modified",
        "link",
        "content-encoding",
        "transfer-encoding",
        "cookie",
        "set-cookie",
    }
)


def excerpt(body: bytes | str | None, limit: int = BODY_EXCERPT_LIMIT) -> str:
    """A bounded excerpt of a body or message, with secrets redacted before it is cut."""
    if body is None:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    text = redact_text(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"


def relevant_headers(headers: Any) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name, value in dict(headers or {}).items():
        key = str(name).lower()
        if key in REDACTED_HEADERS:
            kept[key] = "[redacted]"
        elif key in RELEVANT_HEADERS:
            kept[key] = str(value)
    return kept


@dataclass
class HttpExchange:
    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str
    status: int
    reason: str
    response_headers: dict[str, str]
    response_body: str
    elapsed_ms: float

    def __post_init__(self) -> None:
        # Whoever builds an exchange, a token in its URL never reaches the evidence.
        self.url = redact_url(self.url)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def exchange_from_response(response: Any) -> HttpExchange:
    """Build an exchange from a requests- or niquests-style response object."""
    request = response.request
    elapsed = getattr(response, "elapsed", None)
    return HttpExchange(
        method=str(request.method),
        url=str(request.url),
        request_headers=relevant_headers(request.headers),
        request_body=excerpt(request.body),
        status=int(response.status_code or 0),
        reason=str(getattr(response, "reason", "") or ""),
        response_headers=relevant_headers(response.headers),
        response_body=excerpt(response.content),
        elapsed_ms=round(elapsed.total_seconds() * 1000, 2) if elapsed else 0.0,
    )


@dataclass
class EvidenceLog:
    """Everything one check recorded; only a bounded tail is kept for the report."""

    exchanges: list[HttpExchange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    exchange_count: int = 0
    http_seconds: float = 0.0
    # Excerpts of documents a check examined and commands it ran (format suites), bounded.
    documents: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)

    def add_exchange(self, exchange: HttpExchange) -> None:
        self.exchange_count += 1
        self.http_seconds += exchange.elapsed_ms / 1000
        self.exchanges.append(exchange)
        if len(self.exchanges) > MAX_EXCHANGES_KEPT:
            del self.exchanges[0]

    def note(self, text: str) -> None:
        self.notes.append(excerpt(text, 500))

    def add_document(
        self, document: str, part: str, excerpt_text: str, location: str = "", note: str = ""
    ) -> None:
        """A document excerpt: which document and part, where (an XPath or line:column)."""
        self.documents.append(
            {
                "document": document,
                "part": part,
                "location": location,
                "excerpt": excerpt(excerpt_text, 1000),
                "note": excerpt(note, 500),
            }
        )
        if len(self.documents) > MAX_EXCHANGES_KEPT:
            del self.documents[0]

    def add_command(self, record: dict[str, Any]) -> None:
        self.commands.append(record)
        if len(self.commands) > MAX_EXCHANGES_KEPT:
            del self.commands[0]

    def totals(self) -> dict[str, Any]:
        """What is kept for every check, passed or not: how much talking it took."""
        return {"exchangeCount": self.exchange_count, "httpSeconds": round(self.http_seconds, 4)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "exchanges": [exchange.to_dict() for exchange in self.exchanges],
            "notes": list(self.notes),
            # Only present when used, so protocol suites' evidence is unchanged.
            **({"documents": list(self.documents)} if self.documents else {}),
            **({"commands": list(self.commands)} if self.commands else {}),
            **self.totals(),
        }


_current: contextvars.ContextVar[EvidenceLog | None] = contextvars.ContextVar(
    "conformance_evidence", default=None
)


def current_evidence() -> EvidenceLog | None:
    return _current.get()


def bind_evidence(log: EvidenceLog | None) -> contextvars.Token[EvidenceLog | None]:
    return _current.set(log)


def unbind_evidence(token: contextvars.Token[EvidenceLog | None]) -> None:
    _current.reset(token)


def record_response(response: Any, *args: Any, **kwargs: Any) -> Any:
    """Response hook for requests/niquests sessions: records into the running check's log."""
    log = _current.get()
    if log is not None:
        log.add_exchange(exchange_from_response(response))
    return response
