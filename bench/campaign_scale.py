"""Benchmark: the default campaign (every bundled reference candidate) run three ways in one
go — sequentially (--workers 1), on the local pool (--workers 2), and on a two-worker Dask
cluster started on loopback — printing wall times, the speed-ups, and the requirement
verdicts per second of each suite (from the sequential run's reports).

    .venv/bin/python bench/campaign_scale.py [--candidate ID ...] [--skip-dask]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def campaign(root: Path, name: str, candidates: list[str], *options: str) -> float:
    chosen = [a for c in candidates for a in ("--candidate", c)]
    began = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "conformance.cli", "run", *chosen, "--campaign", name,
         "--output-root", str(root), "--seed", "7", *options],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    return time.monotonic() - began


def dask_cluster(root: Path) -> tuple[str, list[subprocess.Popen[bytes]]]:
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": root,
             "start_new_session": True}
    processes = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                                   "--port", str(port), "--no-dashboard"], **quiet)]  # type: ignore[call-overload]
    time.sleep(1.5)
    for name in ("w1", "w2"):
        processes.append(subprocess.Popen([str(BIN / "dask"), "worker", address, "--name", name,
                                           "--nthreads", "1", "--no-dashboard"], **quiet))  # type: ignore[call-overload]
    time.sleep(2)
    return address, processes


def verdicts_per_second(campaign_dir: Path) -> dict[str, float]:
    """Requirements judged per second of run time, per standard, over every report."""
    judged: dict[str, int] = defaultdict(int)
    seconds: dict[str, float] = defaultdict(float)
    index = json.loads((campaign_dir / "campaign.json").read_text())
    for entry in index["candidates"]:
        if entry["report"] is None:
            continue
        report = json.loads(Path(entry["report"]).read_text())
        judged[entry["standard"]] += report["summary"]["requirements"]
        seconds[entry["standard"]] += report["run"]["duration_seconds"] or 0.0
    return {s: judged[s] / seconds[s] for s in sorted(judged) if seconds[s]}


def bundled() -> list[str]:
    directory = Path(__file__).resolve().parents[1] / "fixtures" / "candidates"
    return sorted(p.stem for p in directory.glob("*.toml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", action="append", default=None)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    candidates = args.candidate or bundled()
    with tempfile.TemporaryDirectory(prefix="eos-bench-scale-") as scratch:
        root = Path(scratch)
        rows = [("sequential (--workers 1)", campaign(root, "seq", candidates, "--workers", "1"))]
        rows.append(("local pool (--workers 2)",
                     campaign(root, "pool", candidates, "--workers", "2")))
        if not args.skip_dask:
            address, processes = dask_cluster(root)
            try:
                rows.append(("Dask, 2 workers on loopback",
                             campaign(root, "dask", candidates, "--scheduler", address)))
            finally:
                for process in processes:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=30)
        rates = verdicts_per_second(root / "seq")
    sequential = rows[0][1]
    print(f"Default campaign, {len(candidates)} candidates, {os.cpu_count()} cores")
    print("| executor | wall s | speed-up over sequential |")
    print("|---|---|---|")
    for name, wall in rows:
        print(f"| {name} | {wall:.1f} | {sequential / wall:.2f}x |")
    print()
    print("| suite | requirement verdicts per second (sequential run) |")
    print("|---|---|")
    for standard, rate in rates.items():
        print(f"| {standard} | {rate:.1f} |")


if __name__ == "__main__":
    main()
