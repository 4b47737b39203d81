"""Hostile input gets a clear error and exit 2, never a traceback or a write outside the
candidate's directory (issue: hostile input and hostile candidates)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conformance.cli import main
from conformance.errors import InputError
from conformance.jsonfile import check_depth, loads_bounded
from conformance.locations import bundled_candidates_dir
from conformance.tomlfile import read_toml
from conformance.trust.trust_list import load_trust_list
from tests.unit.signing_support import signer, write_trust

RADICALE = bundled_candidates_dir() / "radicale.toml"
DEEP = "[" * 1100 + "]" * 1100


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


@pytest.mark.parametrize("name", ["../../escaped.txt", "/tmp/eos-absolute.txt", "a/../../b"])
def test_a_manifest_cannot_write_outside_its_working_directory(tmp_path: Path, name: str) -> None:
    text = RADICALE.read_text(encoding="utf-8").replace(
        '[launch.files]\n', f'[launch.files]\n"{name}" = "x"\n'
    )
    manifest = tmp_path / "sub" / "hostile.toml"
    manifest.parent.mkdir()
    manifest.write_text(text, encoding="utf-8")
    code, output = invoke("run", "--candidate", str(manifest), "--output-root",
                          str(tmp_path / "reports"))
    assert code == 2
    assert "launch.files" in output and ("leaves" in output or "absolute" in output)
    assert not (tmp_path / "escaped.txt").exists()
    assert not Path("/tmp/eos-absolute.txt").exists()
    assert not (tmp_path / "reports").exists()


def test_deeply_nested_json_is_refused_not_a_crash() -> None:
    with pytest.raises(ValueError, match="nested deeper"):
        loads_bounded(DEEP)
    check_depth('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')


def test_verify_of_a_deeply_nested_envelope_says_why(tmp_path: Path) -> None:
    envelope = tmp_path / "report.dsse.json"
    envelope.write_text(DEEP)
    trust = tmp_path / "trust.toml"
    write_trust(trust, signer())
    args = ["verify", str(envelope), "--trust", str(trust), "--json"]
    code, output = invoke(*args)
    assert code == 1
    assert "nested deeper than 64 levels" in output
    assert json.loads(CliRunner().invoke(main, args).output)["authentic"] is False


def test_verify_without_a_trust_list_is_a_usage_error(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFORMANCE_TRUST_LIST", raising=False)
    code, output = invoke("verify", str(tmp_path))
    assert code == 2 and "a trust list is needed" in output


def test_a_trust_list_holder_must_be_text(tmp_path: Path) -> None:
    trust = tmp_path / "trust.toml"
    write_trust(trust, signer())
    trust.write_text(re.sub(r'holder = "[^"]*"', "holder = 42", trust.read_text()))
    with pytest.raises(InputError, match="field 'holder' must be a non-empty string"):
        load_trust_list(trust)


def test_rebuild_of_a_deeply_nested_journal_says_why(tmp_path: Path) -> None:
    (tmp_path / "journal.jsonl").write_text(
        json.dumps({"type": "start"})[:-1] + ', "x": ' + DEEP + "}\n"
        + json.dumps({"type": "check"}) + "\n"
    )
    code, output = invoke("report", "rebuild", str(tmp_path))
    assert code == 2
    assert "line 1 is not JSON" in output


@pytest.mark.parametrize("what", ["candidate manifest", "trust list", "label policy"])
def test_toml_that_is_not_utf8_names_the_file(tmp_path: Path, what: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'id = "\xff\xfe"\n')
    with pytest.raises(InputError, match=r"bad.toml: not UTF-8 text"):
        read_toml(path, what)


def test_a_huge_toml_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    path.write_bytes(b"# " + b"x" * (5 * 1024 * 1024) + b"\n")
    with pytest.raises(InputError, match="larger than"):
        read_toml(path, "candidate manifest")


def test_cli_with_a_non_utf8_manifest_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_bytes(b'id = "\xff"\n')
    code, output = invoke("run", "--candidate", str(path))
    assert code == 2 and "not UTF-8 text" in output


def test_a_damaged_journal_line_is_named_and_the_rest_rebuilt(tmp_path: Path) -> None:
    from tests.helpers import Req, check_entry, end_entry, start_entry

    lines = [json.dumps(start_entry([Req("demo.a"), Req("demo.b")])),
             json.dumps(check_entry("t::a", ["demo.a"], "passed")),
             json.dumps({"type": "check", "nodeid": "no check field"}),
             json.dumps(check_entry("t::b", ["demo.b"], "passed")),
             json.dumps(end_entry())]
    (tmp_path / "journal.jsonl").write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["report", "rebuild", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert {r["id"]: r["outcome"] for r in report["requirements"]} == {
        "demo.a": "passed", "demo.b": "passed"}
    assert report["run"]["complete"] is False
    assert "line 3 is not a run event" in report["run"]["stop_reason"]
