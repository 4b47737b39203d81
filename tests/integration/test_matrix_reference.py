"""The Matrix suite against the real reference homeserver (Synapse from PyPI), through the
``conformance`` command.

Every failing requirement must be a documented known deviation in the manifest; anything
else is either a server bug to document or a check bug to fix. The versions the server
announces are recorded in the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import conformance, read_report


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("campaign")
    result = conformance(
        "run", "--candidate", "synapse", "--campaign", "ci", "--output-root", str(root),
        "--seed", "20261122", cwd=root,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    return root / "ci" / "synapse"


def test_every_failure_is_a_documented_deviation(campaign: Path) -> None:
    report = read_report(campaign)
    unexplained = [
        r["id"]
        for r in report["requirements"]
        if r["outcome"] == "failed" and r["known_deviation"] is None
    ]
    assert unexplained == [], f"failures without a known deviation: {unexplained}"


def test_no_deviation_is_stale(campaign: Path) -> None:
    # A known deviation whose requirement now passes (or does not apply) is out of date: drop
    # it from the manifest rather than let it excuse a future failure.
    report = read_report(campaign)
    assert report["stale_deviations"] == []


def test_no_requirement_is_left_undecided(campaign: Path) -> None:
    report = read_report(campaign)
    undecided = {
        r["id"]: r["outcome"]
        for r in report["requirements"]
        if r["outcome"] in ("cantTell", "untested")
    }
    assert undecided == {}


def test_report_records_the_announced_versions(campaign: Path) -> None:
    report = read_report(campaign)
    versions = report["candidate"]["observed"]["matrix.versions"]
    assert any(v.startswith("v1.") for v in versions), versions


def test_report_pins_what_ran(campaign: Path) -> None:
    report = read_report(campaign)
    assert report["run"]["complete"] is True
    assert report["run"]["seeds"]["hypothesis"] == 20261122
    assert report["candidate"]["artefacts"][0]["digest"].startswith("sha256:")
    assert report["candidate"]["version"] == "1.163.2"
    assert len(report["requirements"]) >= 90
    for requirement in report["requirements"]:
        assert requirement["url"].startswith("https://spec.matrix.org/v1."), requirement["id"]
    for name in ("junit.xml", "earl.jsonld", "journal.jsonl", "candidate.log"):
        assert (campaign / name).stat().st_size > 0


def test_no_secret_of_the_candidate_reaches_the_report(campaign: Path) -> None:
    text = (campaign / "report.json").read_text()
    assert "signing.key" not in text or "ed25519 " not in text
    assert "syt_" not in text, "an access token leaked into the report"
