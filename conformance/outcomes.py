"""Outcomes (the W3C EARL vocabulary) and how a requirement's outcome follows from its checks."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    CANT_TELL = "cantTell"
    INAPPLICABLE = "inapplicable"
    UNTESTED = "untested"


# When several checks cover one requirement, the most serious outcome wins: one failing check
# fails the requirement, and one undecided check keeps it from passing.
_PRECEDENCE = [Outcome.FAILED, Outcome.CANT_TELL, Outcome.PASSED, Outcome.INAPPLICABLE]


def aggregate(outcomes: Iterable[Outcome]) -> Outcome:
    present = set(outcomes)
    for outcome in _PRECEDENCE:
        if outcome in present:
            return outcome
    return Outcome.UNTESTED


def meets(outcome: Outcome) -> bool:
    """Whether an outcome satisfies a requirement: passed, or not applicable to this product."""
    return outcome in (Outcome.PASSED, Outcome.INAPPLICABLE)
