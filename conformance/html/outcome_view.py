"""How an outcome reads on a page: a word and a symbol, never a colour alone."""

from __future__ import annotations

import re
from dataclasses import dataclass

from conformance.outcomes import Outcome


@dataclass(frozen=True)
class Category:
    key: str  # CSS class and filter value
    text: str
    symbol: str


# A failure the manifest declares as a known deviation is its own category on the page: it is
# still a failure (it never counts as a pass), but readers look for it separately.
CATEGORIES = {
    "failed": Category("failed", "failed", "✗"),
    "deviation": Category("deviation", "failed (known deviation)", "✗"),
    "cantTell": Category("cantTell", "undecided", "?"),
    "untested": Category("untested", "untested", "○"),
    "passed": Category("passed", "passed", "✓"),
    "inapplicable": Category("inapplicable", "inapplicable", "–"),
}
LEVELS = ("MUST", "SHOULD", "MAY")


def category(outcome: Outcome | str, deviation: bool = False) -> Category:
    value = Outcome(outcome).value
    if value == "failed" and deviation:
        return CATEGORIES["deviation"]
    return CATEGORIES[value]


def section_key(section: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "9.10" after "9.9" and "A.1" after the numbers."""
    parts = re.split(r"[.\s]+", section.strip())
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)
