"""The CalDAV suite against the real reference servers, through the ``conformance`` command.

Every failing requirement of a reference candidate must be a documented known deviation, and
every known deviation must still fail (no stale deviation); anything else is either a server
bug to document, a deviation to drop, or a check bug to fix.

All four reference servers run in one campaign: Radicale and Xandikos (PyPI), Cyrus IMAP's
CalDAV module and DAViCal (Debian, installed by .ci/setup.d/50-caldav-servers.sh), each with
a fresh store, so the comparison page covers every server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration.conftest import conformance, read_report

SERVERS = ["radicale", "xandikos", "cyrus", "davical"]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("campaign")
    selection = [arg for server in SERVERS for arg in ("--candidate", server)]
    result = conformance(
        "run",
        *selection,
        "--campaign",
        "ci",
        "--output-root",
        str(root),
        "--seed",
        "20261122",
        cwd=root,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    return root / "ci"


@pytest.mark.parametrize("candidate", SERVERS)
def test_every_failure_is_a_documented_deviation(campaign: Path, candidate: str) -> None:
    report = read_report(campaign / candidate)
    unexplained = [
        r["id"]
        for r in report["requirements"]
        if r["outcome"] == "failed" and r["known_deviation"] is None
    ]
    assert unexplained == [], f"{candidate}: failures without a known deviation: {unexplained}"


@pytest.mark.parametrize("candidate", SERVERS)
def test_no_deviation_is_stale(campaign: Path, candidate: str) -> None:
    """A known deviation whose requirement now passes, or does not apply, must go."""
    report = read_report(campaign / candidate)
    assert report["stale_deviations"] == [], f"{candidate}: {report['stale_deviations']}"


@pytest.mark.parametrize("candidate", SERVERS)
def test_every_inapplicable_check_names_its_signal(campaign: Path, candidate: str) -> None:
    report = read_report(campaign / candidate)
    unsignalled = [c["nodeid"] for c in report["checks"]
                   if c["outcome"] == "inapplicable" and not c.get("signal")]
    assert unsignalled == [], f"{candidate}: inapplicable without a signal: {unsignalled}"


@pytest.mark.parametrize("candidate", SERVERS)
def test_no_requirement_is_left_undecided(campaign: Path, candidate: str) -> None:
    report = read_report(campaign / candidate)
    undecided = {
        r["id"]: r["outcome"]
        for r in report["requirements"]
        if r["outcome"] in ("cantTell", "untested")
    }
    assert undecided == {}, f"{candidate}: {undecided}"


@pytest.mark.parametrize("candidate", SERVERS)
def test_report_pins_what_ran(campaign: Path, candidate: str) -> None:
    report = read_report(campaign / candidate)
    assert report["run"]["complete"] is True
    assert report["run"]["seeds"]["hypothesis"] == 20261122
    assert report["candidate"]["artefacts"][0]["digest"].startswith("sha256:")
    assert report["suites"][0]["catalogue_digest"].startswith("sha256:")
    assert len(report["requirements"]) >= 50
    for name in ("junit.xml", "earl.jsonld", "journal.jsonl", "candidate.log"):
        assert (campaign / candidate / name).stat().st_size > 0


def test_failures_carry_evidence(campaign: Path) -> None:
    for candidate in SERVERS:
        report = read_report(campaign / candidate)
        for requirement in report["requirements"]:
            if requirement["outcome"] != "failed":
                continue
            finding = requirement["findings"][0]
            assert finding["message"], requirement["id"]
            assert finding["evidence"].get("exchanges") or finding["evidence"].get("notes"), (
                requirement["id"]
            )


def test_campaign_index_lists_every_server(campaign: Path) -> None:
    import json

    index = json.loads((campaign / "campaign.json").read_text())
    assert [c["id"] for c in index["candidates"]] == SERVERS
    for entry in index["candidates"]:
        report = read_report(campaign / entry["id"])
        assert entry["verdict"] == report["verdict"]
        expected_code = 0 if report["verdict"] == "pass" else 1
        assert entry["exit_code"] == expected_code


def test_comparison_page_covers_every_server(campaign: Path) -> None:
    page = (campaign / "compare-caldav-caldav-core.html").read_text()
    for server in SERVERS:
        assert f"{server}/report.html" in page, server

