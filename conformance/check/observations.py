"""Facts a suite observes about the candidate during a run (e.g. the protocol versions it
says it supports), kept in the report beside the outcomes.

A check calls ``observe(name, value)``; the plugin journals each observation at once, so a
crashed run keeps them, and the report shows the last value per name under
``candidate.observed``. Without a running campaign an observation goes nowhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Observer = Callable[[str, Any], None]
_observer: Observer | None = None


def set_observer(observer: Observer | None) -> None:
    """Where observations go (the plugin sets this for the length of a run)."""
    global _observer
    _observer = observer


def observe(name: str, value: Any) -> None:
    """Record a fact about the candidate; ``value`` must be JSON data (it goes in the report)."""
    if not name:
        raise ValueError("an observation needs a name")
    try:
        plain = json.loads(json.dumps(value))
    except (TypeError, ValueError) as error:
        raise ValueError(f"observation {name!r} is not JSON data: {error}") from None
    if _observer is not None:
        _observer(name, plain)


def observed_in(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The observations of a journal, the last value per name."""
    found: dict[str, Any] = {}
    for entry in entries:
        if entry.get("type") == "observation":
            found[entry["observation"]["name"]] = entry["observation"]["value"]
    return found
