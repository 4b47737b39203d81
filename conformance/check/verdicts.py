"""What a check raises to say how a requirement fared, with expected and actual values."""

from __future__ import annotations

from collections.abc import Container
from typing import Any, NoReturn

import pytest


class CheckFailure(AssertionError):
    """The candidate did something the requirement forbids: the outcome is ``failed``."""

    def __init__(self, message: str, expected: Any = None, actual: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.expected = expected
        self.actual = actual


class CantTell(Exception):
    """The check could not decide (a precondition could not be set up): ``cantTell``."""


def cant_tell(reason: str) -> NoReturn:
    raise CantTell(reason)


class NotApplicable(pytest.skip.Exception):  # type: ignore[name-defined,misc]
    """The requirement does not apply to this product, for a reason the check observed."""

    def __init__(self, signal: str, reason: str) -> None:
        super().__init__(reason)
        self.signal = signal
        self.reason = reason


def inapplicable(signal: str, reason: str) -> NoReturn:
    """The requirement does not apply: ``signal`` names what showed it, and must be either a
    feature the manifest declares absent or a positive signal the standard defines (an
    optional capability not advertised, a documented answer for an unsupported option).

    An error status, a timeout or a refused request is never such a signal: for those the
    check fails or calls ``cant_tell``. A plain ``pytest.skip`` gives ``cantTell``.
    """
    if not signal.strip():
        raise ValueError("inapplicable() needs the signal that shows the rule does not apply")
    raise NotApplicable(signal, reason)


def expect(condition: bool, what: str, expected: Any = None, actual: Any = None) -> None:
    """Fail with ``what`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailure(what, expected=expected, actual=actual)


def expect_equal(actual: Any, expected: Any, what: str) -> None:
    if actual != expected:
        raise CheckFailure(f"{what}: expected {expected!r}, got {actual!r}", expected, actual)


def expect_in(actual: Any, allowed: Container[Any], what: str) -> None:
    if actual not in allowed:
        raise CheckFailure(f"{what}: expected one of {allowed!r}, got {actual!r}", allowed, actual)
