"""The OpenID Connect suite against panva's oidc-provider, through the ``conformance`` command.

Every failing requirement must be a documented known deviation of the manifest; anything
else is either a provider bug to document or a check bug to fix.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration.conftest import conformance, read_report

pytestmark = pytest.mark.skipif(shutil.which("node") is None,
                                reason="Node.js is not installed (.ci/setup.d/30-oidc-provider.sh)")


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("campaign")
    result = conformance("run", "--candidate", "oidc-provider", "--campaign", "ci",
                         "--output-root", str(root), "--seed", "20261122", cwd=root)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    return root / "ci" / "oidc-provider"


def test_every_failure_is_a_documented_deviation(campaign: Path) -> None:
    report = read_report(campaign)
    unexplained = [r["id"] for r in report["requirements"]
                   if r["outcome"] == "failed" and r["known_deviation"] is None]
    assert unexplained == []


def test_no_requirement_is_left_undecided(campaign: Path) -> None:
    report = read_report(campaign)
    undecided = {r["id"]: r["outcome"] for r in report["requirements"]
                 if r["outcome"] in ("cantTell", "untested")}
    assert undecided == {}


def test_every_must_passes(campaign: Path) -> None:
    report = read_report(campaign)
    assert [p["verdict"] for p in report["profiles"]] == ["pass"] * 5
    assert report["verdict"] == "pass"
    assert len(report["requirements"]) >= 45


def test_report_names_the_npm_package_and_certification_modules(campaign: Path) -> None:
    report = read_report(campaign)
    artefact = report["candidate"]["artefacts"][0]
    assert artefact["kind"] == "npm-package"
    assert artefact["version"].startswith("8.")
    assert artefact["digest"].startswith("sha256:")
    by_id = {r["id"]: r for r in report["requirements"]}
    assert by_id["oidc.token.code-reuse"]["references"] == {
        "oidf-conformance-suite": ["oidcc-codereuse"]}
    assert "private" not in (campaign / "candidate.log").read_text().lower()
