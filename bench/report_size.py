"""Benchmark: what keeping the evidence of passing checks costs (issue "every verdict
earned"). Runs each candidate once and prints report.json's size as written (every check
with its exchanges) beside the size it would have with passing checks reduced to their
totals (what reports held before), gzip-compressed sizes, and the run's duration.

    .venv/bin/python bench/report_size.py [--candidate ID ...]
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

DEFAULT = ["radicale", "synapse", "oidc-provider", "bovine-herd", "libreoffice"]


def without_pass_evidence(report: dict[str, Any]) -> dict[str, Any]:
    slim = json.loads(json.dumps(report))
    for check in slim["checks"]:
        if check["outcome"] not in ("failed", "cantTell"):
            evidence = check["evidence"]
            check["evidence"] = {k: evidence[k] for k in ("exchangeCount", "httpSeconds")
                                 if k in evidence}
    return slim


def size(data: dict[str, Any]) -> tuple[int, int]:
    text = json.dumps(data, indent=2).encode()
    return len(text), len(gzip.compress(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidate", action="append", default=None)
    candidates = parser.parse_args().candidate or DEFAULT
    print("| candidate | checks | run s | report.json KiB (gzip) | without pass evidence KiB "
          "(gzip) | growth |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="eos-bench-size-") as scratch:
        root = Path(scratch)
        for candidate in candidates:
            subprocess.run(
                [sys.executable, "-m", "conformance.cli", "run", "--candidate", candidate,
                 "--campaign", "size", "--output-root", str(root), "--workers", "1"],
                cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
            )
            path = root / "size" / candidate / "report.json"
            if not path.exists():
                print(f"| {candidate} | no report | | | | |")
                continue
            report = json.loads(path.read_text())
            full, full_gz = size(report)
            slim, slim_gz = size(without_pass_evidence(report))
            print(f"| {candidate} | {len(report['checks'])} | "
                  f"{report['run']['duration_seconds']:.1f} | {full / 1024:.0f} "
                  f"({full_gz / 1024:.0f}) | {slim / 1024:.0f} ({slim_gz / 1024:.0f}) | "
                  f"{full / slim:.1f}x |")


if __name__ == "__main__":
    main()
