"""The ODF validator on generated and corrupted documents, the schema source (local
directory, pinned download, hash mismatch, nothing at all) and the ``conformance odf``
commands. Uses the schemas in ../shared/odf-schemas (never committed)."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conformance.api import CantTell, CheckFailure
from conformance.errors import InputError
from suites.odf import foreign
from suites.odf.checks.test_producer_package import judge
from suites.odf.commands import COMMANDS
from suites.odf.corpus import build_corpus
from suites.odf.corpus_types import build_type_corpus
from suites.odf.faults import FAULTS, DocumentFault, Stored, package_of
from suites.odf.faults_producer import producer_faults
from suites.odf.schemas import OFFICIAL, SchemaSource, compiled
from suites.odf.validate import REQUIREMENTS, validate_bytes

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "odf-schemas"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"no ODF schemas in {SHARED}")


@pytest.fixture(scope="module")
def source() -> SchemaSource:
    return SchemaSource(directory=SHARED)


@pytest.fixture(scope="module")
def corpus_bytes() -> dict[str, bytes]:
    return {d.name: d.data for d in build_corpus(7)}


def test_generated_corpus_is_strictly_conforming(
    source: SchemaSource, corpus_bytes: dict[str, bytes]
) -> None:
    for name, data in corpus_bytes.items():
        result = validate_bytes(data, name, source)
        assert result.problems == [] and result.strict_problems == [], name
        assert result.conformance_class == "strict"


RULE_FAULTS = {f.name for f in producer_faults()}


@pytest.mark.parametrize("fault", [f for f in FAULTS if f.validated and f.name not in RULE_FAULTS],
                         ids=lambda f: f.name)
def test_every_package_fault_breaks_what_it_names(
    source: SchemaSource, corpus_bytes: dict[str, bytes], fault: DocumentFault
) -> None:
    """On the strictly conforming corpus (where content-foreign-markup is provable too), the
    package check's verdict on each requirement the fault names is ``failed``."""
    damaged = fault.corrupt(corpus_bytes["text-basic"])
    assert damaged is not None
    result = validate_bytes(damaged, fault.name, source)
    assert set(fault.breaks) <= result.broken()
    for requirement in fault.breaks:
        with pytest.raises(CheckFailure):
            judge(result, requirement)


def test_generated_type_corpus_is_strictly_conforming(source: SchemaSource) -> None:
    for document in build_type_corpus():
        result = validate_bytes(document.data, document.name, source)
        assert [str(p) for p in result.problems + result.strict_problems] == [], document.name


def test_rule_faults_that_fit_the_generated_corpus_are_caught(source: SchemaSource) -> None:
    """Each rule fault on the first generated document it fits (those needing what only a
    real producer writes, a preview or font declarations, are shown on LibreOffice's output
    by tests/integration/test_odf_rules.py)."""
    documents = [d.data for d in build_corpus(7)[:1]] + [d.data for d in build_type_corpus()]
    caught = []
    for fault in (f for f in FAULTS if f.name in RULE_FAULTS):
        for data in documents:
            try:
                damaged = fault.corrupt(data)
            except (ValueError, zipfile.BadZipFile, etree.XMLSyntaxError):
                continue  # not a document this fault fits (flat XML, or nothing to change)
            assert damaged is not None
            result = validate_bytes(damaged, fault.name, source)
            for requirement in fault.breaks:
                with pytest.raises(CheckFailure):
                    judge(result, requirement)
            caught.append(fault.name)
            break
    assert len(caught) >= 12, caught


def test_catalogue_is_large_and_covers_every_document_requirement() -> None:
    assert len(FAULTS) >= 35
    assert len({f.name for f in FAULTS}) == len(FAULTS)
    covered = {r for f in FAULTS for r in f.breaks}
    assert set(REQUIREMENTS) <= covered
    # Faults the validator cannot see are content and consumer faults, run by the suite.
    assert {r for f in FAULTS if not f.validated for r in f.breaks}.isdisjoint(REQUIREMENTS)


def test_nothing_to_look_at_is_never_a_pass(source: SchemaSource) -> None:
    """A package with a manifest but no XML part used to pass manifest-valid, version and
    both schema requirements: no version was declared, so nothing was validated."""
    bare = package_of([
        Stored("mimetype", b"application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED),
        Stored("META-INF/manifest.xml",
               b'<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
               b'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
               b'manifest:full-path="/" manifest:media-type="application/vnd.oasis.'
               b'opendocument.text"/></manifest:manifest>'),
    ])
    result = validate_bytes(bare, "bare", source)
    # Without meta.xml there is no meta:generator either (a SHOULD).
    assert result.broken() == {"odf.document.content-present", "odf.document.meta-generator"}
    for requirement in ("odf.package.manifest-valid", "odf.document.version",
                        "odf.document.schema-extended", "odf.document.schema-strict"):
        with pytest.raises(CantTell):
            judge(result, requirement)
    judge(result, "odf.package.manifest-root")  # judged, and holds


def test_xml_errors_name_part_line_and_column(
    source: SchemaSource, corpus_bytes: dict[str, bytes]
) -> None:
    broken = next(f for f in FAULTS if f.name == "content-broken-xml")
    result = validate_bytes(broken.corrupt(corpus_bytes["text-basic"]), "x", source)
    problem = result.problems_for("odf.document.wellformed")[0]
    assert problem.part == "content.xml" and problem.line and problem.column
    invalid = next(f for f in FAULTS if f.name == "content-invalid-element")
    result = validate_bytes(invalid.corrupt(corpus_bytes["text-basic"]), "x", source)
    problem = result.problems_for("odf.document.schema-extended")[0]
    assert problem.part == "content.xml" and problem.line is not None
    assert "office:text" in (problem.xpath or "") or "chapter-title" in problem.message


def test_foreign_element_in_a_paragraph_is_replaced_by_its_content() -> None:
    root = etree.fromstring(
        b'<o:text xmlns:o="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:t="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:x="urn:x">'
        b'<t:p x:a="1">a<x:w>b<t:span>c</t:span>d</x:w>e</t:p>'
        b"<x:gone>f<t:p>g</t:p></x:gone>"
        b'<t:p>h<x:skip o:process-content="false">i</x:skip>j</t:p></o:text>'
    )
    odf = frozenset({"urn:oasis:names:tc:opendocument:xmlns:office:1.0",
                     "urn:oasis:names:tc:opendocument:xmlns:text:1.0"})
    removed = foreign.strip_foreign(root, odf)
    paragraphs = root.findall("{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p")
    assert [("".join(p.itertext())) for p in paragraphs] == ["abcde", "hj"]
    assert paragraphs[0].attrib == {}
    assert {"{urn:x}a", "{urn:x}w", "{urn:x}gone", "{urn:x}skip"} <= set(removed)


def test_compiled_schemas_are_cached(source: SchemaSource) -> None:
    assert compiled(source, "1.3", "schema") is compiled(source, "1.3", "schema")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def mirror(tmp_path: Path) -> Iterator[str]:
    """A local HTTP server standing in for docs.oasis-open.org."""
    handler = functools.partial(_Quiet, directory=str(SHARED))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_download_checks_the_pinned_hash_and_caches(
    mirror: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONFORMANCE_ODF_SCHEMAS", raising=False)
    urls = {key: f"{mirror}/{key[0]}/{key[1]}.rng" for key in OFFICIAL}
    fetched = SchemaSource(cache_dir=tmp_path / "cache", urls=urls)
    path = fetched.path("1.3", "schema")
    assert path == tmp_path / "cache" / "1.3" / "schema.rng"
    assert path.read_bytes() == (SHARED / "1.3" / "schema.rng").read_bytes()
    # Cached: a source that may not download still finds it.
    assert SchemaSource(cache_dir=tmp_path / "cache", allow_download=False).path("1.3", "schema")


def test_download_with_a_wrong_hash_is_refused(
    mirror: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONFORMANCE_ODF_SCHEMAS", raising=False)
    # The 1.2 manifest schema served where the 1.3 one is expected.
    urls = {key: f"{mirror}/1.2/manifest-schema.rng" for key in OFFICIAL}
    fetched = SchemaSource(cache_dir=tmp_path / "cache", urls=urls)
    with pytest.raises(InputError, match="not the pinned"):
        fetched.path("1.3", "manifest-schema")
    assert not (tmp_path / "cache" / "1.3" / "manifest-schema.rng").exists()


def test_unreachable_download_and_no_schemas_are_clear_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CONFORMANCE_ODF_SCHEMAS", raising=False)
    urls = {key: "http://127.0.0.1:9/none.rng" for key in OFFICIAL}
    with pytest.raises(InputError, match="cannot download"):
        SchemaSource(cache_dir=tmp_path, urls=urls).path("1.2", "schema")
    with pytest.raises(InputError, match="--schemas"):
        SchemaSource(cache_dir=tmp_path, allow_download=False).path("1.2", "schema")
    with pytest.raises(InputError, match=r"has no 1\.4/schema\.rng"):
        SchemaSource(directory=tmp_path).path("1.4", "schema")


def test_validate_command_json_and_exit_codes(
    tmp_path: Path, corpus_bytes: dict[str, bytes]
) -> None:
    good = tmp_path / "good.odt"
    good.write_bytes(corpus_bytes["text-basic"])
    bad = tmp_path / "bad.odt"
    bad.write_bytes(next(f for f in FAULTS if f.name == "mimetype-compressed").corrupt(
        corpus_bytes["text-basic"]))
    runner = CliRunner()
    answer = runner.invoke(COMMANDS, ["validate", "--schemas", str(SHARED), "--json",
                                      str(good), str(bad)])
    assert answer.exit_code == 1, answer.output
    documents = json.loads(answer.output)["documents"]
    assert documents[0]["conformance_class"] == "strict"
    assert documents[1]["problems"][0]["requirement"] == "odf.package.mimetype-stored"
    assert runner.invoke(COMMANDS, ["validate", "--schemas", str(SHARED), str(good)]).exit_code == 0


def test_validate_command_bad_input_is_a_message_not_a_traceback(
    tmp_path: Path, corpus_bytes: dict[str, bytes]
) -> None:
    runner = CliRunner()
    missing = runner.invoke(COMMANDS, ["validate", "--schemas", str(SHARED),
                                       str(tmp_path / "nope.odt")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    assert missing.exception is None or isinstance(missing.exception, SystemExit)
    text = tmp_path / "notes.odt"
    text.write_text("plain text")
    not_zip = runner.invoke(COMMANDS, ["validate", "--schemas", str(SHARED), str(text)])
    assert not_zip.exit_code == 1 and "not a ZIP archive" in not_zip.output
    assert "Traceback" not in not_zip.output
    good = tmp_path / "good.odt"
    good.write_bytes(corpus_bytes["text-basic"])
    empty = tmp_path / "empty"
    empty.mkdir()
    no_schemas = runner.invoke(COMMANDS, ["validate", "--schemas", str(empty), str(good)])
    assert no_schemas.exit_code == 2 and "has no 1.2/" in no_schemas.output


def test_install_schemas_from_a_local_copy_fills_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("CONFORMANCE_ODF_SCHEMA_CACHE", str(cache))
    monkeypatch.delenv("CONFORMANCE_ODF_SCHEMAS", raising=False)
    answer = CliRunner().invoke(COMMANDS, ["install-schemas", "--from", str(SHARED)])
    assert answer.exit_code == 0, answer.output
    installed = (cache / "1.4" / "schema.rng").read_bytes()
    assert installed == (SHARED / "1.4" / "schema.rng").read_bytes()
    # The cached copy is then used without any download.
    offline = SchemaSource(cache_dir=cache, allow_download=False)
    assert offline.path("1.2", "manifest-schema") == cache / "1.2" / "manifest-schema.rng"


def test_install_schemas_refuses_a_modified_copy_and_installs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mirror = tmp_path / "mirror"
    for official in OFFICIAL.values():
        target = mirror / official.version / official.file_name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((SHARED / official.version / official.file_name).read_bytes())
    tampered = mirror / "1.3" / "schema.rng"
    tampered.write_bytes(tampered.read_bytes() + b"\n<!-- altered -->\n")
    cache = tmp_path / "cache"
    monkeypatch.setenv("CONFORMANCE_ODF_SCHEMA_CACHE", str(cache))
    answer = CliRunner().invoke(COMMANDS, ["install-schemas", "--from", str(mirror)])
    assert answer.exit_code == 2
    assert "1.3/schema.rng" in answer.output and "refusing" in answer.output
    assert "Traceback" not in answer.output
    assert not cache.exists()
