"""A campaign on a real Dask cluster on loopback (one scheduler, two workers): the merged
outcomes equal a local run's, and a shard whose worker is killed mid-run is run again on the
other worker, counted once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conformance.candidate.launchers.base import free_loopback_port
from tests.integration.conftest import conformance, read_report

BIN = Path(sys.executable).parent
CANDIDATES = ["radicale", "xandikos", "pandoc"]
SEED = "7"


def start(*command: str, log: Path) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT,
                            start_new_session=True, cwd=log.parent)


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, dict[str, subprocess.Popen[bytes]]]]:
    port = free_loopback_port()
    address = f"tcp://127.0.0.1:{port}"
    processes = {
        "scheduler": start(str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port",
                           str(port), "--no-dashboard", log=tmp_path / "scheduler.log"),
    }
    time.sleep(1)
    for name in ("w1", "w2"):
        processes[name] = start(str(BIN / "dask"), "worker", address, "--name", name,
                                "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                log=tmp_path / f"{name}.log")
    try:
        yield address, processes
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def outcomes(campaign: Path) -> dict[str, dict[str, str]]:
    return {
        name: {r["id"]: r["outcome"] for r in read_report(campaign / name)["requirements"]}
        for name in CANDIDATES
    }


def test_a_dask_campaign_equals_a_local_one_and_survives_a_killed_worker(
    tmp_path: Path, cluster: tuple[str, dict[str, subprocess.Popen[bytes]]]
) -> None:
    address, processes = cluster
    args = [a for c in CANDIDATES for a in ("--candidate", c)] + ["--seed", SEED]
    local = conformance("run", *args, "--campaign", "local", "--workers", "2",
                        "--output-root", str(tmp_path), cwd=tmp_path)
    assert local.returncode == 1, local.stdout[-3000:]  # the reference products fail a few

    run = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "run", *args, "--campaign", "dask",
         "--scheduler", address, "--output-root", str(tmp_path)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    # Kill worker w1 as soon as it is running a shard (its pytest child exists).
    victim = processes["w1"]
    deadline = time.monotonic() + 120
    while not children_of(victim.pid):
        assert time.monotonic() < deadline, "w1 never started a shard"
        time.sleep(0.2)
    time.sleep(1.0)
    os.killpg(victim.pid, signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=600)
    assert run.returncode == 1, stdout[-3000:] + stderr[-3000:]
    assert "Traceback" not in stderr

    index = json.loads((tmp_path / "dask" / "campaign.json").read_text())
    entries = {e["shard"]: e for e in index["candidates"]}
    assert sorted(entries) == sorted(CANDIDATES)  # every shard once, none missing
    assert all(e["status"] == "done" for e in entries.values()), entries
    assert index["complete"] is True
    # w1 died, so every shard finished on w2; the one w1 had begun was run again there.
    assert {e["worker"].split()[1] for e in entries.values()} == {"w2"}
    for name in CANDIDATES:
        harness = read_report(tmp_path / "dask" / name)["harness"]
        assert harness["worker"].startswith("dask w2") and harness["host"]
    assert outcomes(tmp_path / "dask") == outcomes(tmp_path / "local")
