"""Evidence, whatever its shape, as a tree the templates can show.

Suites add evidence fields of their own, so nothing here depends on a field list: HTTP
exchanges get their familiar request/response layout when they have that shape, and every
other value is shown as key/value pairs, lists or text, nested as deep as it goes. The
templates escape every string (evidence holds the candidate's own output).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Deeper than this is shown as JSON text, so a pathological value cannot blow up the page.
MAX_DEPTH = 6
# Longer or multi-line strings are shown as preformatted blocks.
INLINE_LIMIT = 120
EXCHANGE_KEYS = frozenset({"method", "url", "status"})


@dataclass
class Node:
    kind: str  # "text", "pre", "list", "map", "exchange", "empty"
    text: str = ""
    items: list[Node] = field(default_factory=list)
    entries: list[tuple[str, Node]] = field(default_factory=list)
    exchange: ExchangeView | None = None


@dataclass
class ExchangeView:
    request_line: str
    request_headers: list[tuple[str, str]]
    request_body: str
    status_line: str
    response_headers: list[tuple[str, str]]
    response_body: str
    elapsed: str
    extra: list[tuple[str, Node]]


def to_node(value: Any, depth: int = 0) -> Node:
    if value is None or value == "" or value == [] or value == {}:
        return Node("empty", text="(none)")
    if depth >= MAX_DEPTH:
        return Node("pre", text=json.dumps(value, indent=1, default=str, ensure_ascii=False))
    if isinstance(value, dict):
        if value.keys() >= EXCHANGE_KEYS:
            return Node("exchange", exchange=_exchange(value, depth))
        return Node("map", entries=[(str(k), to_node(v, depth + 1)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return Node("list", items=[to_node(v, depth + 1) for v in value])
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if len(text) > INLINE_LIMIT or "\n" in text:
        return Node("pre", text=text)
    return Node("text", text=text)


def _headers(value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [(str(k), str(v)) for k, v in value.items()]
    return []


def _exchange(value: dict[str, Any], depth: int) -> ExchangeView:
    known = {
        "method",
        "url",
        "status",
        "reason",
        "request_headers",
        "request_body",
        "response_headers",
        "response_body",
        "elapsed_ms",
    }
    elapsed = value.get("elapsed_ms")
    return ExchangeView(
        request_line=f"{value.get('method', '')} {value.get('url', '')}",
        request_headers=_headers(value.get("request_headers")),
        request_body=str(value.get("request_body") or ""),
        status_line=f"{value.get('status', '')} {value.get('reason', '') or ''}".strip(),
        response_headers=_headers(value.get("response_headers")),
        response_body=str(value.get("response_body") or ""),
        elapsed=f"{elapsed} ms" if isinstance(elapsed, int | float) else "",
        # Fields a suite added to its exchanges are still shown.
        extra=[(str(k), to_node(v, depth + 1)) for k, v in value.items() if k not in known],
    )


def evidence_entries(evidence: dict[str, Any]) -> list[tuple[str, Node]]:
    """The evidence of one check, exchanges first, then everything else in its own order."""
    ordered = sorted(evidence.items(), key=lambda item: item[0] != "exchanges")
    return [(_title(key), to_node(value)) for key, value in ordered]


def _title(key: str) -> str:
    """exchangeCount / http_seconds → "exchange count" / "http seconds", for reading."""
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in key).replace("_", " ")
    return spaced.strip() or key
