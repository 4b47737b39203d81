"""The ODF fault catalogue is caught on real producer output: every corrupted-document fault
applied to what LibreOffice saved is reported by the validator, and a wrapper that damages
LibreOffice's output in place makes the suite's checks fail where the clean LibreOffice
passes. Schemas come from ../shared/odf-schemas (never committed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from conformance.candidate.manifest import load_manifest
from suites.odf.corpus import build_corpus
from suites.odf.faults import FAULTS
from suites.odf.schemas import SchemaSource
from suites.odf.validate import validate_bytes
from tests.integration.conftest import PROJECT

SCHEMAS = PROJECT.parent / "shared" / "odf-schemas"
LIBREOFFICE = PROJECT / "fixtures" / "candidates" / "libreoffice.toml"
# Faults pushed through the producer wrapper (each costs a LibreOffice run of the corpus).
WRAPPED = ("mimetype-compressed", "manifest-missing-entry", "content-invalid-element",
           "content-broken-xml")

pytestmark = [
    pytest.mark.skipif(not SCHEMAS.is_dir(), reason=f"no ODF schemas in {SCHEMAS}"),
    pytest.mark.skipif(subprocess.run(["sh", "-c", "command -v soffice"],
                                      capture_output=True).returncode != 0,
                       reason="LibreOffice is not installed (.ci/setup.d/20-odf-tools.sh)"),
]


def environment() -> dict[str, str]:
    return {**os.environ, "CONFORMANCE_ODF_SCHEMAS": str(SCHEMAS)}


@pytest.fixture(scope="module")
def libreoffice_output(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The generated text document, opened and saved by the real LibreOffice."""
    directory = tmp_path_factory.mktemp("lo")
    source = directory / "source.odt"
    source.write_bytes(build_corpus(3)[0].data)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{directory}/profile", "--headless",
         "--norestore", "--convert-to", "odt", "--outdir", str(directory / "out"), str(source)],
        capture_output=True, timeout=180, check=True,
    )
    return (directory / "out" / "source.odt").read_bytes()


def test_libreoffice_output_is_extended_conforming(libreoffice_output: bytes) -> None:
    result = validate_bytes(libreoffice_output, "lo", SchemaSource(directory=SCHEMAS))
    assert result.problems == []
    assert result.conformance_class == "extended"


def test_every_fault_is_caught_on_libreoffice_output(libreoffice_output: bytes) -> None:
    source = SchemaSource(directory=SCHEMAS)
    clean = validate_bytes(libreoffice_output, "lo", source).broken()
    caught, missed, unprovable = [], [], []
    for fault in FAULTS:
        if set(fault.breaks) & clean:
            unprovable.append(fault.name)  # already broken without the fault
            continue
        found = validate_bytes(fault.corrupt(libreoffice_output), fault.name, source).broken()
        (caught if set(fault.breaks) <= found else missed).append(fault.name)
    assert missed == []
    # Only the strict-class fault cannot be shown on LibreOffice's (extended) output.
    assert unprovable == ["content-foreign-markup"]
    assert len(caught) >= 15


def run_suite(manifest: Path, requirements: tuple[str, ...], root: Path,
              campaign: str) -> dict[str, Any]:
    command = [sys.executable, "-m", "pytest", str(PROJECT / "suites" / "odf"),
               "--candidate", str(manifest), "--campaign", campaign,
               "--output-root", str(root), "--rootdir", str(PROJECT), "-q", "--seed", "5",
               "-p", "no:cacheprovider"]
    for requirement in requirements:
        command += ["--requirement", requirement]
    subprocess.run(command, capture_output=True, timeout=600, check=False, env=environment(),
                   cwd=PROJECT)
    report = json.loads((root / campaign / "libreoffice" / "report.json").read_text())
    return {r["id"]: r["outcome"] for r in report["requirements"]}


def wrapped_manifest(fault: str, directory: Path) -> Path:
    """LibreOffice's manifest with every round trip run through the damaging wrapper."""
    data = load_manifest(LIBREOFFICE).manifest.model_dump(exclude_none=True)
    commands = data["settings"]["odf"]["roundtrip"]
    for kind, command in commands.items():
        commands[kind] = ["{python}", "-m", "suites.odf.damage", fault, "{outdir}", "--",
                          *command]
    path = directory / f"damaged-{fault}.toml"
    path.write_bytes(tomli_w.dumps(data).encode())
    return path


@pytest.fixture(scope="module")
def clean_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    wanted = tuple(sorted({r for f in FAULTS if f.name in WRAPPED for r in f.breaks}))
    return run_suite(LIBREOFFICE, wanted, tmp_path_factory.mktemp("clean"), "clean")


@pytest.mark.parametrize("name", WRAPPED)
def test_damaged_producer_output_fails_the_suite(
    name: str, clean_outcomes: dict[str, Any], tmp_path: Path
) -> None:
    fault = next(f for f in FAULTS if f.name == name)
    assert all(clean_outcomes[r] == "passed" for r in fault.breaks), clean_outcomes
    outcomes = run_suite(wrapped_manifest(name, tmp_path), fault.breaks, tmp_path, name)
    assert {r: outcomes[r] for r in fault.breaks} == {r: "failed" for r in fault.breaks}
