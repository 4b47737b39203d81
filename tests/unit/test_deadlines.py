"""A candidate that answers the readiness probe, then trickles one byte now and then, cannot
stall a run: each exchange has an overall deadline, an expired one is cantTell with its
evidence, and after three checks in a row run out of time the run stops, incomplete."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest

from conformance.check.deadline import DeadlineExceeded, deadline
from tests.helpers import Req
from tests.unit.test_plugin import make_manifest, make_suite, new_marker, start_pytest

PROJECT = Path(__file__).resolve().parents[2]
TRICKLING_SERVER = (PROJECT / "fixtures" / "hostile" / "trickling_server.py").read_text()

REQS = [Req(f"demo.r{n}") for n in range(5)]


def test_a_trickling_candidate_is_cut_short(tmp_path: Path) -> None:
    checks = "\n".join(
        f"""
@pytest.mark.requirement("demo.r{n}")
def test_r{n}(candidate):
    candidate.session().request("GET", "slow/{n}")
"""
        for n in range(5)
    )
    suite = make_suite(tmp_path, "trickle", REQS, "import pytest\n" + checks)
    marker = new_marker()
    manifest = make_manifest(tmp_path, ["{python}", "{workdir}/trickle.py", "{port}"], marker,
                             files={"trickle.py": TRICKLING_SERVER})
    run = start_pytest(tmp_path, suite, "--candidate", str(manifest), marker=marker,
                       env={"CONFORMANCE_EXCHANGE_DEADLINE": "1.5"}).result()
    assert run.returncode == 3, run.output
    report = run.report()
    outcomes = run.outcomes()
    assert [outcomes[f"demo.r{n}"] for n in range(5)] == [
        "cantTell", "cantTell", "cantTell", "untested", "untested"]
    finding = run.requirement("demo.r0")["findings"][0]
    assert "did not finish within its 1.5 s deadline" in finding["message"]
    assert report["run"]["complete"] is False
    assert "3 checks in a row run out of time" in report["run"]["stop_reason"]
    assert report["run"]["events"][-1]["kind"] == "candidate-unresponsive"


def test_nested_deadlines_keep_the_nearer_one() -> None:
    began = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="inner"), deadline(5, "outer"), \
            deadline(0.2, "inner"):
        time.sleep(3)
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
    with pytest.raises(DeadlineExceeded, match="outer"), deadline(0.3, "outer"), \
            deadline(5, "inner"):
        time.sleep(3)
    assert time.monotonic() - began < 3
