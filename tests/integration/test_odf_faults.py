"""The ODF fault catalogue is caught on real product output.

Every package and document fault applied to what LibreOffice saved is reported by the
validator, and the package check's verdict on it is ``failed`` (not cantTell). Then the suite
itself runs against LibreOffice with a fault in front of it (``python -m suites.odf.damage``)
for every content, consumer and signature fault and a sample of package faults: a ``saved``
fault damages what LibreOffice saved, a ``read`` fault damages the document LibreOffice is
about to export. A fault is caught when each requirement it breaks, passed by the clean
LibreOffice, comes out ``failed``. Signature faults are measured against LibreOffice whose
output is signed with a throwaway key (the ``signed`` wrapper), where both signature
requirements pass. Schemas come from ../shared/odf-schemas (never committed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from conformance.api import CantTell, CheckFailure, NotApplicable
from conformance.candidate.manifest import load_manifest
from suites.odf.checks.test_producer_package import judge
from suites.odf.corpus import build_corpus
from suites.odf.faults import FAULTS, SIGNED, DocumentFault
from suites.odf.faults_producer import producer_faults
from suites.odf.schemas import SchemaSource
from suites.odf.validate import (
    VERIFIED_SIGNATURES,
    WELLFORMED_SIGNATURES,
    Validation,
    validate_bytes,
)
from tests.integration.conftest import PROJECT

SCHEMAS = PROJECT.parent / "shared" / "odf-schemas"
RULE_FAULTS = {f.name for f in producer_faults()}
LIBREOFFICE = PROJECT / "fixtures" / "candidates" / "libreoffice.toml"
SIGNATURE_REQUIREMENTS = {WELLFORMED_SIGNATURES, VERIFIED_SIGNATURES}
# Package faults also pushed through the wrapper: the rest are judged in process on
# LibreOffice's damaged output, by the validator and the package check's own verdict.
WRAPPED_PACKAGE_FAULTS = ("mimetype-compressed", "manifest-missing-entry",
                          "content-invalid-element", "content-broken-xml")
WRAPPED = [f for f in FAULTS if not f.validated or f.name in WRAPPED_PACKAGE_FAULTS
           or set(f.breaks) & SIGNATURE_REQUIREMENTS]
# Suite runs at once: LibreOffice converts on one core, so two keep a 2-core machine busy.
WORKERS = 2

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
    assert result.signature_files == [] and result.undecided == {}


def verdict(validation: Validation, requirement: str) -> str:
    """What the package check says about ``requirement`` on this validation."""
    try:
        judge(validation, requirement)
    except CheckFailure:
        return "failed"
    except CantTell:
        return "cantTell"
    except NotApplicable:
        return "inapplicable"
    return "passed"


def test_every_package_fault_is_caught_on_libreoffice_output(libreoffice_output: bytes) -> None:
    source = SchemaSource(directory=SCHEMAS)
    clean = validate_bytes(libreoffice_output, "lo", source)
    signed = SIGNED.corrupt(libreoffice_output)
    assert signed is not None
    baselines = {"clean": clean, "signed": validate_bytes(signed, "signed", source)}
    caught, missed, unprovable = [], [], []
    # The rule faults need documents of every type: tests/integration/test_odf_rules.py.
    package_faults = [f for f in FAULTS if f.validated and f.name not in RULE_FAULTS]
    for fault in package_faults:
        before = baselines[baseline(fault)]
        if any(verdict(before, r) != "passed" for r in fault.breaks):
            unprovable.append(fault.name)  # not passed without the fault
            continue
        damaged = fault.corrupt(libreoffice_output)
        assert damaged is not None
        after = validate_bytes(damaged, fault.name, source)
        verdicts = {verdict(after, r) for r in fault.breaks}
        (caught if verdicts == {"failed"} else missed).append(fault.name)
    assert missed == []
    # Only the strict-class fault cannot be shown on LibreOffice's (extended) output; the
    # unit test proves it on the strictly conforming generated corpus.
    assert unprovable == ["content-foreign-markup"]
    assert len(caught) == len(package_faults) - 1


def run_suite(manifest: Path, requirements: tuple[str, ...], root: Path,
              campaign: str) -> dict[str, str]:
    command = [sys.executable, "-m", "pytest", str(PROJECT / "suites" / "odf"),
               "--candidate", str(manifest), "--campaign", campaign,
               "--output-root", str(root), "--rootdir", str(PROJECT), "-q", "--seed", "5",
               # One candidate's checks share its round trips: never spread over workers.
               "-p", "no:cacheprovider", "-p", "no:xdist"]
    for requirement in requirements:
        command += ["--requirement", requirement]
    subprocess.run(command, capture_output=True, timeout=900, check=False, env=environment(),
                   cwd=PROJECT)
    report = json.loads((root / campaign / "libreoffice" / "report.json").read_text())
    return {r["id"]: r["outcome"] for r in report["requirements"]}


def wrapped_manifest(fault: DocumentFault, directory: Path) -> Path:
    """LibreOffice's manifest with the fault in front of it: its round trips (a ``saved``
    fault) or its exports (a ``read`` fault) run through the damaging wrapper."""
    data = load_manifest(LIBREOFFICE).manifest.model_dump(exclude_none=True)
    tables, path = ((("export", "export_with_password"), "{input}") if fault.stage == "read"
                    else (("roundtrip",), "{outdir}"))
    for table in tables:
        commands = data["settings"]["odf"].get(table, {})
        for key, command in commands.items():
            commands[key] = ["{python}", "-m", "suites.odf.damage", fault.name, path, "--",
                             *command]
    target = directory / f"damaged-{fault.name}.toml"
    # The copy lives elsewhere: the helper scripts stay beside the original manifest.
    text = tomli_w.dumps(data).replace("{manifest_dir}", str(LIBREOFFICE.parent))
    target.write_bytes(text.encode())
    return target


def baseline(fault: DocumentFault) -> str:
    return "signed" if set(fault.breaks) & SIGNATURE_REQUIREMENTS else "clean"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """Outcomes of the clean and signed baselines and of every wrapped fault, by name."""
    root = tmp_path_factory.mktemp("faults")
    wanted = {
        "clean": tuple(sorted({r for f in WRAPPED if baseline(f) == "clean" for r in f.breaks}
                              | SIGNATURE_REQUIREMENTS)),
        "signed": tuple(sorted(SIGNATURE_REQUIREMENTS)),
    }
    runs: dict[str, tuple[Path, tuple[str, ...]]] = {
        "clean": (LIBREOFFICE, wanted["clean"]),
        "signed": (wrapped_manifest(SIGNED, root), wanted["signed"]),
    }
    for fault in WRAPPED:
        runs[fault.name] = (wrapped_manifest(fault, root), fault.breaks)
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {name: pool.submit(run_suite, manifest, requirements, root, name)
                   for name, (manifest, requirements) in runs.items()}
        return {name: future.result() for name, future in futures.items()}


def test_baselines_pass_what_the_faults_break(outcomes: dict[str, dict[str, Any]]) -> None:
    for name in ("clean", "signed"):
        broken = {r for f in WRAPPED if baseline(f) == name for r in f.breaks}
        assert {r: outcomes[name][r] for r in broken} == dict.fromkeys(broken, "passed"), name
    # Unsigned LibreOffice output: the signature requirements do not apply.
    assert {r: outcomes["clean"][r] for r in SIGNATURE_REQUIREMENTS} == dict.fromkeys(
        SIGNATURE_REQUIREMENTS, "inapplicable")


@pytest.mark.parametrize("fault", WRAPPED, ids=lambda f: f.name)
def test_wrapped_fault_fails_the_suite(fault: DocumentFault,
                                       outcomes: dict[str, dict[str, str]]) -> None:
    assert {r: outcomes[fault.name][r] for r in fault.breaks} == dict.fromkeys(
        fault.breaks, "failed")
