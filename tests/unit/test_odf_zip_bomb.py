"""ZIP bombs and oversized packages (issue 21, item 5): every limit refuses with the part
and the limit named, before or while inflating, never after reading it all; the document is
"not checkable" (exit 1), the suite's requirements cantTell, and normal documents still
validate. Timings are in bench/odf_zip_bomb.py, not here."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conformance.api import CantTell, CheckFailure, NotApplicable
from suites.odf import ODFSettings
from suites.odf.checks.test_producer_package import judge
from suites.odf.commands import COMMANDS
from suites.odf.content import read_content
from suites.odf.corpus import build_corpus
from suites.odf.faults import sign
from suites.odf.hostile import rewrite_package, zeros
from suites.odf.limits import DEFAULT_LIMITS, SIGNATURE_SHARE, LimitExceeded, Limits
from suites.odf.package import CHUNK, Package
from suites.odf.runner import limits_of
from suites.odf.schemas import SchemaSource
from suites.odf.validate import REQUIREMENTS, Validation, validate_bytes

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "odf-schemas"
needs_schemas = pytest.mark.skipif(not SHARED.is_dir(), reason=f"no ODF schemas in {SHARED}")
MIB = 1 << 20
MANIFEST = "META-INF/manifest.xml"
PICTURE = "Pictures/zeros.png"
CONTENT_HEAD = (b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
                b'office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
                b'office:version="1.2"><office:body><office:text>')
CONTENT_TAIL = b"</office:text></office:body></office:document-content>"


@pytest.fixture(scope="module")
def source() -> SchemaSource:
    return SchemaSource(directory=SHARED)


@pytest.fixture(scope="module")
def base() -> bytes:
    return build_corpus(3)[0].data


def package(base: bytes, parts: Mapping[str, Iterable[bytes]],
            listed: Iterable[str] = ()) -> bytes:
    """``base`` with ``parts`` replaced or added and ``listed`` added to the manifest."""
    out = io.BytesIO()
    rewrite_package(base, out, parts, {name: "application/octet-stream" for name in listed})
    return out.getvalue()


def bomb(base: bytes, size: int = 48 * MIB) -> bytes:
    """A picture of zeros: 48 MiB from ~48 KB (DEFLATE's ~1030:1)."""
    return package(base, {PICTURE: zeros(size)}, [PICTURE])


def outcomes(validation: Validation) -> dict[str, str]:
    """The suite's verdict on every requirement: passed, failed or cantTell (and why)."""
    seen = {}
    for requirement in REQUIREMENTS:
        try:
            judge(validation, requirement)
            seen[requirement] = "passed"
        except CantTell as error:
            seen[requirement] = f"cantTell: {error}"
        except CheckFailure as error:
            seen[requirement] = f"failed: {error}"
        except NotApplicable as error:  # a pytest skip, not an Exception
            seen[requirement] = f"inapplicable: {error}"
    return seen


# -- the package reader ------------------------------------------------------------------


def test_a_declared_bomb_is_refused_before_a_byte_is_inflated(base: bytes) -> None:
    reader = Package(bomb(base))
    with pytest.raises(LimitExceeded) as refused:
        reader.read(PICTURE)
    assert refused.value.part == PICTURE and refused.value.limit == "max_part_bytes"
    assert "declares 50,331,648 unpacked bytes" in str(refused.value)
    assert reader.unpacked_total == 0
    # Within the part limit the same bomb is refused for its ratio, still uninflated.
    with pytest.raises(LimitExceeded, match="max_ratio limit of 500:1"):
        Package(bomb(base, 8 * MIB)).read(PICTURE)


class _Lying:
    """A ZIP reader that inflates past the size its directory declares (zipfile stops at
    the declared size; the count must not rely on that)."""

    def __init__(self, real: Any, size: int) -> None:
        self.real, self.size = real, size

    def open(self, info: zipfile.ZipInfo) -> io.BytesIO:
        return io.BytesIO(bytes(self.size))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_the_bytes_inflated_are_counted_whatever_the_header_declares(base: bytes) -> None:
    limits = Limits(max_part_bytes=4 * MIB, max_ratio=10**9)
    reader = Package(package(base, {PICTURE: [b"tiny"]}, [PICTURE]), limits=limits)
    reader.zip = _Lying(reader.zip, 64 * MIB)  # type: ignore[assignment]
    with pytest.raises(LimitExceeded, match="had unpacked") as refused:
        reader.read(PICTURE)
    assert refused.value.limit == "max_part_bytes"
    # Stopped within a chunk of the limit, not after the 64 MiB.
    assert limits.max_part_bytes < reader.unpacked_total + CHUNK <= limits.max_part_bytes + CHUNK


def test_the_ratio_is_checked_on_the_inflated_bytes_too(base: bytes) -> None:
    limits = Limits(max_ratio=50)
    reader = Package(package(base, {PICTURE: [b"x" * 100]}, [PICTURE]), limits=limits)
    reader.zip = _Lying(reader.zip, 8 * MIB)  # type: ignore[assignment]
    with pytest.raises(LimitExceeded, match="max_ratio") as refused:
        reader.read(PICTURE)
    assert "had unpacked" in str(refused.value)


def test_many_entries_are_refused_before_the_directory_is_parsed(
    base: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    parts = {f"Objects/{n // 10}/{n % 10}.bin": [b"x"] for n in range(60)}
    data = package(base, parts)
    parsed: list[int] = []
    real = zipfile.ZipFile.__init__

    def counting(self: zipfile.ZipFile, *args: Any, **kwargs: Any) -> None:
        parsed.append(1)
        real(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", counting)
    with pytest.raises(LimitExceeded, match="declares 66 entries") as refused:
        Package(data, limits=Limits(max_entries=50))
    assert refused.value.limit == "max_entries" and parsed == []


def test_a_directory_that_understates_its_entries_is_still_refused(base: bytes) -> None:
    parts = {f"Objects/{n}.bin": [b"x"] for n in range(60)}
    data = bytearray(package(base, parts))
    record = data.rindex(b"PK\x05\x06")
    data[record + 8 : record + 12] = (5).to_bytes(2, "little") * 2  # "5 entries"
    with pytest.raises(LimitExceeded, match="holds 66 entries"):
        Package(bytes(data), limits=Limits(max_entries=50))


def test_the_zip64_entry_count_is_read(base: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 10)  # zipfile then writes ZIP64 records
    data = bytearray(package(base, {f"{n}.bin": [b"x"] for n in range(60)}))
    record = data.rindex(b"PK\x05\x06")
    assert data[record - 20 : record - 16] == b"PK\x06\x07"
    data[record + 8 : record + 12] = b"\xff\xff\xff\xff"  # "see the ZIP64 record"
    with pytest.raises(LimitExceeded, match="declares 66 entries"):
        Package(bytes(data), limits=Limits(max_entries=50))


# -- the validator and the command -------------------------------------------------------


@needs_schemas
def test_a_bomb_is_not_checkable_with_the_part_and_limit_named(
    source: SchemaSource, base: bytes
) -> None:
    result = validate_bytes(bomb(base), "bomb", source)
    assert result.problems == []
    assert result.conformance_class == "not checkable" and not result.conforming
    assert len(result.refused) == 1
    assert result.refused[0].startswith(f"{PICTURE}: declares")
    assert "max_part_bytes" in result.refused[0]
    assert result.to_dict()["refused"] == result.refused
    # The suite: the CRC check cannot be made, so odf.package.zip is cantTell (no verdict);
    # everything the picture does not take part in is judged as usual.
    seen = outcomes(result)
    assert seen["odf.package.zip"].startswith("cantTell: odf.package.zip cannot be judged: "
                                              f"{PICTURE}: declares")
    # Inapplicable: unsigned, unencrypted, and the rules with nothing of their kind here.
    assert {r for r, o in seen.items()
            if o != "passed" and not o.startswith("inapplicable")} == {"odf.package.zip"}
    assert seen["odf.package.signatures-wellformed"].startswith("inapplicable")
    assert seen["odf.package.signatures-verify"].startswith("inapplicable")


@needs_schemas
def test_a_content_bomb_leaves_the_schema_requirements_cant_tell(
    source: SchemaSource, base: bytes
) -> None:
    data = package(base, {"content.xml": [CONTENT_HEAD, *zeros(40 * MIB)]})
    result = validate_bytes(data, "content bomb", source)
    assert result.conformance_class == "not checkable"
    assert all(m.startswith("content.xml: declares") for m in result.refused)
    seen = outcomes(result)
    for requirement in ("odf.document.wellformed", "odf.document.schema-extended",
                        "odf.document.schema-strict", "odf.document.version"):
        assert seen[requirement].startswith("cantTell"), requirement
        assert "content.xml" in seen[requirement] and "max_part_bytes" in seen[requirement]
    assert not [o for o in seen.values() if o.startswith("failed")]


@needs_schemas
def test_too_many_entries_leave_every_requirement_cant_tell(
    source: SchemaSource, base: bytes
) -> None:
    parts = {f"Object {n // 100}/{n % 100}.bin": [b"x"] for n in range(DEFAULT_LIMITS.max_entries)}
    result = validate_bytes(package(base, parts), "many", source)
    assert result.conformance_class == "not checkable"
    assert result.refused == [
        f"(package): the ZIP directory declares {DEFAULT_LIMITS.max_entries + 6:,} entries, "
        f"over the max_entries limit of {DEFAULT_LIMITS.max_entries:,} (--max-entries, "
        "[settings.odf] max_entries); not read further"]
    seen = outcomes(result)
    # Not "unsigned" (inapplicable) either: the package was not looked at.
    assert all(o.startswith("cantTell") and "max_entries" in o for o in seen.values()), seen


@needs_schemas
def test_the_total_is_bounded_and_the_check_stops_there(source: SchemaSource, base: bytes) -> None:
    names = [f"Objects/{n}.bin" for n in range(12)]
    data = package(base, {name: zeros(MIB // 2) for name in names}, names)
    result = validate_bytes(data, "spread", source, Limits(max_total_bytes=3 * MIB))
    assert len(result.refused) == 1 and "max_total_bytes limit of 3,145,728" in result.refused[0]
    assert result.refused[0].startswith("Objects/5.bin: declares 524,288 unpacked bytes, ")
    assert outcomes(result)["odf.package.zip"].startswith("cantTell")


@needs_schemas
def test_an_xml_part_with_too_many_nodes_is_refused(source: SchemaSource, base: bytes) -> None:
    body = b"<text:p>x</text:p>" * 2_000
    data = package(base, {"content.xml": [CONTENT_HEAD, body, CONTENT_TAIL]})
    assert validate_bytes(data, "fits", source).conformance_class == "strict"
    result = validate_bytes(data, "nodes", source, Limits(max_xml_nodes=1_000))
    assert result.conformance_class == "not checkable"
    assert result.refused[0].startswith("content.xml: holds more than 1,000 XML elements")
    assert outcomes(result)["odf.document.schema-strict"].startswith(
        "cantTell: odf.document.schema-strict cannot be judged: content.xml: holds more")


@needs_schemas
def test_a_violation_is_still_a_verdict_beside_a_refused_part(
    source: SchemaSource, base: bytes
) -> None:
    data = package(base, {PICTURE: zeros(48 * MIB)})  # the picture is not in the manifest
    result = validate_bytes(data, "unlisted bomb", source)
    assert result.conformance_class == "not conforming"
    assert result.broken() == {"odf.package.manifest-lists-files"} and result.refused


@needs_schemas
def test_the_command_names_the_limit_and_exits_1(
    tmp_path: Path, base: bytes
) -> None:
    path = tmp_path / "bomb.odt"
    path.write_bytes(bomb(base))
    runner = CliRunner()
    answer = runner.invoke(COMMANDS, ["validate", "--schemas", str(SHARED), str(path)])
    assert answer.exit_code == 1, answer.output
    assert f"{path}: not checkable" in answer.output
    assert f"not checked: {PICTURE}: declares 50,331,648 unpacked bytes" in answer.output
    assert "--max-part-bytes" in answer.output and "Traceback" not in answer.output
    # The limits are the user's to raise: then the picture is read, checked, and conforms.
    raised = runner.invoke(COMMANDS, ["validate", "--schemas", str(SHARED), str(path),
                                      "--max-part-bytes", str(64 * MIB), "--max-ratio", "2000"])
    assert raised.exit_code == 0, raised.output
    assert "strict" in raised.output
    zero = runner.invoke(COMMANDS, ["validate", "--schemas", str(SHARED), str(path),
                                    "--max-ratio", "0"])
    assert zero.exit_code == 2 and "Traceback" not in zero.output


@needs_schemas
def test_normal_documents_are_untouched_by_the_limits(source: SchemaSource) -> None:
    for document in build_corpus(11):
        result = validate_bytes(document.data, document.name, source)
        assert result.refused == [] and result.conformance_class == "strict", document.name


# -- the suite's settings and content reader ---------------------------------------------


def test_settings_carry_the_limits_with_defaults() -> None:
    assert ODFSettings().limits() == DEFAULT_LIMITS
    chosen = ODFSettings.model_validate({"max_part_bytes": 1024, "max_ratio": 20.5})
    assert chosen.limits() == Limits(max_part_bytes=1024, max_ratio=20.5)
    for name in Limits.names():
        assert ODFSettings.model_fields[name].description
    with pytest.raises(ValueError, match="max_entries"):
        ODFSettings.model_validate({"max_entries": 0})


class _Candidate:
    def __init__(self, settings: dict[str, Any]) -> None:
        self.table = settings

    def settings(self, standard: str) -> dict[str, Any]:
        assert standard == "odf"
        return dict(self.table)


def test_the_suite_reads_the_limits_from_the_manifest() -> None:
    chosen = _Candidate({"max_xml_nodes": 5000, "timeout": 30,
                         "roundtrip": {"text": ["soffice"]}})
    assert limits_of(chosen) == Limits(max_xml_nodes=5000)  # type: ignore[arg-type]
    # A malformed command table is the round trip's to report (cantTell), not the limits'.
    assert limits_of(_Candidate({"roundtrip": "soffice"})) == DEFAULT_LIMITS  # type: ignore[arg-type]


def test_the_content_checks_read_within_the_limits(base: bytes) -> None:
    assert read_content(base).paragraphs
    with pytest.raises(LimitExceeded, match=r"Pictures/zeros\.png"):
        read_content(package(base, {"content.xml": [CONTENT_HEAD, b'<text:p><draw:frame '
                     b'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"><draw:image'
                     b' xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="Pictures/zeros.png"'
                     b"/></draw:frame></text:p>", CONTENT_TAIL],
                                         PICTURE: zeros(48 * MIB)}))


# -- signatures: verification holds copies of what it reads, so it gets a share ----------


@needs_schemas
def test_a_signed_part_too_large_to_verify_leaves_verify_cant_tell(
    source: SchemaSource, base: bytes
) -> None:
    signed = sign(base)
    assert validate_bytes(signed, "signed", source).conformance_class == "strict"
    # content.xml fits the validator's limits, but not 1/8 of them.
    limits = Limits(max_xml_nodes=SIGNATURE_SHARE * 70)
    result = validate_bytes(signed, "signed", source, limits)
    assert result.conformance_class == "not checkable" and result.problems == []
    [refusal] = result.refused
    assert refusal.startswith("content.xml: holds more than 70 XML elements")
    assert f"max_xml_nodes limit of {SIGNATURE_SHARE * 70} / 8 = 70 for signature" in refusal
    seen = outcomes(result)
    assert seen["odf.package.signatures-wellformed"] == "passed"
    assert seen["odf.package.signatures-verify"] == (
        f"cantTell: odf.package.signatures-verify cannot be judged: {refusal}")


@needs_schemas
def test_signed_bytes_that_signxml_parses_are_bounded_too(
    source: SchemaSource, base: bytes
) -> None:
    """A part signed as stored bytes is parsed by signxml after its digest if it looks like
    XML: that parse is bounded as well."""
    nodes = b"<a>" + b"<b/>" * 1_000 + b"</a>"
    signed = sign(package(base, {"0.bin": [nodes]}, ["0.bin"]))
    fits = validate_bytes(signed, "signed", source)
    assert fits.conformance_class == "strict", fits.problems
    result = validate_bytes(signed, "signed", source, Limits(max_xml_nodes=SIGNATURE_SHARE * 400))
    [refusal] = result.refused
    assert refusal.startswith("signed data: holds more than 400 XML elements")
    assert result.undecided["odf.package.signatures-verify"] == refusal
