"""Benchmark: a campaign against a candidate that answers its readiness probe, then trickles
one header byte every half second on every other request. The deadlines (30 s per exchange,
120 s per check, three checks in a row out of time stop the run) bound the campaign: it ends
after about three exchange deadlines, whatever the suite. Prints the wall time, the bound and
the outcomes.

    .venv/bin/python bench/trickling_candidate.py [--exchange-deadline S]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SERVER = PROJECT / "fixtures" / "hostile" / "trickling_server.py"

MANIFEST = """\
id = "trickler"
product = "Trickling server"
vendor = "Bench"
version = "1"

[[artefacts]]
name = "server"
python_distribution = "pytest"

[claims]
caldav = ["caldav-core"]

[launch]
kind = "process"
command = ["{python}", "{workdir}/trickle.py", "{port}"]

[launch.files]
"trickle.py" = { template = "trickle.py" }  # copied beside the manifest

[endpoints]
base = "http://127.0.0.1:{port}/"

[accounts.primary]
username = "alice"
password = "alice-secret"

[accounts.secondary]
username = "bob"
password = "bob-secret"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchange-deadline", type=float, default=30.0)
    deadline = parser.parse_args().exchange_deadline
    with tempfile.TemporaryDirectory(prefix="eos-bench-trickle-") as scratch:
        root = Path(scratch)
        (root / "trickle.py").write_text(SERVER.read_text())
        (root / "trickler.toml").write_text(MANIFEST)
        env = dict(os.environ, CONFORMANCE_EXCHANGE_DEADLINE=str(deadline))
        began = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "conformance.cli", "run", "--candidate",
             str(root / "trickler.toml"), "--campaign", "trickle", "--output-root",
             str(root), "--workers", "1"],
            cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
        )
        wall = time.monotonic() - began
        report = json.loads((root / "trickle" / "trickler" / "report.json").read_text())
    print("| exchange deadline s | bound s (3 deadlines + launch) | campaign wall s | exit | "
          "outcomes | stop reason |")
    print("|---|---|---|---|---|---|")
    counts = {k: v for k, v in report["summary"]["by_outcome"].items() if v}
    print(f"| {deadline:g} | {3 * deadline + 10:g} | {wall:.1f} | {result.returncode} | "
          f"{counts} | {report['run']['stop_reason']} |")


if __name__ == "__main__":
    main()
