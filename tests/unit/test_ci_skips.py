"""In CI a skipped test fails the run (a missing reference tool must not pass quietly)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def run_with(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_tool.py").write_text(
        "import pytest\n\n"
        "def test_needs_a_tool():\n"
        "    pytest.skip('soffice is not installed')\n\n"
        "def test_other():\n"
        "    pass\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(PROJECT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.ci_skips", "-p", "no:cacheprovider",
         "-p", "no:conformance", str(tmp_path / "test_tool.py"), "-q", "--rootdir", str(tmp_path)],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=False,
    )


def test_a_skip_fails_in_ci(tmp_path: Path) -> None:
    result = run_with(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed" in result.stdout
    assert "skipped in CI, where every reference tool must be installed" in result.stdout
    assert "soffice is not installed" in result.stdout


def test_a_skip_is_a_skip_elsewhere(tmp_path: Path) -> None:
    result = run_with(tmp_path, None)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped" in result.stdout
