"""A real Radicale that dies mid-run, and a campaign interrupted by Ctrl-C or SIGTERM:
each gives a clear message, a non-zero exit, a report of what was recorded, and leaves no
candidate process behind."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import tomli_w

from conformance.locations import bundled_candidates_dir
from tests.integration.conftest import conformance, read_report


def port_of(log: Path) -> int:
    found = re.search(r"127\.0\.0\.1:(\d+)", log.read_text(errors="replace"))
    assert found, "the candidate log names its address"
    return int(found.group(1))


def answers(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def short_lived_radicale(directory: Path, seconds: int) -> Path:
    """The bundled Radicale manifest, but the server is stopped by coreutils' timeout."""
    data = tomllib.loads((bundled_candidates_dir() / "radicale.toml").read_text())
    data["launch"]["command"] = ["timeout", str(seconds), *data["launch"]["command"]]
    path = directory / "radicale.toml"
    path.write_text(tomli_w.dumps(data))
    return path


def test_candidate_dying_mid_run_is_reported(tmp_path: Path) -> None:
    manifest = short_lived_radicale(tmp_path, 2)
    result = conformance(
        "run",
        "--candidate",
        str(manifest),
        "--campaign",
        "dies",
        "--output-root",
        str(tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 3, result.stdout[-2000:]
    assert "Traceback" not in result.stderr
    assert "exited with code 124 during the run" in result.stdout
    report = read_report(tmp_path / "dies" / "radicale")
    assert report["run"]["complete"] is False
    assert any(e["kind"] == "candidate-exited" for e in report["run"]["events"])
    assert report["checks"], "the checks that ran before the candidate died are kept"
    assert any(r["outcome"] == "untested" for r in report["requirements"])
    assert report["verdict"] == "fail"


def _wait_for_checks(journal: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count('"type": "check"') >= count:
            return
        time.sleep(0.05)
    pytest.fail(f"no {count} checks journaled in {timeout} s")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_campaign_keeps_results_and_cleans_up(tmp_path: Path, signum: int) -> None:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "conformance.cli",
            "run",
            "--candidate",
            "radicale",
            "--campaign",
            "stop",
            "--output-root",
            str(tmp_path),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    output = tmp_path / "stop" / "radicale"
    _wait_for_checks(output / "journal.jsonl", 3)
    port = port_of(output / "candidate.log")
    if signum == signal.SIGINT:
        os.killpg(process.pid, signal.SIGINT)  # what a Ctrl-C at the terminal does
    else:
        process.send_signal(signal.SIGTERM)  # what a CI runner or a process manager does
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stdout[-2000:] + stderr[-2000:]
    assert "Traceback" not in stderr
    report = read_report(output)
    assert report["run"]["complete"] is False
    assert report["run"]["stop_reason"].startswith("interrupted")
    recorded = [json.loads(line) for line in (output / "journal.jsonl").read_text().splitlines()]
    assert len(report["checks"]) == sum(e["type"] == "check" for e in recorded) >= 3
    assert not answers(port), "the candidate still answers after the campaign stopped"
