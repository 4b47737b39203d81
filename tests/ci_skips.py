"""In CI (CI=true) a skipped test is a failed one: a reference tool that is missing there
(Node, LemonLDAP::NG, soffice, the ODF schemas, PostgreSQL, a container runtime) must fail
the run, never let it pass on fewer tests. Loaded by tests/conftest.py."""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[
    None, Any, None
]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not in_ci() or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = f"skipped in CI, where every reference tool must be installed: {reason}"
