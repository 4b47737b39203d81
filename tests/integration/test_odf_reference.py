"""The ODF suite against the five real reference tools: LibreOffice passes both
profiles, every requirement a candidate fails is one of its documented known deviations, and
no deviation is stale (the core reports, in ``stale_deviations``, every known deviation that
is not marked intermittent and whose requirement passed or does not apply), so the comparison
in the reports is honest."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from suites.odf.checks.test_producer_package import NO_SIGNATURES
from suites.odf.decrypting import ENCRYPTION_REQUIREMENTS
from suites.odf.interop import REFERENCE
from suites.odf.validate import VERIFIED_SIGNATURES, WELLFORMED_SIGNATURES
from tests.integration.conftest import PROJECT, conformance, read_report

SCHEMAS = PROJECT.parent / "shared" / "odf-schemas"
SIGNATURES = {WELLFORMED_SIGNATURES, VERIFIED_SIGNATURES}
CANDIDATES = {"libreoffice": "soffice", "pandoc": "pandoc", "abiword": "abiword",
              "gnumeric": "ssconvert", "calligra": "calligraconverter"}

pytestmark = pytest.mark.skipif(not SCHEMAS.is_dir(), reason=f"no ODF schemas in {SCHEMAS}")


@pytest.fixture(scope="module")
def campaign(tmp_path_factory: pytest.TempPathFactory) -> Path:
    missing = [tool for tool in CANDIDATES.values() if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"not installed: {', '.join(missing)} (.ci/setup.d/20-odf-tools.sh)")
    root = tmp_path_factory.mktemp("odf")
    arguments = ["run", "--campaign", "odf", "--output-root", str(root), "--seed", "20261122"]
    for candidate in CANDIDATES:
        arguments += ["--candidate", candidate]
    os.environ.setdefault("CONFORMANCE_ODF_SCHEMAS", str(SCHEMAS))
    result = conformance(*arguments, cwd=PROJECT, timeout=900)
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return root / "odf"


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in report["requirements"]}


@pytest.mark.parametrize("candidate", sorted(CANDIDATES))
def test_failures_are_exactly_the_documented_deviations(campaign: Path, candidate: str) -> None:
    report = read_report(campaign / candidate)
    assert report["run"]["complete"] is True
    found = outcomes(report)
    failed = {r for r, o in found.items() if o == "failed"}
    documented = set(report["candidate"]["known_deviations"])
    assert failed - documented == set(), "undocumented failures"
    # Intermittent deviations (AbiWord's unreadable saves) are left out by the core.
    assert report["stale_deviations"] == [], "deviations the product no longer shows"


def test_libreoffice_passes_both_profiles(campaign: Path) -> None:
    report = read_report(campaign / "libreoffice")
    assert {p["profile"]: p["verdict"] for p in report["profiles"]} == {
        "odf-producer": "pass", "odf-consumer": "pass"}
    assert report["candidate"]["artefacts"][0]["kind"] == "debian-package"
    # Every requirement was decided on LibreOffice, none left untested; only the signature
    # requirements do not apply (it saves unsigned documents), and the report says why.
    found = outcomes(report)
    # Nor does encryption: it saves without a password (encryption of LibreOffice's own
    # documents is tests/integration/test_odf_rules.py's).
    assert {r for r, o in found.items() if o == "inapplicable"} == SIGNATURES | set(
        ENCRYPTION_REQUIREMENTS)
    assert set(found.values()) <= {"passed", "failed", "inapplicable"}
    signals = {c["signal"] for c in report["checks"]
               if set(c.get("requirements", [])) & SIGNATURES}
    assert signals == {NO_SIGNATURES}


def test_failures_carry_document_evidence(campaign: Path) -> None:
    report = read_report(campaign / "pandoc")
    finding = next(r for r in report["requirements"]
                   if r["id"] == "odf.document.schema-extended")["findings"][0]
    document = finding["evidence"]["documents"][0]
    assert document["part"] == "styles.xml" and document["location"].startswith("styles.xml:")
    assert finding["evidence"].get("commands") or finding["evidence"].get("notes")


def test_campaign_writes_the_interop_matrix(campaign: Path) -> None:
    """The campaign's page (the suite's campaign_page hook): every producer's documents
    opened by every consumer of that kind, each cell with its evidence."""
    matrix = json.loads((campaign / "odf-interop.json").read_text())
    assert (campaign / "odf-interop.html").read_text().count("<table>") == 2
    assert matrix["tools"] == sorted(CANDIDATES) and matrix["unavailable"] == {}
    assert matrix["producers"] == {"text": [REFERENCE, "libreoffice", "pandoc", "abiword"],
                                   "spreadsheet": [REFERENCE, "libreoffice", "gnumeric"]}
    assert matrix["consumers"] == {"text": ["abiword", "calligra", "libreoffice", "pandoc"],
                                   "spreadsheet": ["gnumeric", "libreoffice"]}
    cells = {(c["kind"], c["producer"], c["consumer"]): c for c in matrix["cells"]}
    assert len(cells) == len(matrix["cells"]) == 4 * 4 + 3 * 2
    for cell in cells.values():
        assert cell["outcome"] in ("clean", "lossy", "failed")
        assert (cell["outcome"] == "clean") == (not cell["lost"] and not cell["detail"])
        assert cell["outcome"] != "lossy" or cell["lost"]
    # What the generated document and LibreOffice save, LibreOffice and Calligra read whole.
    for producer in (REFERENCE, "libreoffice"):
        for consumer in ("libreoffice", "calligra"):
            assert cells[("text", producer, consumer)]["outcome"] == "clean"
    assert cells[("spreadsheet", "gnumeric", "libreoffice")]["outcome"] == "clean"
    assert cells[("spreadsheet", "libreoffice", "gnumeric")]["outcome"] == "clean"
