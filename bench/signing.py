"""Benchmark: signing and verifying conformance reports.

Prints, for a small report and for a real-sized one (every requirement of the bundled suites
with evidence-sized findings), the median time to sign and to verify one report (target: under
20 ms each), and the time to verify 1,000 signed reports in a row.

    .venv/bin/python bench/signing.py [--report path/to/report.json] [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from rich.console import Console
from rich.table import Table

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from conformance.report.model import Report  # noqa: E402
from conformance.trust.keys import key_id, public_to_text  # noqa: E402
from conformance.trust.policy import LabelPolicy  # noqa: E402
from conformance.trust.sign import sign_report  # noqa: E402
from conformance.trust.trust_list import load_trust_list  # noqa: E402
from conformance.trust.verify import verify_bytes  # noqa: E402
from tests.helpers import Req  # noqa: E402
from tests.unit.signing_support import make_report  # noqa: E402


def synthetic(requirements: int) -> Report:
    reqs = [Req(f"demo.r{i}") for i in range(requirements)]
    return make_report({r.id: "passed" for r in reqs}, requirements=reqs)


def median_ms(action: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()  # type: ignore[operator]
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--report", type=Path, help="a real report.json to measure too")
    parser.add_argument("--repeat", type=int, default=50)
    options = parser.parse_args()
    key = Ed25519PrivateKey.generate()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as directory:
        trust_file = Path(directory) / "trust.toml"
        trust_file.write_text(
            "[[keys]]\n"
            f'id = "{key_id(key.public_key())}"\nholder = "Bench Audit"\nrole = "auditor"\n'
            f'public_key = "{public_to_text(key.public_key())}"\n'
            "valid_from = 2020-01-01\nvalid_until = 2100-01-01\n"
        )
        trust = load_trust_list(trust_file)
    policy = LabelPolicy()
    reports = {"small (3 requirements)": make_report(), "large (300 requirements)": synthetic(300)}
    if options.report:
        reports[f"real ({options.report})"] = Report.model_validate_json(
            options.report.read_bytes()
        )
    table = Table(title="signing and verifying reports (median ms; target < 20 ms)")
    for column in ("report", "envelope KiB", "sign ms", "verify ms", "verify 1,000 in a row s"):
        table.add_column(column, justify="right")
    for name, report in reports.items():
        envelope = sign_report(report, key, now)
        assert verify_bytes(envelope, trust, now, policy).authentic
        sign_ms = median_ms(lambda r=report: sign_report(r, key, now), options.repeat)
        verify_ms = median_ms(
            lambda e=envelope: verify_bytes(e, trust, now, policy), options.repeat
        )
        began = time.perf_counter()
        for _ in range(1000):
            verify_bytes(envelope, trust, now, policy)
        thousand = time.perf_counter() - began
        table.add_row(
            name,
            f"{len(envelope) / 1024:.1f}",
            f"{sign_ms:.2f}",
            f"{verify_ms:.2f}",
            f"{thousand:.2f}",
        )
    Console().print(table)


if __name__ == "__main__":
    main()
