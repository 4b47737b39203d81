"""Random bytes and random JSON/TOML structures fed to every command that reads a file: the
exit code is always one of the documented ones and no traceback ever escapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tomli_w
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.cli import main
from tests.unit.signing_support import signer, write_trust

DOCUMENTED_EXIT_CODES = {0, 1, 2, 3, 4, 130}

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
structures = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(["id", "type", "payload", "payloadType", "signatures", "keys", "claims",
                        "launch", "kind", "check", "requirements", "candidate", "holder"])
json_documents = st.dictionaries(keys | st.text(max_size=6), structures, max_size=6)
toml_documents = st.dictionaries(keys | st.text(min_size=1, max_size=6),
                                 st.text() | st.integers() | st.lists(st.text(), max_size=3)
                                 | st.dictionaries(st.text(min_size=1, max_size=5), st.text(),
                                                   max_size=3),
                                 max_size=6)
contents = st.binary(max_size=400) | json_documents.map(
    lambda d: json.dumps(d).encode()) | toml_documents.map(lambda d: tomli_w.dumps(d).encode())

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def outcome(args: list[str]) -> tuple[int, Any]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.exception


def assert_clean(args: list[str]) -> None:
    code, exception = outcome(args)
    assert exception is None or isinstance(exception, SystemExit), repr(exception)
    assert code in DOCUMENTED_EXIT_CODES, code


@FUZZ
@given(data=contents)
def test_verify_reads_any_envelope(tmp_path_factory: Any, data: bytes) -> None:
    root = tmp_path_factory.mktemp("verify")
    (root / "report.dsse.json").write_bytes(data)
    write_trust(root / "trust.toml", signer())
    assert_clean(["verify", str(root / "report.dsse.json"), "--trust", str(root / "trust.toml")])


@FUZZ
@given(data=contents)
def test_verify_reads_any_trust_list_and_registry_snapshot(tmp_path_factory: Any,
                                                           data: bytes) -> None:
    root = tmp_path_factory.mktemp("trust")
    (root / "trust.toml").write_bytes(data)
    (root / "snapshot.json").write_bytes(data)
    assert_clean(["verify", str(root), "--trust", str(root / "trust.toml")])
    write_trust(root / "good.toml", signer())
    assert_clean(["verify", str(root), "--trust", str(root / "good.toml"), "--registry",
                  str(root / "snapshot.json")])


@FUZZ
@given(data=contents)
def test_rebuild_reads_any_journal(tmp_path_factory: Any, data: bytes) -> None:
    root = tmp_path_factory.mktemp("journal")
    (root / "journal.jsonl").write_bytes(data)
    assert_clean(["report", "rebuild", str(root)])


@FUZZ
@given(data=contents)
def test_run_reads_any_manifest(tmp_path_factory: Any, data: bytes) -> None:
    root = tmp_path_factory.mktemp("manifest")
    (root / "candidate.toml").write_bytes(data)
    assert_clean(["run", "--candidate", str(root / "candidate.toml"), "--output-root",
                  str(root / "reports")])


@FUZZ
@given(data=contents)
def test_label_award_and_policy_read_anything(tmp_path_factory: Any, data: bytes) -> None:
    root = tmp_path_factory.mktemp("label")
    (root / "report.dsse.json").write_bytes(data)
    (root / "policy.toml").write_bytes(data)
    write_trust(root / "trust.toml", signer())
    assert_clean(["label", "award", str(root / "report.dsse.json"), "--trust",
                  str(root / "trust.toml"), "--db", str(root / "labels.sqlite")])
    assert_clean(["verify", str(root), "--trust", str(root / "trust.toml"), "--policy",
                  str(root / "policy.toml")])


@FUZZ
@given(data=contents)
def test_odf_validate_reads_any_document(tmp_path_factory: Any, data: bytes) -> None:
    root = tmp_path_factory.mktemp("odf")
    document = root / "document.odt"
    document.write_bytes(data)
    assert_clean(["odf", "validate", str(document)])


def test_documented_codes_are_the_readme_table() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for code in DOCUMENTED_EXIT_CODES:
        assert f"| {code} |" in readme, code
