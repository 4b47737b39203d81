"""Each check's deadline, across its setup, call and teardown, and the rule that a candidate
which lets three checks in a row run out of time is not answering: the run stops there,
incomplete, instead of spending every remaining check's deadline on it.

The deadline is the suite's (``SuiteDeclaration.check_deadline_seconds``), else 120 s;
$CONFORMANCE_CHECK_DEADLINE overrides it. A campaign against a candidate that stops
answering is therefore bounded by its launch, plus three check deadlines, plus clean-up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from conformance.check.deadline import (
    CHECK_DEADLINE_SECONDS,
    CHECK_ENV,
    DeadlineExceeded,
    configured,
    deadline,
)
from conformance.suite.catalogue import find_suite_directory
from conformance.suite.contract import declaration_of

UNANSWERED_IN_A_ROW = 3
STARTED = pytest.StashKey[float]()
EXPIRED = pytest.StashKey[bool]()


@cache
def _suite_deadline(directory: Path | None) -> float:
    declared = declaration_of(directory).check_deadline_seconds if directory else None
    return configured(CHECK_ENV, declared or CHECK_DEADLINE_SECONDS)


class DeadlineGuard:
    """A pytest plugin object; ``stop`` is told when the candidate seems not to answer."""

    def __init__(self, stop: Callable[[pytest.Item, str], None]) -> None:
        self.stop = stop
        self.in_a_row = 0

    def _phase(self, item: pytest.Item, when: str) -> Generator[None, Any, None]:
        if when == "setup":
            item.stash[STARTED] = time.monotonic()
            item.stash[EXPIRED] = False
        limit = _suite_deadline(find_suite_directory(Path(item.path).parent))
        left = limit - (time.monotonic() - item.stash.get(STARTED, time.monotonic()))
        with deadline(max(left, 0.001), f"check {item.nodeid} ({when})"):
            outcome = yield
        if isinstance(outcome.excinfo[1] if outcome.excinfo else None, DeadlineExceeded):
            item.stash[EXPIRED] = True

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, Any, None]:
        yield from self._phase(item, "setup")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, None]:
        yield from self._phase(item, "call")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, Any, None]:
        yield from self._phase(item, "teardown")

    def checked(self, item: pytest.Item) -> None:
        """After a check: count deadlines run out in a row, and stop the run at the third."""
        self.in_a_row = self.in_a_row + 1 if item.stash.get(EXPIRED, False) else 0
        if self.in_a_row >= UNANSWERED_IN_A_ROW:
            self.stop(item, f"the candidate let {self.in_a_row} checks in a row run out of "
                            f"time (the last: {item.nodeid})")
