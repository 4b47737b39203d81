"""Reading JSON that may be hostile: its nesting is bounded before the parser sees it, so a
few kilobytes of brackets cannot exhaust the parser's recursion (a traceback instead of an
answer); callers turn the ``ValueError`` into their own clear message."""

from __future__ import annotations

import json
import re
from typing import Any

# Reports, envelopes, snapshots and journals nest about ten levels; suites' observations a few more.
MAX_JSON_DEPTH = 64
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def check_depth(text: str, limit: int = MAX_JSON_DEPTH) -> None:
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > limit:
            raise ValueError(f"JSON nested deeper than {limit} levels")


def loads_bounded(data: str | bytes, **options: Any) -> Any:
    """``json.loads`` with the nesting bounded; raises ValueError (JSONDecodeError included)."""
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    check_depth(text)
    try:
        return json.loads(text, **options)
    except RecursionError:  # deeper than the bound allows only through a parser's own limits
        raise ValueError("JSON nested too deeply") from None
