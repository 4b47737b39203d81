"""The producer rules (suites/odf/rules), encryption and flat XML on what real LibreOffice
saves, for every document type it supports (text, spreadsheet, presentation, drawing, an
embedded chart, flat .fodt/.fods/.fodp, and a text saved with a password through the UNO
API): the clean documents break no rule, and every fault of ``faults_producer`` applied to
one of them is reported by the validator and judged ``failed`` by the package check.
Schemas come from ../shared/odf-schemas (never committed)."""

from __future__ import annotations

import io
import os
import secrets
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from suites.odf.corpus import build_corpus
from suites.odf.corpus_types import build_type_corpus
from suites.odf.decrypting import ENCRYPTION_REQUIREMENTS
from suites.odf.faults import FAULTS
from suites.odf.faults_producer import producer_faults
from suites.odf.flat import ROOT as FLAT_ROOT
from suites.odf.rules import REQUIREMENTS as RULE_REQUIREMENTS
from suites.odf.schemas import SchemaSource
from suites.odf.validate import Validation, validate_bytes
from tests.integration.conftest import PROJECT
from tests.integration.test_odf_faults import verdict

RULE_NAMES = {f.name for f in producer_faults()}
RULE_FAULTS = [f for f in FAULTS if f.name in RULE_NAMES]
RULES = sorted({r for f in RULE_FAULTS for r in f.breaks} - {"odf.document.schema-extended"})
RULES_OF_SUITE = (*RULE_REQUIREMENTS, *ENCRYPTION_REQUIREMENTS, FLAT_ROOT)
ENCRYPT = PROJECT / "fixtures" / "libreoffice" / "save_encrypted.py"
# Made per run, never stored: the password LibreOffice encrypts the document with.
PASSWORD = secrets.token_urlsafe(12)
SCHEMAS = PROJECT.parent / "shared" / "odf-schemas"

pytestmark = [
    pytest.mark.skipif(not SCHEMAS.is_dir(), reason=f"no ODF schemas in {SCHEMAS}"),
    pytest.mark.skipif(subprocess.run(["sh", "-c", "command -v soffice"],
                                      capture_output=True).returncode != 0,
                       reason="LibreOffice is not installed (.ci/setup.d/20-odf-tools.sh)"),
]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Each document type's source, opened and saved by the real LibreOffice (one run)."""
    directory = tmp_path_factory.mktemp("lo-types")
    sources = [build_corpus(3)[0], *build_type_corpus()]
    paths = []
    for source in sources:
        path = directory / f"{source.name}.{source.extension}"
        path.write_bytes(source.data)
        paths.append(path)
    out = directory / "out"
    for path in paths:  # --convert-to takes one output format per run
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{directory}/profile", "--headless",
             "--norestore", "--convert-to", path.suffix[1:], "--outdir", str(out), str(path)],
            capture_output=True, timeout=180, check=True)
    documents = {p.stem: (out / p.name).read_bytes() for p in paths if p.suffix[:3] != ".fo"}
    documents["text-encrypted"] = _encrypted_by_libreoffice(directory, out / paths[0].name)
    documents.update({p.stem: (out / p.name).read_bytes() for p in paths
                      if p.suffix[:3] == ".fo"})  # flat ones last: zip faults fail on them
    return documents


def _encrypted_by_libreoffice(directory: Path, document: Path) -> bytes:
    """``document`` saved with a password by LibreOffice (UNO storeToURL, Password)."""
    pipe = f"conformance-{os.getpid()}-{secrets.token_hex(4)}"
    office = subprocess.Popen(
        ["soffice", f"-env:UserInstallation=file://{directory}/profile-uno", "--headless",
         "--norestore", "--invisible", f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = directory / "encrypted.odt"
    try:
        subprocess.run(["/usr/bin/python3", str(ENCRYPT), pipe, str(document), str(target),
                        PASSWORD], capture_output=True, timeout=120, check=True)
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
    return target.read_bytes()


@pytest.fixture(scope="module")
def source() -> SchemaSource:
    return SchemaSource(directory=SCHEMAS)


def test_libreoffice_breaks_no_rule_on_any_document_type(
        saved: dict[str, bytes], source: SchemaSource) -> None:
    for name, data in saved.items():
        result = validate_bytes(data, name, source, password=PASSWORD)
        assert [str(p) for p in result.problems] == [], name
        assert result.conformance_class == "extended", name
    encrypted = validate_bytes(saved["text-encrypted"], "encrypted", source, password=PASSWORD)
    assert encrypted.undecided == {} and encrypted.version == "1.3"
    locked = validate_bytes(saved["text-encrypted"], "encrypted", source)
    assert locked.conformance_class == "not checkable"  # no password: its parts unread
    # Every rule looks at something in at least one of the documents (none is vacuous).
    absent: list[set[str]] = [set(validate_bytes(d, n, source, password=PASSWORD).absent)
                              for n, d in saved.items()]
    looked_at = set(RULES) - absent[0].intersection(*absent[1:])
    assert sorted(set(RULES) - looked_at) == []


def _apply(fault_name: str, saved: dict[str, bytes]) -> tuple[str, bytes]:
    fault = next(f for f in RULE_FAULTS if f.name == fault_name)
    for name, data in saved.items():
        try:
            damaged = fault.corrupt(data)
        except (ValueError, zipfile.BadZipFile, etree.XMLSyntaxError):
            continue  # nothing in this document type for the fault to change
        assert damaged is not None
        return name, damaged
    raise AssertionError(f"{fault_name} applies to no document LibreOffice saved")


def test_every_rule_fault_is_caught_on_libreoffice_output(
        saved: dict[str, bytes], source: SchemaSource) -> None:
    clean: dict[str, Validation] = {n: validate_bytes(d, n, source, password=PASSWORD)
                                    for n, d in saved.items()}
    outcomes = {}
    for fault in RULE_FAULTS:
        name, damaged = _apply(fault.name, saved)
        before = {verdict(clean[name], r) for r in fault.breaks}
        # Passed, or nothing of its kind in the clean document (an xml:id LibreOffice did
        # not write): never already failed or cantTell.
        assert before <= {"passed", "inapplicable"}, (fault.name, before)
        after = validate_bytes(damaged, fault.name, source, password=PASSWORD)
        outcomes[fault.name] = {r: verdict(after, r) for r in fault.breaks}
    missed = {n: o for n, o in outcomes.items() if set(o.values()) != {"failed"}}
    assert missed == {}
    # Every rule requirement is broken by at least one of these faults.
    assert sorted(set(RULES_OF_SUITE) - set(RULES)) == []


SIGN = PROJECT / "fixtures" / "libreoffice" / "sign_with_nss.py"


def _nss_database(directory: Path) -> Path:
    """An NSS database holding a key and certificate made for this run; the PKCS#12 file
    that carries them into it is mode 0600 and is deleted once imported."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    from suites.odf.signatures import throwaway_signer

    database = directory / "nss"
    database.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{database}", "--empty-password"],
                   capture_output=True, timeout=60, check=True)
    key, certificate = throwaway_signer("ODF conformance LibreOffice signer")
    secret = secrets.token_urlsafe(12)
    bundle = directory / "signer.p12"
    handle = os.open(bundle, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(pkcs12.serialize_key_and_certificates(
            b"signer", key, certificate, None, BestAvailableEncryption(secret.encode())))
    assert bundle.stat().st_mode & 0o777 == 0o600
    try:
        subprocess.run(["pk12util", "-i", str(bundle), "-d", f"sql:{database}", "-W", secret,
                        "-K", ""], capture_output=True, timeout=60, check=True)
    finally:
        bundle.unlink()
    return database


@pytest.fixture(scope="module")
def signed_by_libreoffice(saved: dict[str, bytes],
                          tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """LibreOffice's saved spreadsheet, signed by LibreOffice (UNO, NSS database)."""
    directory = tmp_path_factory.mktemp("lo-sign")
    database = _nss_database(directory)
    document = directory / "signed.ods"
    document.write_bytes(saved["sheet-formulas"])
    signature = directory / "documentsignatures.xml"
    pipe = f"conformance-sign-{os.getpid()}-{secrets.token_hex(4)}"
    office = subprocess.Popen(
        ["soffice", f"-env:UserInstallation=file://{directory}/profile", "--headless",
         "--norestore", "--invisible", f"--accept=pipe,name={pipe};urp;"],
        env={**os.environ, "MOZILLA_CERTIFICATE_FOLDER": f"sql:{database}"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        subprocess.run(["/usr/bin/python3", str(SIGN), pipe, str(document), str(signature)],
                       capture_output=True, timeout=120, check=True)
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
            office.wait()
    return _with_file(document.read_bytes(), "META-INF/documentsignatures.xml",
                      signature.read_bytes())


def _with_file(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_a_libreoffice_signature_verifies_but_lacks_dsig_version(
        signed_by_libreoffice: bytes, source: SchemaSource) -> None:
    """LibreOffice's ODF signature (XML-DSig with XAdES properties) verifies over every part
    it references; its document-signatures root has no dsig:version, which the 1.2-1.4 dsig
    schemas require (xmlsignaturehelper.cxx writes the root with its xmlns only): its known
    deviation on odf.package.signatures-wellformed."""
    from suites.odf import signatures

    result = validate_bytes(signed_by_libreoffice, "signed by LibreOffice", source)
    assert result.signature_files == ["META-INF/documentsignatures.xml"]
    assert {p.requirement for p in result.problems} == {"odf.package.signatures-wellformed"}
    assert all("document-signatures failed to validate attributes" in p.message
               for p in result.problems)
    archive = zipfile.ZipFile(io.BytesIO(signed_by_libreoffice))
    names = set(archive.namelist())
    root = etree.fromstring(archive.read("META-INF/documentsignatures.xml"))
    assert root.find(".//{http://uri.etsi.org/01903/v1.3.2#}SignedProperties") is not None

    def read(path: str) -> bytes | None:
        return archive.read(path) if path in names else None

    verified = signatures.verify(root, read)
    assert verified.problems == [] and verified.undecided == []
    # The same signature over a content.xml changed after signing no longer verifies.
    changed = {**{n: archive.read(n) for n in names},
               "content.xml": archive.read("content.xml").replace(b"north", b"NORTH")}
    assert signatures.verify(root, changed.get).problems != []
