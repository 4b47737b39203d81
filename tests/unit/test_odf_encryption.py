"""Password encryption (suites/odf/encryption.py, decrypting.py) and flat XML documents
(flat.py) on the suite's own corpus: encrypted by the suite with AES-256-CBC (ODF 1.2/1.3)
or AES-256-GCM (an alternative algorithm), decrypted with the right, a wrong and no
password; the algorithms
each version allows; and `conformance odf validate --password --json`. LibreOffice's own
encrypted and flat documents are tests/integration/test_odf_rules.py's."""

from __future__ import annotations

import io
import json
import re
import secrets
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.api import CantTell, CheckFailure, NotApplicable
from suites.odf.checks.test_producer_package import judge
from suites.odf.commands import COMMANDS
from suites.odf.corpus import build_corpus
from suites.odf.corpus_types import build_type_corpus
from suites.odf.decrypting import ALGORITHMS, DECRYPTS, ENCRYPTION_REQUIREMENTS
from suites.odf.encryption import encrypt_package
from suites.odf.faults import by_name
from suites.odf.flat import ROOT
from suites.odf.schemas import SchemaSource
from suites.odf.validate import validate_bytes

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "odf-schemas"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"no ODF schemas in {SHARED}")
PASSWORD = secrets.token_urlsafe(9)  # per run


@pytest.fixture(scope="module")
def source() -> SchemaSource:
    return SchemaSource(directory=SHARED)


def as_version(data: bytes, version: str) -> bytes:
    """The generated (ODF 1.2) package declaring ``version`` in every part."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.endswith(".xml"):
                content = re.sub(rb'(office|manifest):version="1\.2"',
                                 rb'\1:version="' + version.encode() + b'"', content)
            target.writestr(info, content)
    return out.getvalue()


def outcome(validation: object, requirement: str) -> str:
    try:
        judge(validation, requirement)  # type: ignore[arg-type]
    except CheckFailure:
        return "failed"
    except CantTell:
        return "cantTell"
    except NotApplicable:
        return "inapplicable"
    return "passed"


def test_suite_encrypted_documents_of_every_type_decrypt_and_conform(
        source: SchemaSource) -> None:
    packages = [build_corpus(2)[0], *(d for d in build_type_corpus()
                                      if not d.extension.startswith("fo"))]
    for document in packages:
        encrypted = encrypt_package(document.data, PASSWORD)
        result = validate_bytes(encrypted, document.name, source, password=PASSWORD)
        assert [str(p) for p in result.problems] == [], document.name
        assert result.conformance_class == "strict" and result.undecided == {}
        assert all(outcome(result, r) == "passed" for r in ENCRYPTION_REQUIREMENTS)


def test_without_or_with_a_wrong_password_nothing_is_passed(source: SchemaSource) -> None:
    encrypted = encrypt_package(build_corpus(2)[0].data, PASSWORD)
    locked = validate_bytes(encrypted, "locked", source)
    assert locked.conformance_class == "not checkable"
    for requirement in (DECRYPTS, "odf.document.schema-extended", "odf.document.wellformed",
                        "odf.document.style-refs-resolve"):
        assert outcome(locked, requirement) == "cantTell", requirement
    wrong = validate_bytes(encrypted, "wrong", source, password=PASSWORD + "x")
    assert outcome(wrong, DECRYPTS) == "failed"
    assert outcome(wrong, "odf.document.schema-extended") == "cantTell"


def test_aes_gcm_is_an_alternative_algorithm_for_extended_packages(source: SchemaSource) -> None:
    # Part 2 §4.16.1 (1.3 and 1.4 alike): an IRI outside the xmlenc-core §5.2 list is an
    # alternative algorithm, "specified by extended conforming packages only".
    text = build_corpus(2)[0].data
    for version in ("1.2", "1.4"):
        data = text if version == "1.2" else as_version(text, version)
        gcm = validate_bytes(encrypt_package(data, PASSWORD, gcm=True), f"{version} gcm",
                             source, password=PASSWORD)
        assert [str(p) for p in gcm.problems] == [], version
        assert gcm.conformance_class == "extended", version
        assert outcome(gcm, ALGORITHMS) == "passed", version
        assert outcome(gcm, "odf.document.schema-strict") == "failed", version
        assert outcome(gcm, DECRYPTS) == "passed", version


def test_a_key_size_that_does_not_fit_the_cipher_is_caught(source: SchemaSource) -> None:
    fault = by_name("encryption-key-size-wrong")
    encrypted = encrypt_package(build_corpus(2)[0].data, PASSWORD)
    damaged = fault.corrupt(encrypted)
    assert damaged is not None
    broken = validate_bytes(damaged, "key size", source, password=PASSWORD)
    assert outcome(broken, ALGORITHMS) == "failed"


def test_unencrypted_documents_make_encryption_inapplicable(source: SchemaSource) -> None:
    plain = validate_bytes(build_corpus(2)[0].data, "plain", source)
    assert {outcome(plain, r) for r in ENCRYPTION_REQUIREMENTS} == {"inapplicable"}


def test_flat_documents_validate_and_their_fault_is_caught(source: SchemaSource) -> None:
    flats = [d for d in build_type_corpus() if d.extension.startswith("fo")]
    assert {d.extension for d in flats} == {"fodt", "fods", "fodp"}
    fault = by_name("flat-no-mimetype")
    for document in flats:
        result = validate_bytes(document.data, document.name, source)
        assert result.conformance_class == "strict", [str(p) for p in result.problems]
        assert outcome(result, ROOT) == "passed"
        assert outcome(result, "odf.package.mimetype-first") == "inapplicable"
        damaged = fault.corrupt(document.data)
        assert damaged is not None
        assert outcome(validate_bytes(damaged, "damaged", source), ROOT) == "failed"
    broken = validate_bytes(flats[0].data[:-40], "cut", source)
    assert outcome(broken, "odf.document.wellformed") == "failed"


def test_validate_command_takes_a_password_and_names_requirements(
        source: SchemaSource, tmp_path: Path) -> None:
    path = tmp_path / "locked.odt"
    path.write_bytes(encrypt_package(build_corpus(2)[0].data, PASSWORD))
    runner = CliRunner()
    locked = runner.invoke(COMMANDS, ["validate", "--schemas", str(SHARED), str(path)])
    assert locked.exit_code == 1 and "not checkable" in locked.output
    opened = runner.invoke(COMMANDS, ["validate", "--json", "--schemas", str(SHARED),
                                      "--password", PASSWORD, str(path)])
    assert opened.exit_code == 0, opened.output
    assert json.loads(opened.output)["documents"][0]["conformance_class"] == "strict"
    wrong = runner.invoke(COMMANDS, ["validate", "--json", "--schemas", str(SHARED),
                                     "--password", "not-it", str(path)])
    problems = json.loads(wrong.output)["documents"][0]["problems"]
    assert wrong.exit_code == 1 and {p["requirement"] for p in problems} == {DECRYPTS}
    assert PASSWORD not in opened.output + wrong.output
