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
from tests.integration.conftest import PROJECT, conformance, read_report


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


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_second_signal_never_makes_an_interrupted_run_complete(
    tmp_path: Path, signum: int
) -> None:
    """Two signals 50 ms apart to the pytest child: the run is still reported interrupted,
    with no traceback, and the candidate is stopped."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest", str(PROJECT / "suites" / "caldav"), "--candidate",
         "radicale", "--campaign", "twice", "--output-root", str(tmp_path), "-p",
         "no:cacheprovider", "--rootdir", str(PROJECT)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    output = tmp_path / "twice" / "radicale"
    _wait_for_checks(output / "journal.jsonl", 3)
    port = port_of(output / "candidate.log")
    process.send_signal(signum)
    time.sleep(0.05)
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stdout[-2000:] + stderr[-2000:]
    assert "Traceback" not in stderr and "Traceback" not in stdout
    report = read_report(output)
    assert report["run"]["complete"] is False
    assert report["run"]["stop_reason"].startswith("interrupted")
    assert [e["kind"] for e in report["run"]["events"]][-1] == "interrupted"
    assert not answers(port)


def test_an_interrupted_sharded_campaign_stops_every_shard(tmp_path: Path) -> None:
    """Ctrl-C to a campaign running two shards side by side: each report says interrupted,
    the campaign exits 130, and no product is left running."""
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "run", "--candidate", "radicale",
         "--candidate", "xandikos", "--workers", "2", "--campaign", "both",
         "--output-root", str(tmp_path)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    for name in ("radicale", "xandikos"):
        _wait_for_checks(tmp_path / "both" / name / "journal.jsonl", 2)
    ports = [port_of(tmp_path / "both" / n / "candidate.log") for n in ("radicale", "xandikos")]
    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=90)
    assert process.returncode == 130, stdout[-2000:] + stderr[-2000:]
    assert "Traceback" not in stderr
    for name in ("radicale", "xandikos"):
        report = read_report(tmp_path / "both" / name)
        assert report["run"]["complete"] is False, name
        assert report["run"]["stop_reason"].startswith("interrupted"), name
    index = json.loads((tmp_path / "both" / "campaign.json").read_text())
    assert {e["status"] for e in index["candidates"]} == {"interrupted"}
    assert not any(answers(port) for port in ports)
